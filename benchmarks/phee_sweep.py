"""Defaults chosen on real text: a one-factor-at-a-time sweep of one encoder's CRF model on the PHEE *dev*
split (the test split is never read).

    python benchmarks/phee_sweep.py --output benchmarks/results/phee_sweep.csv
    python benchmarks/phee_sweep.py --encoder minilm --configfile config/phee.yaml --output sweep_minilm.csv

Every setting starts from the encoder's settings in the configuration (`config.yaml`, then each
`--configfile` layered as `--configfile` layers them for Snakemake: `training.settings`, the encoder's own
`training` and, for a from-scratch encoder, its `architecture`) and changes one factor. From-scratch
encoders (`VARIANTS`): learning rate, epochs and patience, warm-up, batch size, dropout, width/depth,
WordPiece vocabulary size, and the decoding, trained and decoded unconstrained. Pre-trained encoders,
whose sizes are their checkpoint's (`PRETRAINED_VARIANTS`): learning rate, epochs and patience, batch
size, dropout, warm-up, the head's own learning rate, and sub-word units. Each is trained exactly as the
pipeline's `train_candidate` rule does (`models.train.job.train` on PHEE train, its epoch kept on dev),
then tags the raw dev notes as `predict_test` does. Written per run: dev strict and lenient micro span F1
(n2c2-2018 semantics, as the `spans_official_semantics` tables), the macro BIO-strict F1 the pipeline
selects on, the epoch kept, parameters and seconds. After the first seed, the `--top` settings with the
best dev strict span F1 (and the default) are re-run with `--extra-seeds`. The CSV is rewritten after
every run, so an interrupted sweep keeps what it finished (settings run in the order listed).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hf_parity_phee import DEFAULT_PHEE, PHEE_TYPES, read_phee
from phee_decoding import score_model
from record import emit_sidecar, load_average, machine, provenance

ROOT = Path(__file__).resolve().parents[1]
ENCODER = "scratch"  # the default `--encoder`
HEAD = "crf"
COLUMNS = ("setting", "factor", "value", "seed", "dev_span_strict_micro_f1", "dev_span_lenient_micro_f1",
           "dev_macro_bio_strict_f1", "best_epoch", "epochs_run", "parameters", "seconds")

# name -> (factor, value shown, training-setting overrides, architecture overrides)
Variant = tuple[str, str, dict[str, Any], dict[str, Any]]
VARIANTS: dict[str, Variant] = {
    "default": ("default", "", {}, {}),
    "lr3e-3": ("learning_rate", "0.003", {"learning_rate": 3e-3}, {}),
    "lr1e-2": ("learning_rate", "0.01", {"learning_rate": 1e-2}, {}),
    "batch32": ("batch_size", "32", {"batch_size": 32}, {}),
    "epochs6": ("epochs/patience", "6/2", {"epochs": 6, "patience": 2}, {}),
    "2x128": ("width/depth", "2 x 128 (ff 256)", {}, {"dim": 128, "hidden_dim": 256}),
    "4x64": ("width/depth", "4 x 64 (ff 128)", {}, {"n_layers": 4}),
    "vocab2000": ("vocab_size", "2000", {}, {"vocab_size": 2000}),
    "vocab4000": ("vocab_size", "4000", {}, {"vocab_size": 4000}),
    "vocab16000": ("vocab_size", "16000", {}, {"vocab_size": 16000}),
    "unconstrained": ("decoding", "unconstrained (trained and decoded)", {"decoding": "unconstrained"}, {}),
    "vocab1000": ("vocab_size", "1000", {}, {"vocab_size": 1000}),
    "lr3e-4": ("learning_rate", "0.0003", {"learning_rate": 3e-4}, {}),
    "dropout0": ("dropout", "0.0", {"dropout": 0.0}, {}),
    "warmup0": ("warmup_ratio", "0.0", {"warmup_ratio": 0.0}, {}),
    "batch8": ("batch_size", "8", {"batch_size": 8}, {}),
}
PRETRAINED_VARIANTS: dict[str, Variant] = {  # one of them may equal an encoder's own settings: skipped there
    "default": ("default", "", {}, {}),
    "lr3e-5": ("learning_rate", "0.00003", {"learning_rate": 3e-5}, {}),
    "lr1e-4": ("learning_rate", "0.0001", {"learning_rate": 1e-4}, {}),
    "lr2e-4": ("learning_rate", "0.0002", {"learning_rate": 2e-4}, {}),
    "epochs6": ("epochs/patience", "6/2", {"epochs": 6, "patience": 2}, {}),
    "batch8": ("batch_size", "8", {"batch_size": 8}, {}),
    "lr2e-4-epochs6": ("learning_rate, epochs/patience", "0.0002, 6/2",
                       {"learning_rate": 2e-4, "epochs": 6, "patience": 2}, {}),
    "lr5e-5": ("learning_rate", "0.00005", {"learning_rate": 5e-5}, {}),
    "head1e-3": ("head_learning_rate", "0.001", {"head_learning_rate": 1e-3}, {}),
    "subword": ("units", "subword", {"units": "subword"}, {}),
    "dropout0": ("dropout", "0.0", {"dropout": 0.0}, {}),
    "batch32": ("batch_size", "32", {"batch_size": 32}, {}),
    "warmup0": ("warmup_ratio", "0.0", {"warmup_ratio": 0.0}, {}),
    "lr3e-4": ("learning_rate", "0.0003", {"learning_rate": 3e-4}, {}),
    "epochs10": ("epochs/patience", "10/3", {"epochs": 10, "patience": 3}, {}),
}


def default_settings(encoder: str = ENCODER, configfiles: tuple[str | Path, ...] = ()) -> tuple[dict[str, Any], dict[str, Any]]:
    """An encoder's training settings and spec, as the pipeline builds them from config.yaml + `configfiles`."""
    from clinical_ner.config import base_settings
    from clinical_ner.plan.encoders import encoder_spec
    from clinical_ner.workflow_config import layered_config

    config = layered_config(configfiles, base=ROOT / "config.yaml", check_paths=False)
    if encoder not in config["encoders"]:
        raise SystemExit(f"no encoder {encoder!r} in the configuration; it has {', '.join(config['encoders'])}")
    return base_settings(config, encoder), encoder_spec(config, encoder)


def variants_for(spec: dict[str, Any]) -> dict[str, Variant]:
    """The settings swept for an encoder: sizes too for one built from the training split."""
    from clinical_ner.models.encoders.spec import EncoderSpec

    return VARIANTS if EncoderSpec.from_dict(spec).is_scratch else PRETRAINED_VARIANTS


def unchanged(names: list[str], settings: dict[str, Any], variants: dict[str, Variant]) -> list[str]:
    """The settings of `names` other than the default that change none of the encoder's own `settings`."""
    from clinical_ner.models.train.settings import TrainSettings

    before = TrainSettings.from_dict(settings)
    return [name for name in names if name != "default" and not variants[name][3]
            and TrainSettings.from_dict({**settings, **variants[name][2]}) == before]


def run_one(name: str, seed: int, data: dict[str, Any], base: tuple[dict[str, Any], dict[str, Any]],
            threads: int, dev_dir: Path, tmp: Path) -> dict[str, Any]:
    """Train one variant with one seed on train (epoch kept on dev) and score its dev predictions."""
    from clinical_ner.labels import bio_labels
    from clinical_ner.models.encoders.spec import EncoderSpec
    from clinical_ner.models.tagger import Tagger
    from clinical_ner.models.train.job import train
    from clinical_ner.models.train.settings import TrainSettings

    factor, value, overrides, architecture = variants_for(base[1])[name]
    settings = TrainSettings.from_dict({**base[0], **overrides, "seed": seed, "threads": threads})
    spec = EncoderSpec.from_dict({**base[1], **architecture})
    _, train_sentences = data["train"]
    _, dev_sentences = data["dev"]
    started = time.perf_counter()
    out = tmp / f"{name}-{seed}"
    summary = train(spec, HEAD, bio_labels(PHEE_TYPES), settings, train_sentences, dev_sentences, out)
    spans = score_model(Tagger.load(out), dev_dir, tmp / f"{name}-{seed}-ann", PHEE_TYPES)
    return {"setting": name, "factor": factor, "value": value, "seed": seed,
            "dev_span_strict_micro_f1": spans["span_strict_micro_f1"],
            "dev_span_lenient_micro_f1": spans["span_lenient_micro_f1"],
            "dev_macro_bio_strict_f1": round(summary["best_val_macro_f1"], 4),
            "best_epoch": summary["best_epoch"], "epochs_run": summary["epochs_run"],
            "parameters": summary["parameters"]["total"], "seconds": round(time.perf_counter() - started, 1)}


def dev_folder(dev: Path, doc_ids: list[str], tmp: Path) -> Path:
    """`dev` itself, or (with `--limit`) a folder of links to the notes of `doc_ids` only."""
    if len(doc_ids) == len(list(dev.glob("*.txt"))):
        return dev
    folder = tmp / "dev"
    folder.mkdir()
    for doc_id in doc_ids:
        for suffix in (".txt", ".ann"):
            (folder / f"{doc_id}{suffix}").symlink_to((dev / f"{doc_id}{suffix}").resolve())
    return folder


def ranking(rows: list[dict[str, Any]]) -> list[tuple[str, float, float, float, int]]:
    """Per setting: mean dev strict span F1, lenient, macro BIO-strict F1 and seeds, best first."""
    by_setting: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_setting.setdefault(row["setting"], []).append(row)
    means = [(name, *(statistics.mean(r[k] for r in runs) for k in COLUMNS[4:7]), len(runs))
             for name, runs in by_setting.items()]
    return sorted(means, key=lambda m: -m[1])


def write_csv(path: Path, rows: list[dict[str, Any]], origin: dict[str, Any] | None = None) -> None:
    """The CSV, and beside it its provenance (`origin`: see record.provenance) when given."""
    from clinical_ner.atomic import atomic_open

    with atomic_open(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    if origin is not None:
        emit_sidecar(path, origin)


def sweep(names: list[str], seed: int, extra_seeds: list[int], top: int, run: Callable[[str, int], dict[str, Any]],
          save: Callable[[list[dict[str, Any]]], None], budget_seconds: float | None = None) -> list[dict[str, Any]]:
    """`names` in order with `seed` (after the first, those left once `budget_seconds` have passed are skipped
    and said so),
    then the `top` best (and the default) with each of `extra_seeds`."""
    rows: list[dict[str, Any]] = []

    def record(name: str, seed: int) -> None:
        rows.append(run(name, seed))
        save(rows)
        print(" ".join(f"{key}={rows[-1][key]}" for key in COLUMNS), flush=True)

    started = time.perf_counter()
    for k, name in enumerate(names):
        if k and budget_seconds is not None and time.perf_counter() - started > budget_seconds:
            print(f"time budget spent: skipped {', '.join(names[k:])}", flush=True)
            break
        record(name, seed)
    best = [m[0] for m in ranking(rows)][:top]
    for name in dict.fromkeys(["default", *best] if "default" in names else best):
        for extra in extra_seeds:
            record(name, extra)
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]] | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phee", type=Path, default=DEFAULT_PHEE)
    parser.add_argument("--encoder", default=ENCODER, help="an encoder of the configuration (default: %(default)s)")
    parser.add_argument("--configfile", action="append", default=[], type=Path,
                        help="config file layered over config.yaml (repeatable), e.g. config/phee.yaml")
    parser.add_argument("--settings", default=None, help="comma-separated names (default: all) from: "
                        + ", ".join(VARIANTS) + "; for a pre-trained encoder: " + ", ".join(PRETRAINED_VARIANTS))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--extra-seeds", default="43", help="seeds of the re-runs of the best settings")
    parser.add_argument("--top", type=int, default=2, help="settings re-run with the extra seeds (plus the default)")
    parser.add_argument("--budget-minutes", type=float, default=None,
                        help="start no new first-seed setting after this many minutes (the re-runs still run)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N documents of each part")
    parser.add_argument("--output", type=Path, required=True, help="the CSV, one row per run")
    args = parser.parse_args(argv)
    origin = provenance(__file__, argv)
    if not all((args.phee / part).is_dir() for part in ("train", "dev")):
        print(f"PHEE not found at {args.phee} (train/ and dev/ expected): nothing to do")
        return None
    base = default_settings(args.encoder, tuple(args.configfile))
    variants = variants_for(base[1])
    names = [n.strip() for n in (args.settings or ",".join(variants)).split(",") if n.strip()]
    unknown = [n for n in names if n not in variants]
    if unknown:
        parser.error(f"unknown settings {', '.join(unknown)} for {args.encoder}; expected names from: {', '.join(variants)}")
    same = unchanged(names, base[0], variants)
    if same:
        print(f"skipped, the same as {args.encoder}'s own settings: {', '.join(same)}", flush=True)
        names = [n for n in names if n not in same]

    from clinical_ner.models.device import set_threads

    set_threads(args.threads)
    data = read_phee(args.phee, ("train", "dev"), args.limit)
    print(f"{machine()}; load average {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="phee-sweep-") as tmp:
        dev_dir = dev_folder(args.phee / "dev", [doc.doc_id for doc in data["dev"][0]], Path(tmp))
        rows = sweep(names, args.seed, [int(s) for s in args.extra_seeds.split(",") if s.strip()], args.top,
                     lambda name, seed: run_one(name, seed, data, base, args.threads, dev_dir, Path(tmp)),
                     lambda done: write_csv(args.output, done, origin),
                     args.budget_minutes * 60 if args.budget_minutes is not None else None)
    print(f"load average {load_average()}")
    for name, strict, lenient, macro, n in ranking(rows):
        print(f"{name:>12}: dev strict {strict:.4f} lenient {lenient:.4f} macro BIO-strict {macro:.4f} ({n} seeds)")
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
