"""Accuracy parity with Hugging Face on the real PHEE corpus: our Apt tagger against
`AutoModelForTokenClassification` trained by `Trainer`, same encoder, data, epochs, batch size, learning
rate and schedule, several seeds each; test scores compared with the spread over seeds.

    python benchmarks/hf_parity_phee.py --output benchmarks/results/hf_parity_phee.json

For each seed a DistilBERT-architecture encoder (sizes below, random weights, the package's
deterministic WordPiece vocabulary trained on PHEE train) is written once; both sides load it, train on
PHEE train for a fixed number of epochs (no validation, last epoch kept) and tag PHEE test. Scores:
token-level macro-F1 (B-/I- merged, `O` included, as in the study), token-level micro-F1 over the entity
types (`O` left out), and strict and lenient micro span F1 (entities decoded from the BIO tags of the
prepared test sentences). Our side is scored with the arg-max decoding the Trainer user gets
(`decoding: unconstrained`) and with the package's default, constrained (valid IOB2) decoding; the Apt
head's training does not depend on the decoding, so one training serves both.
PHEE is read from `--phee` (default `../shared/data/phee` beside the repository); when it is absent the
script says so and exits 0 without writing anything.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hf_baseline import (
    EncoderSize,
    HFSettings,
    add_training_options,
    hf_examples,
    hf_predict,
    hf_trainer,
    timer,
    write_random_encoder,
)
from record import emit, load_average, machine, provenance

from clinical_ner.config import read_config_file

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PHEE = ROOT.parent / "shared" / "data" / "phee"
PHEE_LABEL_MAP: dict[str, str] = read_config_file(ROOT / "config" / "phee.yaml")["corpus"]["label_map"]  # one source
PHEE_TYPES = sorted(set(PHEE_LABEL_MAP.values()))
SCORE_KEYS = ("token_macro_f1", "token_micro_f1_entities", "span_strict_micro_f1", "span_lenient_micro_f1")


def read_phee(folder: Path, parts: tuple[str, ...] = ("train", "test"),
              limit: int | None = None) -> dict[str, tuple[list[Any], list[Any]]]:
    """Per part: (documents, non-empty sentences); with `limit`, the first `limit` documents only."""
    from clinical_ner.data.bio import encode_corpus
    from clinical_ner.data.brat import read_corpus
    from clinical_ner.data.report import CorpusReport

    data = {}
    for part in parts:
        report = CorpusReport(source=part)
        docs = read_corpus(folder / part, PHEE_LABEL_MAP, report)[:limit]
        data[part] = (docs, [s for s in encode_corpus(docs, report) if s.tokens])
    return data


def score(docs: list[Any], sentences: list[Any], pred: list[list[str]], types: list[str]) -> dict[str, float]:
    """Token-level and micro span scores of predicted tags against the sentences' gold tags."""
    from clinical_ner.data.bio import decode_sentences
    from clinical_ner.data.records import Document
    from clinical_ner.evaluation.metrics import classification_report_frame, to_token_level, token_level
    from clinical_ner.evaluation.spans import score_documents

    rows = [{"doc_id": s.doc_id, "sent": s.index, "tokens": s.tokens, "tags": s.tags, "pred": p}
            for s, p in zip(sentences, pred)]
    token = token_level(rows, types)
    gold_tokens, pred_tokens = to_token_level([s.tags for s in sentences]), to_token_level(pred)
    entities_only = classification_report_frame(gold_tokens, pred_tokens, sorted(types))
    by_doc: dict[str, list[int]] = {}
    for k, sentence in enumerate(sentences):
        by_doc.setdefault(sentence.doc_id, []).append(k)
    gold_docs, pred_docs = [], []
    for doc in docs:
        ks = by_doc.get(doc.doc_id, [])
        doc_sentences = [sentences[k] for k in ks]
        gold_docs.append(Document(doc.doc_id, doc.text, decode_sentences(doc.doc_id, doc.text, doc_sentences)))
        pred_docs.append(Document(doc.doc_id, doc.text, decode_sentences(
            doc.doc_id, doc.text, doc_sentences, [pred[k] for k in ks])))
    spans = score_documents(gold_docs, pred_docs, types).set_index(["mode", "label"])
    return {
        "token_macro_f1": round(float(token.loc["macro avg", "f1"]), 4),
        "token_micro_f1_entities": round(float(entities_only.loc["micro avg", "f1"]), 4),
        "span_strict_micro_f1": round(float(spans.loc[("strict", "micro avg"), "f1"]), 4),
        "span_lenient_micro_f1": round(float(spans.loc[("lenient", "micro avg"), "f1"]), 4),
        "predicted_entities": int(spans.loc[("strict", "micro avg"), ["tp", "fp"]].sum()),
        "gold_entities": int(spans.loc[("strict", "micro avg"), ["tp", "fn"]].sum()),
    }


def predict_ours(tagger: Any, sentences: list[Any], batch_size: int, decoding: str) -> list[list[str]]:
    """Tags with the Apt head decoding by arg-max (``unconstrained``) or by constrained Viterbi."""
    tagger.head.constrained = decoding == "constrained"
    return tagger.predict(sentences, batch_size=batch_size)


def run_seed(seed: int, data: dict[str, Any], labels: list[str], types: list[str], args: argparse.Namespace,
             tmp: Path) -> list[dict[str, Any]]:
    from transformers import AutoTokenizer

    from clinical_ner.models.device import set_threads
    from clinical_ner.models.encoders.spec import EncoderSpec
    from clinical_ner.models.tagger import Tagger
    from clinical_ner.models.train.job import train
    from clinical_ner.models.train.settings import TrainSettings
    from clinical_ner.models.units.alignment import make_windows

    _, train_sentences = data["train"]
    test_docs, test_sentences = data["test"]
    size = EncoderSize("distilbert", args.layers, args.dim, args.heads, args.hidden_dim, args.vocab_size,
                       args.max_length)
    encoder_dir = write_random_encoder(tmp / f"encoder-{seed}", size, train_sentences, seed)
    common = dict(learning_rate=args.learning_rate, epochs=args.epochs, batch_size=args.batch_size, seed=seed,
                  warmup_ratio=args.warmup_ratio)
    results = []
    times: dict[str, float] = {}
    if "ours" in args.sides:
        with timer(times, "ours"):
            summary = train(EncoderSpec("phee", str(encoder_dir)), "apt", labels,
                            TrainSettings(**common, max_length=args.max_length, threads=args.threads,
                                          eval_batch_size=args.eval_batch_size, patience=0, decoding="constrained"),
                            train_sentences, None, tmp / f"ours-{seed}")
        tagger = Tagger.load(tmp / f"ours-{seed}")
        for decoding in ("unconstrained", "constrained"):
            pred = predict_ours(tagger, test_sentences, args.eval_batch_size, decoding)
            results.append({"side": f"ours-apt-{decoding}", "seed": seed, "train_seconds": round(times["ours"], 1),
                            "parameters": summary["parameters"]["total"],
                            **score(test_docs, test_sentences, pred, types)})
    set_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(encoder_dir, local_files_only=True)
    label_ids = {label: i for i, label in enumerate(labels)}
    windows = make_windows(tokenizer, train_sentences, args.max_length,
                           [[label_ids[t] for t in s.tags] for s in train_sentences])
    settings = HFSettings(args.learning_rate, args.epochs, args.batch_size, args.eval_batch_size, seed,
                          warmup_ratio=args.warmup_ratio)
    for side, head_init in (("hf-trainer", "hf"), ("hf-trainer-torch-head-init", "torch")):
        if side not in args.sides:
            continue
        trainer = hf_trainer(encoder_dir, labels, hf_examples(windows), settings, tmp / f"{side}-{seed}", "cpu",
                             head_init=head_init)
        with timer(times, side):
            trainer.train()
        pred = hf_predict(trainer, tokenizer, test_sentences, args.max_length, labels)
        results.append({"side": side, "seed": seed, "train_seconds": round(times[side], 1),
                        "parameters": sum(p.numel() for p in trainer.model.parameters()),
                        **score(test_docs, test_sentences, pred, types)})
    for row in results:
        print(f"seed {seed} {row['side']}: " + ", ".join(f"{k}={row[k]}" for k in SCORE_KEYS), flush=True)
    return results


def compare(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per side and score: mean, standard deviation and range over seeds; per score the difference of our
    arg-max (unconstrained) side from the Trainer's, in units of the larger seed standard deviation."""
    sides: dict[str, dict[str, Any]] = {}
    for side in dict.fromkeys(r["side"] for r in runs):
        mine = [r for r in runs if r["side"] == side]
        sides[side] = {}
        for key in SCORE_KEYS:
            values = [r[key] for r in mine]
            sides[side][key] = {"mean": round(statistics.mean(values), 4),
                                "stdev": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
                                "min": min(values), "max": max(values)}
    result: dict[str, Any] = {"sides": sides}
    if "ours-apt-unconstrained" in sides:
        for other in (side for side in sides if side.startswith("hf-trainer")):
            gaps = {}
            for key in SCORE_KEYS:
                ours, theirs = sides["ours-apt-unconstrained"][key], sides[other][key]
                noise = max(ours["stdev"], theirs["stdev"])
                gaps[key] = {"ours_minus_trainer": round(ours["mean"] - theirs["mean"], 4),
                             "in_seed_stdevs": round((ours["mean"] - theirs["mean"]) / noise, 2) if noise else None}
            result[f"ours_unconstrained_minus_{other}"] = gaps
    return result


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phee", type=Path, default=DEFAULT_PHEE)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--heads", type=int, default=2)
    parser.add_argument("--hidden-dim", type=int, default=512)
    add_training_options(parser, vocab_size=3000, max_length=128, epochs=6, batch_size=32, learning_rate=1e-3)
    parser.add_argument("--warmup-ratio", type=float, default=0.1)
    parser.add_argument("--sides", default="ours,hf-trainer,hf-trainer-torch-head-init",
                        help="ours, hf-trainer (HF's head initialisation), hf-trainer-torch-head-init")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N documents of each part")
    args = parser.parse_args(argv)
    origin = provenance(__file__, argv)
    args.sides = [s.strip() for s in args.sides.split(",") if s.strip()]
    if not (args.phee / "train").is_dir() or not (args.phee / "test").is_dir():
        print(f"PHEE not found at {args.phee} (train/ and test/ expected): nothing to do")
        return None

    from clinical_ner.labels import bio_labels
    from clinical_ner.models.device import set_threads

    set_threads(args.threads)
    result: dict[str, Any] = {"benchmark": "hf_parity_phee", "machine": machine(),
                              "load_average_start": load_average()}
    data = read_phee(args.phee, limit=args.limit)
    types = PHEE_TYPES
    labels = bio_labels(types)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="hf-parity-") as tmp:
        runs = [row for seed in seeds for row in run_seed(seed, data, labels, types, args, Path(tmp))]
    result.update({
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "output"},
        "corpus": {part: {"documents": len(docs), "sentences": len(sents)} for part, (docs, sents) in data.items()},
        "runs": runs, "comparison": compare(runs), "load_average_end": load_average(),
    })
    for name, gaps in result["comparison"].items():
        for key, gap in gaps.items() if name.startswith("ours_") else ():
            print(f"{name} {key}: {gap['ours_minus_trainer']:+.4f} ({gap['in_seed_stdevs']} seed stdevs)")
    return emit(result, args.output, echo=False, provenance_=origin)


if __name__ == "__main__":
    main(sys.argv[1:])
