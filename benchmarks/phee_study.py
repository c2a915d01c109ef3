"""The PHEE study: what pre-training is worth on real clinical text, in one run.

    python benchmarks/phee_study.py --phee ../shared/data/phee --output benchmarks/results/phee_study.json

Runs the whole DAG of `config/phee.yaml` (a real pre-trained encoder from a pinned package, the same
encoder after task-adaptive pre-training on PHEE's training text, and the from-scratch models; 3 seeds,
learning curves, learning rates searched on dev) into `--results`, then writes one result file: every
model's strict and lenient micro span F1 (n2c2-2018 semantics) on PHEE test, mean over seeds with its 95%
bootstrap interval over test documents, the paired p-value against the best from-scratch model and, for
the task-adapted encoder, against the general one; the learning-curve points and where pre-training stops
paying; the adaptation's note; the wall time and the DAG's job times. Snakemake skips what is up to date,
so a second call only re-reads the outputs (its wall time says so).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import ROOT, emit, provenance

from clinical_ner import config as cfg
from clinical_ner.data.subsets import fraction_id
from clinical_ner.evaluation.statistics import bootstrap, run_document_counts
from clinical_ner.models.encoders.kinds import ADAPTED_NOTE

CONFIG = ROOT / "config" / "phee.yaml"
METRICS = ("span_strict_f1", "span_lenient_f1")


def study_config(phee: Path, results: str, overlays: list[Path]) -> dict[str, Any]:
    """config.yaml, config/phee.yaml, any overlays, then the corpus folders and results folder: as the DAG
    sees it."""
    layers = [cfg.read_config_file(ROOT / "config.yaml"), cfg.read_config_file(CONFIG),
              *(cfg.read_config_file(path) for path in overlays),
              {"corpus": {part: str(phee / part) for part in ("train", "test", "dev")}, "results": results}]
    return cfg.validate_config(cfg.layer_configs(layers), origin="phee study config", check_paths=False)


def run_dag(phee: Path, results: str, cores: int, overlays: list[Path]) -> tuple[int, float]:
    corpus = "{" + ", ".join(f"{part}: {phee / part}" for part in ("train", "test", "dev")) + "}"
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--configfile", str(CONFIG),
               *map(str, overlays), "--config", f"corpus={corpus}", f"results={results}"]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONHASHSEED="0")
    started = time.perf_counter()
    status = subprocess.run(command, cwd=ROOT, env=env).returncode
    return status, time.perf_counter() - started


def model_rows(config: dict[str, Any], results: Path, phee: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per model: kind, label, per-seed scores; and the document counts of every run for the bootstrap."""
    models = cfg.model_names(config) + ([cfg.CRFSUITE_MODEL] if cfg.crfsuite_enabled(config) else [])
    types = cfg.entity_types(config)
    rows, counts = [], {}
    for model in models:
        encoder, _ = cfg.split_model(model)
        label = cfg.display_name(config, model)
        if model == cfg.CRFSUITE_MODEL:  # deterministic: the first seed only, as the DAG trains it
            kind, pretraining, units, seeds = "feature CRF", "from scratch", "word", cfg.seeds(config)[:1]
        else:
            kind, pretraining = cfg.encoder_kind(config, encoder).name, cfg.encoder_kind(config, encoder).pretraining.value
            units, seeds = cfg.base_settings(config, encoder).get("units", "word"), cfg.seeds(config)
        per_seed = []
        for seed in seeds:
            run = f"full/f{fraction_id(1.0)}/seed{seed}"
            spans = pd.read_csv(results / "eval" / model / run / "spans_official_semantics.csv", keep_default_na=False)
            micro = spans[spans["label"] == "micro avg"].set_index("mode")["f1"]
            per_seed.append({"seed": seed, "span_strict_f1": float(micro["strict"]),
                             "span_lenient_f1": float(micro["lenient"])})
            counts.setdefault(label, []).append(run_document_counts(
                phee / "test", results / "predictions" / model / run / "ann",
                results / "predictions" / model / run / "test.jsonl", units, types, config["corpus"]["label_map"]))
        rows.append({"model": model, "label": label, "kind": kind, "pretraining": pretraining, "seeds": per_seed})
    return rows, counts


def with_statistics(rows: list[dict[str, Any]], counts: dict[str, Any], resamples: int, seed: int) -> dict[str, Any]:
    """Intervals of every row, p-values against the best from-scratch row (and adapted vs general)."""
    for row in rows:
        for metric in METRICS:
            values = [s[metric] for s in row["seeds"]]
            row[f"{metric}_mean"] = sum(values) / len(values)
            row[f"{metric}_sd"] = float(pd.Series(values).std(ddof=1)) if len(values) > 1 else 0.0
    scratch = [r for r in rows if r["pretraining"] == "from scratch"]
    pretrained = [r for r in rows if r["pretraining"] in ("pre-trained", "task-adapted")]
    best_scratch = max(scratch, key=lambda r: r["span_strict_f1_mean"])
    stats = bootstrap(counts, best_scratch["label"], resamples, seed)
    for row in rows:
        for metric in METRICS:
            found = stats[(stats["model"] == row["label"]) & (stats["metric"] == metric)].iloc[0]
            row[f"{metric}_ci"] = [float(found["low"]), float(found["high"])]
            row[f"{metric}_difference_vs_best_scratch"] = None if pd.isna(found["difference"]) else float(found["difference"])
            row[f"{metric}_p_vs_best_scratch"] = None if pd.isna(found["p_value"]) else float(found["p_value"])
    summary: dict[str, Any] = {"best_from_scratch": best_scratch["label"]}
    if pretrained:
        best = max(pretrained, key=lambda r: r["span_strict_f1_mean"])
        summary["best_pretrained"] = best["label"]
    general = [r for r in rows if r["pretraining"] == "pre-trained"]
    adapted = [r for r in rows if r["pretraining"] == "task-adapted"]
    if general and adapted:
        pairs = bootstrap({general[0]["label"]: counts[general[0]["label"]], adapted[0]["label"]: counts[adapted[0]["label"]]},
                          general[0]["label"], resamples, seed)
        found = pairs[(pairs["model"] == adapted[0]["label"]) & (pairs["metric"] == "span_strict_f1")].iloc[0]
        summary["adapted_vs_general"] = {"adapted": adapted[0]["label"], "general": general[0]["label"],
                                         "strict_f1_difference": float(found["difference"]),
                                         "p_value": float(found["p_value"])}
    return summary


def curves(results: Path) -> dict[str, Any]:
    table = pd.read_csv(results / "tables" / "learning_curves.csv")
    crossing = pd.read_csv(results / "tables" / "learning_curves_crossing.csv")
    keep = ["model", "fraction", "n_seeds", "train_documents", "train_sentences", "span_strict_f1", "bio_macro_f1"]
    return {"points": table[[c for c in keep if c in table.columns]].to_dict(orient="records"),
            "crossing": crossing.to_dict(orient="records")}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phee", type=Path, default=ROOT.parent / "shared" / "data" / "phee", help="PHEE's BRAT folders")
    parser.add_argument("--results", default="results-phee-study", help="the DAG's results folder")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--overlay", type=Path, action="append", default=[],
                        help="a config file layered over config/phee.yaml (e.g. a cut-down study for a test)")
    parser.add_argument("--output", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    origin = provenance(__file__, argv)
    phee = args.phee.resolve()
    overlays = [path.resolve() for path in args.overlay]
    status, wall = run_dag(phee, args.results, args.cores, overlays)
    if status != 0:
        raise SystemExit(f"the PHEE DAG failed (exit {status}); see {args.results}/logs")
    config = study_config(phee, args.results, overlays)
    results = Path(args.results) if Path(args.results).is_absolute() else ROOT / args.results
    rows, counts = model_rows(config, results, phee)
    summary = with_statistics(rows, counts, config["statistics"]["resamples"], config["statistics"]["seed"])
    from clinical_ner.job_stats import read_benchmarks, summarise

    jobs, _ = read_benchmarks(results / "benchmarks")
    notes = {encoder: results / "encoders" / encoder / ADAPTED_NOTE for encoder in config["encoders"]
             if cfg.encoder_kind(config, encoder).name == "adapted"}
    result = {
        "benchmark": "phee_study", "corpus": "PHEE (train/dev/test as shipped)",
        "config": ["config/phee.yaml", *(path.name for path in overlays)],
        "scores": "micro span F1 on PHEE test, n2c2-2018 track 2 semantics; mean over seeds, 95% bootstrap "
                  f"interval over test documents ({config['statistics']['resamples']} resamples)",
        "seeds": cfg.seeds(config), "rows": rows, **summary, "learning_curves": curves(results),
        "adaptation": {encoder: json.loads(note.read_text()) for encoder, note in notes.items() if note.is_file()},
        "wall_seconds": round(wall, 1), "jobs": summarise(jobs),
    }
    emit(result, args.output, echo=False, provenance_=origin)
    print(json.dumps({r["label"]: round(r["span_strict_f1_mean"], 4) for r in rows}, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
