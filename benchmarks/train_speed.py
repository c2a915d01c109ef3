"""Training and inference speed of the from-scratch CRF tagger on a generated (local) corpus.

    python benchmarks/train_speed.py --layers 2 --dim 64 --heads 4 --hidden-dim 128 --epochs 2 \
        --threads 2 --output results/benchmarks/train_speed.json

Prints (and optionally writes) JSON with training and inference tokens/s (sub-word tokens, padding
excluded, and words), device, threads and sizes. Uses only the embedded synthetic corpus generator.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import emit, provenance


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-docs", type=int, default=20)
    parser.add_argument("--test-docs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--hidden-dim", type=int, default=128)
    parser.add_argument("--vocab-size", type=int, default=2000)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--head", choices=["crf", "apt"], default="crf")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--eval-batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default=None, help="cpu, cuda (default: auto)")
    parser.add_argument("--output", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    origin = provenance(__file__, argv)

    import torch

    from clinical_ner.corpus.synthetic import generate_corpus
    from clinical_ner.data.bio import encode_corpus
    from clinical_ner.data.brat import read_corpus
    from clinical_ner.data.report import CorpusReport
    from clinical_ner.labels import bio_labels
    from clinical_ner.models.encoders.spec import EncoderSpec
    from clinical_ner.models.tagger import Tagger
    from clinical_ner.models.train.job import train
    from clinical_ner.models.train.settings import TrainSettings

    with tempfile.TemporaryDirectory(prefix="train-speed-") as tmp:
        tmp_path = Path(tmp)
        generate_corpus(tmp_path / "corpus", args.train_docs, args.test_docs, args.seed)
        parts = {}
        for part in ("train", "test"):
            report = CorpusReport()
            parts[part] = encode_corpus(read_corpus(tmp_path / "corpus" / part, None, report), report)
        spec = EncoderSpec(
            "scratch", "scratch", n_layers=args.layers, dim=args.dim, n_heads=args.heads,
            hidden_dim=args.hidden_dim, vocab_size=args.vocab_size, max_position_embeddings=args.max_length,
        )
        settings = TrainSettings(
            learning_rate=args.learning_rate, epochs=args.epochs, batch_size=args.batch_size,
            seed=args.seed, max_length=args.max_length, threads=args.threads,
            eval_batch_size=args.eval_batch_size,
        )
        training_started = time.time()
        summary = train(spec, args.head, bio_labels(), settings, parts["train"], None, tmp_path / "model",
                        device=args.device)
        training_ended = time.time()
        import csv

        with open(tmp_path / "model" / "history.csv", newline="") as handle:
            history = list(csv.DictReader(handle))
        tagger = Tagger.load(tmp_path / "model", device=args.device)
        test = parts["test"]
        windows = tagger.windows(test)
        n_subwords = sum(len(w) for w in windows)
        n_words = sum(len(s.tokens) for s in test)
        tagger.predict(test[: args.eval_batch_size], batch_size=args.eval_batch_size)  # warm-up
        if tagger.device.type == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        tagger.predict(test, batch_size=args.eval_batch_size)
        if tagger.device.type == "cuda":
            torch.cuda.synchronize()
        inference_seconds = time.perf_counter() - started
    train_tps = [float(r["tokens_per_second"]) for r in history if r["tokens_per_second"]]
    result = {
        "device": summary["device"],
        "threads": torch.get_num_threads(),
        "head": args.head,
        "sizes": {
            "n_layers": args.layers, "dim": args.dim, "n_heads": args.heads, "hidden_dim": args.hidden_dim,
            "vocab_size": int(tagger.encoder.config.vocab_size),
            "max_length": args.max_length, "parameters": summary["parameters"],
        },
        "corpus": {
            "train_docs": args.train_docs, "train_sentences": summary["n_train_sentences"],
            "train_windows": summary["n_train_windows"], "test_sentences": len(test),
            "test_words": n_words, "test_subwords": n_subwords,
        },
        "training": {
            "epochs": args.epochs, "batch_size": args.batch_size, "seconds": summary["seconds"],
            "tokens_per_second_per_epoch": train_tps,
            "seconds_per_epoch": [float(r["seconds"]) for r in history],
            "tokens_per_second": round(max(train_tps), 1) if train_tps else None,
            "started_unix": round(training_started, 3), "ended_unix": round(training_ended, 3),
        },
        "inference": {
            "batch_size": args.eval_batch_size, "seconds": round(inference_seconds, 4),
            "tokens_per_second": round(n_subwords / inference_seconds, 1),
            "words_per_second": round(n_words / inference_seconds, 1),
        },
        "memory": {
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "peak_cuda_mb": round(torch.cuda.max_memory_allocated() / 2**20, 1) if torch.cuda.is_available() else None,
        },
    }
    return emit(result, args.output, provenance_=origin)


if __name__ == "__main__":
    main(sys.argv[1:])
