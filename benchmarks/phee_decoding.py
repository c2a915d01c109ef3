"""Constrained against unconstrained decoding on PHEE test, per model of a finished PHEE run
(`snakemake --configfile config/phee.yaml`): no retraining, each saved model tags the raw test notes twice.

    python benchmarks/phee_decoding.py --run results --output benchmarks/results/phee_decoding.json

For every final model under `RUN/models/*/full/f1/seed*/final` the test notes are tagged exactly as the
pipeline's `predict_test` rule does (`predict_folder`) and scored as its `score_spans` rule does (n2c2-2018
semantics): strict and lenient micro span F1 and the number of predicted entities, once with
`decoding: constrained` (valid IOB2 only) and once `unconstrained` (the study's per-word arg-max for Apt,
free Viterbi for the CRF). The Apt head is trained the same way under both, so its two rows differ by the
decoding alone. A CRF head trained constrained never learns scores for the forbidden transitions (they are
masked), so its unconstrained row is the same weights decoded freely, not a CRF trained unconstrained.
The feature CRF (crfsuite) has one decoding and is listed as a reference. The JSON also quotes the
Hugging Face parity result (`benchmarks/results/hf_parity_phee.json`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hf_parity_phee import DEFAULT_PHEE, PHEE_LABEL_MAP, PHEE_TYPES
from record import emit, load_average, machine, provenance

ROOT = Path(__file__).resolve().parents[1]
PARITY = ROOT / "benchmarks" / "results" / "hf_parity_phee.json"
DECODINGS = ("unconstrained", "constrained")
SCORES = ("span_strict_micro_f1", "span_lenient_micro_f1", "predicted_entities")


def set_decoding(model: Any, decoding: str) -> None:
    """Decode a loaded Tagger `constrained` or `unconstrained` (a model trained unconstrained has no masks)."""
    if decoding == "constrained" and not hasattr(model.head, "allowed"):
        raise ValueError(f"{model.encoder_name}: trained unconstrained, it has no transition masks to decode with")
    model.head.constrained = decoding == "constrained"
    model.decoding = decoding


def score_model(model: Any, test_dir: Path, out_dir: Path, types: list[str]) -> dict[str, Any]:
    """Tag the test notes into `out_dir` and score them (n2c2 semantics, micro)."""
    from clinical_ner.evaluation.brat_scoring import score_folders
    from clinical_ner.models.predict.notes import predict_folder

    report = predict_folder(model, test_dir, out_dir, overwrite=True, progress=False)
    frame = score_folders(test_dir, out_dir, types, PHEE_LABEL_MAP)["n2c2"].set_index(["mode", "label"])
    return {"span_strict_micro_f1": round(float(frame.loc[("strict", "micro avg"), "f1"]), 4),
            "span_lenient_micro_f1": round(float(frame.loc[("lenient", "micro avg"), "f1"]), 4),
            "predicted_entities": int(report["entities"])}


def previous_runs(output: Path | None) -> list[dict[str, Any]]:
    """The runs of an earlier result file (none when there is none)."""
    if output is None or not output.is_file():
        return []
    return list(json.loads(output.read_text(encoding="utf-8"))["runs"])


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per model and decoding: the mean over seeds; per model: constrained minus unconstrained."""
    summary: dict[str, Any] = {}
    for model in dict.fromkeys(r["model"] for r in runs):
        entry: dict[str, Any] = {}
        for decoding in dict.fromkeys(r["decoding"] for r in runs if r["model"] == model):
            mine = [r for r in runs if r["model"] == model and r["decoding"] == decoding]
            entry[decoding] = {key: round(statistics.mean(r[key] for r in mine), 4) for key in SCORES}
            entry[decoding]["seeds"] = len(mine)
        if all(d in entry for d in DECODINGS):
            entry["constrained_minus_unconstrained"] = {
                key: round(entry["constrained"][key] - entry["unconstrained"][key], 4) for key in SCORES}
        summary[model] = entry
    return summary


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, default=ROOT / "results", help="the results folder of a PHEE run")
    parser.add_argument("--phee", type=Path, default=DEFAULT_PHEE)
    parser.add_argument("--regime", default="full")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None, help="also write the JSON here")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs already in --output and score only the models it lacks")
    args = parser.parse_args(argv)
    origin = provenance(__file__, argv)
    if not (args.phee / "test").is_dir():
        print(f"PHEE not found at {args.phee} (test/ expected): nothing to do")
        return None
    folders = sorted((args.run / "models").glob(f"*/{args.regime}/f1/seed*/final"))
    if not folders:
        parser.error(f"no final models under {args.run / 'models'}/*/{args.regime}/f1/seed*/final")

    from clinical_ner.models.device import set_threads
    from clinical_ner.models.predict.sentences import load_model
    from clinical_ner.models.tagger import Tagger

    set_threads(args.threads)
    result: dict[str, Any] = {"benchmark": "phee_decoding", "machine": machine(), "load_average_start": load_average(),
                              "run": str(args.run), "regime": args.regime}
    runs = previous_runs(args.output) if args.resume else []
    done = {(r["model"], r["seed"]) for r in runs}
    with tempfile.TemporaryDirectory(prefix="phee-decoding-") as tmp:
        for k, folder in enumerate(folders):
            name, seed = folder.parents[3].name, int(folder.parent.name.removeprefix("seed"))
            if (name, seed) in done:
                continue
            model = load_model(folder)
            for decoding in DECODINGS if isinstance(model, Tagger) else ("n/a",):
                if isinstance(model, Tagger):
                    set_decoding(model, decoding)
                row = {"model": name, "seed": seed, "decoding": decoding,
                       **score_model(model, args.phee / "test", Path(tmp) / f"{k}-{decoding}", PHEE_TYPES)}
                runs.append(row)
                print(" ".join(f"{key}={value}" for key, value in row.items()), flush=True)
            if args.output is not None:  # kept after every model: an interrupted run resumes with --resume
                emit({**result, "runs": runs, "summary": summarise(runs)}, args.output, echo=False,
                     provenance_=origin)
    result.update({"runs": runs, "summary": summarise(runs), "load_average_end": load_average()})
    if PARITY.is_file():
        parity = json.loads(PARITY.read_text(encoding="utf-8"))
        result["hf_parity"] = {"file": str(PARITY.relative_to(ROOT)), "settings": parity["settings"],
                               "sides": parity["comparison"]["sides"]}
    for model, entry in result["summary"].items():
        gap = entry.get("constrained_minus_unconstrained")
        if gap:
            print(f"{model}: strict {entry['unconstrained']['span_strict_micro_f1']:.4f} -> "
                  f"{entry['constrained']['span_strict_micro_f1']:.4f}, lenient "
                  f"{entry['unconstrained']['span_lenient_micro_f1']:.4f} -> {entry['constrained']['span_lenient_micro_f1']:.4f}")
    return emit(result, args.output, echo=False, provenance_=origin)


if __name__ == "__main__":
    main(sys.argv[1:])
