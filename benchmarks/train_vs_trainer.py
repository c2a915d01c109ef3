"""Our training loop against Hugging Face `Trainer` + `AutoModelForTokenClassification`, in one process.

    python benchmarks/train_vs_trainer.py --sizes distilbert:2,small --output results/train_vs_trainer.json

Both sides start from the same randomly initialised encoder (written once with `save_pretrained`, so
both load it by the same code path), train on the same windows of the embedded synthetic corpus with
the same batch size, epochs, learning rate, warm-up, weight decay, clipping and length bucketing, with
no validation and no checkpoints, and then tag the test sentences. Runs are interleaved (ours-apt,
theirs, ours-crf, repeated) so that machine load hits every side alike; the median over repeats is
reported. Printed: the ratio of our non-padding sub-word tokens/s over theirs (Apt head), the extra
time of our CRF head over Apt, and prediction sentences/s of each; the JSON names the machine (CPU,
cores, load average at start and end).

`--sizes NAME[:LAYERS],...`: `distilbert`, `bert-base` or `small` (4 x 256), optionally with fewer layers.
`--sides`: `apt`, `crf` (our loop, eager), `hf` (`Trainer`), and `apt+compile`, `crf+compile`,
`crf+cudagraphs` (our loop with the training setting `compile: true` or `compile: cudagraphs`). With two
or more epochs each side's steady rate (its last epoch: a compile happens in the first) is reported beside
the overall one, and the ratio of every side's steady rate over `Trainer`'s. A side that fails is recorded
with its error and the others still run.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hf_baseline import (
    ARCHITECTURES,
    EncoderSize,
    HFSettings,
    add_training_options,
    hf_examples,
    hf_predict,
    hf_trainer,
    peak_gpu_mb,
    reset_peak_gpu_memory,
    timer,
    write_random_encoder,
)
from record import emit, load_average, machine, provenance

from clinical_ner.models.train.settings import COMPILE_MODES


def parse_size(text: str, vocab_size: int, max_length: int) -> tuple[str, EncoderSize]:
    name, _, layers = text.partition(":")
    if name not in ARCHITECTURES:
        raise SystemExit(f"unknown size {name!r}; expected one of {', '.join(ARCHITECTURES)}")
    size = EncoderSize.named(name, n_layers=int(layers) if layers else None, vocab_size=vocab_size,
                             max_length=max_length)
    return text, size


def corpus(folder: Path, train_docs: int, test_docs: int, seed: int) -> dict[str, list[Any]]:
    from clinical_ner.corpus.synthetic import generate_corpus
    from clinical_ner.data.bio import encode_corpus
    from clinical_ner.data.brat import read_corpus
    from clinical_ner.data.report import CorpusReport

    generate_corpus(folder, train_docs, test_docs, seed)
    parts = {}
    for part in ("train", "test"):
        report = CorpusReport()
        sentences = encode_corpus(read_corpus(folder / part, None, report), report)
        parts[part] = [s for s in sentences if s.tokens]
    return parts


COMPILE_SUFFIXES: dict[str, bool | str] = {"compile" if mode is True else mode or "": mode for mode in COMPILE_MODES}
"""A side's suffix -> its `compile` setting: "" (eager) False, "compile" True, "cudagraphs" "cudagraphs"."""


def parse_side(text: str) -> tuple[str, bool | str]:
    """`crf+cudagraphs` -> ("crf", "cudagraphs"): our head and its `compile` setting."""
    head, _, suffix = text.partition("+")
    if head not in ("apt", "crf") or suffix not in COMPILE_SUFFIXES:
        raise SystemExit(f"unknown side {text!r}; expected hf, or apt/crf optionally with "
                         f"+{', +'.join(k for k in COMPILE_SUFFIXES if k)}")
    return head, COMPILE_SUFFIXES[suffix]


def run_ours(side: str, encoder_dir: Path, data: dict[str, list[Any]], args: argparse.Namespace,
             out_dir: Path) -> dict[str, Any]:
    from clinical_ner.labels import bio_labels
    from clinical_ner.models.encoders.spec import EncoderSpec
    from clinical_ner.models.tagger import Tagger
    from clinical_ner.models.train.job import train
    from clinical_ner.models.train.settings import TrainSettings

    head, compile_mode = parse_side(side)
    settings = TrainSettings(
        learning_rate=args.learning_rate, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
        max_length=args.max_length, threads=args.threads, eval_batch_size=args.eval_batch_size, patience=0,
        compile=compile_mode,
    )
    spec = EncoderSpec("bench", str(encoder_dir))
    times: dict[str, float] = {}
    with timer(times, "train_call"):
        summary = train(spec, head, bio_labels(), settings, data["train"], None, out_dir, device=args.device)
    with open(out_dir / "history.csv", newline="") as handle:
        history = list(csv.DictReader(handle))
    tagger = Tagger.load(out_dir, device=args.device)
    with timer(times, "predict"):
        tagger.predict(data["test"], batch_size=args.eval_batch_size)
    return {
        "side": f"ours-{side}", "train_seconds": sum(float(r["seconds"]) for r in history),
        "epoch_seconds": [float(r["seconds"]) for r in history],
        "train_call_seconds": times["train_call"], "train_call_cpu_seconds": times["train_call_cpu"],
        "predict_seconds": times["predict"], "predict_cpu_seconds": times["predict_cpu"],
        "final_train_loss": float(history[-1]["train_loss"]), "parameters": summary["parameters"]["total"],
    }


def run_theirs(encoder_dir: Path, data: dict[str, list[Any]], args: argparse.Namespace,
               out_dir: Path) -> dict[str, Any]:
    from transformers import AutoTokenizer

    from clinical_ner.labels import bio_labels
    from clinical_ner.models.device import pick_device, set_threads
    from clinical_ner.models.units.alignment import make_windows

    set_threads(args.threads)
    labels = bio_labels()
    device = str(pick_device(args.device))
    settings = HFSettings(args.learning_rate, args.epochs, args.batch_size, args.eval_batch_size, args.seed)
    times: dict[str, float] = {}
    with timer(times, "train_call"):
        tokenizer = AutoTokenizer.from_pretrained(encoder_dir, local_files_only=True)
        ids = [[labels.index(t) for t in s.tags] for s in data["train"]]
        windows = make_windows(tokenizer, data["train"], args.max_length, ids)
        trainer = hf_trainer(encoder_dir, labels, hf_examples(windows), settings, out_dir, device)
        with timer(times, "train"):
            output = trainer.train()
    with timer(times, "predict"):
        hf_predict(trainer, tokenizer, data["test"], args.max_length, labels)
    return {
        "side": "hf-trainer", "train_seconds": times["train"], "train_call_seconds": times["train_call"],
        "train_call_cpu_seconds": times["train_call_cpu"], "predict_seconds": times["predict"],
        "predict_cpu_seconds": times["predict_cpu"], "final_train_loss": float(output.training_loss),
        "parameters": sum(p.numel() for p in trainer.model.parameters()),
    }


def summarise(runs: list[dict[str, Any]], train_tokens: int, epochs: int, test_sentences: int) -> dict[str, Any]:
    """Medians over repeats per side (failed runs left out and counted); ratios of ours over theirs.

    A side's steady rate is that of its last epoch when there are two or more and the side records its
    epochs (ours; `Trainer`'s first epoch compiles nothing, so its overall rate stands for it)."""
    sides: dict[str, dict[str, Any]] = {}
    for side in dict.fromkeys(r["side"] for r in runs):
        mine = [r for r in runs if r["side"] == side and "error" not in r]
        failed = sum(1 for r in runs if r["side"] == side and "error" in r)
        if not mine:
            sides[side] = {"failed_runs": failed}
            continue
        train_s = statistics.median(r["train_seconds"] for r in mine)
        predict_s = statistics.median(r["predict_seconds"] for r in mine)
        steady_s = train_s / epochs
        if epochs >= 2 and all(r.get("epoch_seconds") for r in mine):
            steady_s = statistics.median(r["epoch_seconds"][-1] for r in mine)
        sides[side] = {
            "train_tokens_per_second": round(train_tokens * epochs / train_s, 1),
            "steady_train_tokens_per_second": round(train_tokens / steady_s, 1),
            "first_epoch_extra_seconds": round(max(0.0, train_s - epochs * steady_s), 3),
            "predict_sentences_per_second": round(test_sentences / predict_s, 1),
            "train_seconds_median": round(train_s, 3), "steady_epoch_seconds_median": round(steady_s, 3),
            "predict_seconds_median": round(predict_s, 3),
            "train_call_cpu_seconds_median": round(statistics.median(r["train_call_cpu_seconds"] for r in mine), 3),
            "failed_runs": failed,
        }
    measured = {side: values for side, values in sides.items() if "train_seconds_median" in values}
    result: dict[str, Any] = {"sides": sides}
    if "ours-apt" in measured and "hf-trainer" in measured:
        ours, theirs = measured["ours-apt"], measured["hf-trainer"]
        result["train_ratio_apt_over_trainer"] = round(
            ours["train_tokens_per_second"] / theirs["train_tokens_per_second"], 3)
        result["train_call_cpu_ratio_trainer_over_apt"] = round(
            theirs["train_call_cpu_seconds_median"] / ours["train_call_cpu_seconds_median"], 3)
        result["predict_ratio_apt_over_trainer"] = round(
            ours["predict_sentences_per_second"] / theirs["predict_sentences_per_second"], 3)
    if "hf-trainer" in measured:
        theirs = measured["hf-trainer"]["steady_train_tokens_per_second"]
        result["steady_ratio_over_trainer"] = {
            side: round(values["steady_train_tokens_per_second"] / theirs, 3)
            for side, values in measured.items() if side != "hf-trainer"}
    if "ours-apt" in measured and "ours-crf" in measured:
        result["crf_train_time_over_apt"] = round(
            measured["ours-crf"]["train_seconds_median"] / measured["ours-apt"]["train_seconds_median"], 3)
        result["crf_predict_time_over_apt"] = round(
            measured["ours-crf"]["predict_seconds_median"] / measured["ours-apt"]["predict_seconds_median"], 3)
    return result


def bench_size(label: str, size: EncoderSize, data: dict[str, list[Any]], args: argparse.Namespace,
               tmp: Path) -> dict[str, Any]:
    from transformers import AutoTokenizer

    from clinical_ner.models.units.alignment import make_windows

    encoder_dir = write_random_encoder(tmp / label / "encoder", size, data["train"], args.seed)
    tokenizer = AutoTokenizer.from_pretrained(encoder_dir, local_files_only=True)
    train_windows = make_windows(tokenizer, data["train"], args.max_length)
    train_tokens = sum(len(w) for w in train_windows)
    runs: list[dict[str, Any]] = []
    for repeat in range(args.repeats):
        for side in args.sides:
            out = tmp / label / f"{side}-{repeat}"
            reset_peak_gpu_memory()
            try:
                run = run_theirs(encoder_dir, data, args, out) if side == "hf" else run_ours(side, encoder_dir, data, args, out)
            except Exception as error:  # one side failing (e.g. a compile) loses none of the others
                runs.append({"side": "hf-trainer" if side == "hf" else f"ours-{side}", "repeat": repeat,
                             "error": f"{type(error).__name__}: {error}"[:2000]})
                print(f"[{label}] {runs[-1]['side']} repeat {repeat}: FAILED {runs[-1]['error'][:300]}", flush=True)
                continue
            run["repeat"] = repeat
            run["seconds_per_epoch"] = run["train_seconds"] / args.epochs
            run["peak_gpu_mb"] = peak_gpu_mb()
            runs.append({k: (round(v, 4) if isinstance(v, float) else v) for k, v in run.items()})
            print(f"[{label}] {run['side']} repeat {repeat}: train {run['train_seconds']:.2f} s, "
                  f"predict {run['predict_seconds']:.2f} s, loss {run['final_train_loss']:.4f}", flush=True)
    return {
        "size": label, "encoder": size.__dict__ | {"vocab_size": len(tokenizer)},
        "corpus": {"train_sentences": len(data["train"]), "train_windows": len(train_windows),
                   "train_subword_tokens": train_tokens, "test_sentences": len(data["test"])},
        "runs": runs,
        "summary": summarise(runs, train_tokens, args.epochs, len(data["test"])),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="distilbert:2,small", help="NAME[:LAYERS],... (comma-separated)")
    parser.add_argument("--sides", default="apt,hf,crf",
                        help="interleaving order: apt, hf, crf, apt+compile, crf+compile, crf+cudagraphs")
    parser.add_argument("--train-docs", type=int, default=30)
    parser.add_argument("--test-docs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    add_training_options(parser, vocab_size=8000, max_length=512, epochs=2, batch_size=16, learning_rate=5e-5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default=None, help="cpu, cuda (default: auto)")
    args = parser.parse_args(argv)
    origin = provenance(__file__, argv)
    args.sides = [s.strip() for s in args.sides.split(",") if s.strip()]
    for side in args.sides:
        if side != "hf":
            parse_side(side)
    sizes = [parse_size(s.strip(), args.vocab_size, args.max_length) for s in args.sizes.split(",") if s.strip()]

    from clinical_ner.models.device import describe, pick_device, set_threads

    set_threads(args.threads)
    result: dict[str, Any] = {"benchmark": "train_vs_trainer", "machine": machine(),
                              "device": describe(pick_device(args.device)), "load_average_start": load_average()}
    with tempfile.TemporaryDirectory(prefix="train-vs-trainer-") as tmp_name:
        tmp = Path(tmp_name)
        data = corpus(tmp / "corpus", args.train_docs, args.test_docs, args.seed)
        result["settings"] = {k: v for k, v in vars(args).items() if k != "output"}
        result["sizes"], result["complete"] = [], False
        for label, size in sizes:  # the file after each size: a run stopped by a time limit keeps those done
            result["sizes"].append(bench_size(label, size, data, args, tmp))
            if args.output and len(result["sizes"]) < len(sizes):
                emit({**result, "load_average_end": load_average()}, args.output, echo=False, provenance_=origin)
    result["complete"] = True
    result["load_average_end"] = load_average()
    for entry in result["sizes"]:
        summary = entry["summary"]
        print(f"[{entry['size']}] ours/Trainer train tokens/s (apt): {summary.get('train_ratio_apt_over_trainer')}"
              f"  predict sentences/s: {summary.get('predict_ratio_apt_over_trainer')}"
              f"  CRF time/Apt time: train {summary.get('crf_train_time_over_apt')},"
              f" predict {summary.get('crf_predict_time_over_apt')}"
              f"  steady tokens/s over Trainer's: {summary.get('steady_ratio_over_trainer')}")
    return emit(result, args.output, echo=False, provenance_=origin)


if __name__ == "__main__":
    main(sys.argv[1:])
