#!/usr/bin/env bash
# One prepared GPU check (under 8 minutes on one H100-class card):
#   0. the model tests on the CUDA device (tests/test_cuda.py: train, predict with confidences, reload,
#      the same tags as on the CPU; skipped there under --dry-run, where no GPU is);
#   1. our loop vs Hugging Face Trainer at BERT-base size (12 x 768) and DistilBERT size (6 x 768), bf16,
#      batch 14, two epochs: our Apt and CRF heads eager, and the CRF with `compile: true` and
#      `compile: cudagraphs` (steady rate from the second epoch; the first holds the compile);
#   2. jobs sharing the GPU (gpu_packing.py): 1, 4 and 8 BERT-base-size CRF training jobs at batch 14 at
#      once, the aggregate training rate against one job alone;
#   3. one full-size training job (DistilBERT-size scratch encoder, CRF head, 512-sub-word windows,
#      about 300 optimiser steps) as a train_candidate job of the paper-size run would do it;
# and writes their JSON plus gpu_check.json (device, the CUDA tests' outcome, tokens/s, peak GPU memory,
# seconds per epoch), each with its provenance (benchmarks/record.py).
#
#   bash benchmarks/gpu_check.sh [--dry-run] [OUT_DIR]
#
# OUT_DIR defaults to $OUT (the device tool's output folder) or benchmarks/results/gpu. --dry-run runs
# the same steps on the CPU with tiny sizes (the test suite does this so that the script cannot break
# unnoticed). Python: $PYTHON, else .venv/bin/python, else python3; it needs torch with CUDA, the
# package (pip install -e ".[dev]") and accelerate.
set -euo pipefail
cd "$(dirname "$0")/.."
ARGS=("$@")

DRY=0
if [[ "${1:-}" == "--dry-run" ]]; then DRY=1; shift; fi
OUT_DIR="${1:-${OUT:-benchmarks/results/gpu}}"
PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  if [[ -x .venv/bin/python ]]; then PY=.venv/bin/python; else PY=python3; fi
fi
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
mkdir -p "$OUT_DIR"
JUNIT=$(mktemp --suffix .xml)
trap 'rm -f "$JUNIT"' EXIT

if [[ $DRY == 1 ]]; then
  DEVICE=cpu
  COMPARE=(--sizes small:1 --train-docs 2 --test-docs 1 --epochs 2 --repeats 1 --vocab-size 500 --threads 1
           --sides apt,hf,crf,crf+compile,crf+cudagraphs)
  FULL=(--layers 1 --dim 32 --heads 2 --hidden-dim 64 --vocab-size 500 --max-length 512 --train-docs 2
        --test-docs 1 --epochs 1 --threads 1)
  PACK=(--jobs 1,2 -- --layers 1 --dim 32 --heads 2 --hidden-dim 64 --vocab-size 500 --train-docs 2 --test-docs 1
        --epochs 1 --threads 1)
  TEST_LIMIT=600 COMPARE_LIMIT=600 PACK_LIMIT=600 FULL_LIMIT=600
else
  DEVICE=cuda
  "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "no CUDA device: use --dry-run")'
  COMPARE=(--sizes bert-base,distilbert --train-docs 40 --test-docs 20 --epochs 2 --repeats 1 --batch-size 14
           --eval-batch-size 128 --sides apt,hf,crf,crf+compile,crf+cudagraphs)
  # 120 synthetic letters give about 4,800 training sentences: about 300 steps of 16 in one epoch
  FULL=(--layers 6 --dim 768 --heads 12 --hidden-dim 3072 --vocab-size 28996 --max-length 512 --train-docs 120
        --test-docs 20 --epochs 1 --batch-size 16 --eval-batch-size 128 --learning-rate 5e-5)
  PACK=(--jobs 1,4,8 -- --layers 12 --dim 768 --heads 12 --hidden-dim 3072 --vocab-size 28996 --max-length 512
        --train-docs 60 --test-docs 2 --epochs 1 --batch-size 14 --eval-batch-size 128 --learning-rate 5e-5)
  # seconds per step, 8 minutes in all at most: the comparison and the packing write their files after each
  # size or job count, so a time limit keeps those done (BERT-base first)
  TEST_LIMIT=80 COMPARE_LIMIT=250 PACK_LIMIT=100 FULL_LIMIT=45
fi

started=$(date +%s)
status=0
timeout "$TEST_LIMIT" "$PY" -m pytest -q -p no:cacheprovider tests/test_cuda.py --junitxml "$JUNIT" \
  || status=$?
timeout "$COMPARE_LIMIT" "$PY" benchmarks/train_vs_trainer.py "${COMPARE[@]}" --device "$DEVICE" \
  --output "$OUT_DIR/train_vs_trainer.json" || status=$?
timeout "$PACK_LIMIT" "$PY" benchmarks/gpu_packing.py --output "$OUT_DIR/gpu_packing.json" "${PACK[@]}" \
  --device "$DEVICE" || status=$?
timeout "$FULL_LIMIT" "$PY" benchmarks/train_speed.py "${FULL[@]}" --head crf --device "$DEVICE" \
  --output "$OUT_DIR/full_size_train.json" || status=$?

"$PY" - "$OUT_DIR" "$DRY" "$started" "$JUNIT" "${ARGS[@]}" <<'EOF'
import json, sys, time
from pathlib import Path

sys.path.insert(0, "benchmarks")
from record import emit, provenance

out, dry, started, junit = Path(sys.argv[1]), sys.argv[2] == "1", int(sys.argv[3]), Path(sys.argv[4])
record = provenance("benchmarks/gpu_check.sh", sys.argv[5:])
summary = {"benchmark": "gpu_check", "dry_run": dry, "seconds": round(time.time() - started, 1)}
if junit.is_file() and junit.stat().st_size:
    import xml.etree.ElementTree as ET

    suite = ET.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    summary["cuda_tests"] = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    summary["cuda_tests"]["cases"] = {case.get("name"): case[0].tag if len(case) else "passed"
                                      for case in suite.iter("testcase")}
compare = out / "train_vs_trainer.json"
if compare.is_file():
    data = json.loads(compare.read_text())
    summary["device"] = data["device"]
    summary["machine"] = data["machine"]
    summary["throughput"] = {}
    for entry in data["sizes"]:
        sides = {}
        for side, values in entry["summary"]["sides"].items():
            runs = [r for r in entry["runs"] if r["side"] == side and "error" not in r]
            if not runs:
                sides[side] = {"errors": [r["error"] for r in entry["runs"] if r["side"] == side]}
                continue
            sides[side] = {
                "train_tokens_per_second": values["train_tokens_per_second"],
                "steady_train_tokens_per_second": values["steady_train_tokens_per_second"],
                "first_epoch_extra_seconds": values["first_epoch_extra_seconds"],
                "predict_sentences_per_second": values["predict_sentences_per_second"],
                "seconds_per_epoch": min(r["seconds_per_epoch"] for r in runs),
                "peak_gpu_mb": max((r["peak_gpu_mb"] or 0) for r in runs) or None,
            }
        summary["throughput"][entry["size"]] = {
            "steady_ratio_over_trainer": entry["summary"].get("steady_ratio_over_trainer"),
            "ratio_ours_apt_over_trainer": entry["summary"].get("train_ratio_apt_over_trainer"),
            "crf_train_time_over_apt": entry["summary"].get("crf_train_time_over_apt"),
            "sides": sides,
        }
packing = out / "gpu_packing.json"
if packing.is_file():
    data = json.loads(packing.read_text())
    summary["packing"] = {str(r["jobs"]): {k: r.get(k) for k in ("finished", "aggregate_tokens_per_second",
                                                                  "speedup_over_one_job", "overlap", "wall_seconds")}
                          for r in data["runs"]}
full = out / "full_size_train.json"
if full.is_file():
    data = json.loads(full.read_text())
    summary["full_size_train"] = {
        "device": data["device"], "sizes": data["sizes"], "train_windows": data["corpus"]["train_windows"],
        "tokens_per_second": data["training"]["tokens_per_second"],
        "seconds_per_epoch": data["training"]["seconds_per_epoch"],
        "peak_gpu_mb": data["memory"]["peak_cuda_mb"], "peak_rss_mb": data["memory"]["peak_rss_mb"],
    }
emit(summary, out / "gpu_check.json", provenance_=record)
EOF
exit "$status"
