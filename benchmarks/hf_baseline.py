"""What a user would write with Hugging Face instead of this package: `AutoModelForTokenClassification`
trained by `Trainer` (first sub-word labelled, the others -100, `DataCollatorForTokenClassification`,
`train_sampling_strategy="group_by_length"`), and the shared pieces of the comparison benchmarks:
a randomly initialised encoder written with `save_pretrained` (so both sides start from the same weights
by the same code path), machine description and timers.

Imported by `train_vs_trainer.py` and `hf_parity_phee.py` (run from the repository root as
``python benchmarks/<script>.py``); needs `accelerate` (the `dev` extra), which `Trainer` requires.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

IGNORE = -100

# Encoder sizes: "distilbert" and "bert-base" are those of distilbert-base-cased and bert-base-cased.
ARCHITECTURES: dict[str, dict[str, Any]] = {
    "distilbert": {"family": "distilbert", "n_layers": 6, "dim": 768, "n_heads": 12, "hidden_dim": 3072},
    "bert-base": {"family": "bert", "n_layers": 12, "dim": 768, "n_heads": 12, "hidden_dim": 3072},
    "small": {"family": "distilbert", "n_layers": 4, "dim": 256, "n_heads": 4, "hidden_dim": 1024},
}


@dataclass
class EncoderSize:
    family: str            # "distilbert" | "bert"
    n_layers: int
    dim: int
    n_heads: int
    hidden_dim: int
    vocab_size: int = 28996
    max_length: int = 512

    @classmethod
    def named(cls, name: str, **overrides: Any) -> EncoderSize:
        values = dict(ARCHITECTURES[name])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def add_training_options(parser: argparse.ArgumentParser, *, vocab_size: int, max_length: int, epochs: int,
                         batch_size: int, learning_rate: float) -> None:
    """The training options both sides of a comparison share, and `--threads` and `--output`."""
    parser.add_argument("--vocab-size", type=int, default=vocab_size)
    parser.add_argument("--max-length", type=int, default=max_length)
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--eval-batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=learning_rate)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None, help="also write the JSON here")


@contextmanager
def timer(result: dict[str, float], key: str = "seconds") -> Iterator[None]:
    """Wall time of the block (CUDA synchronised) into ``result[key]``, and the CPU time of this process
    (all threads) into ``result[key + "_cpu"]``."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()
    started, cpu = time.perf_counter(), time.process_time()
    yield
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    result[key] = time.perf_counter() - started
    result[key + "_cpu"] = time.process_time() - cpu


def reset_peak_gpu_memory() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()


def peak_gpu_mb() -> float | None:
    """Peak GPU memory allocated by torch since the last reset, in MiB (None without CUDA)."""
    import torch

    return round(torch.cuda.max_memory_allocated() / 2**20, 1) if torch.cuda.is_available() else None


def write_random_encoder(folder: Path, size: EncoderSize, train_sentences: Sequence[Any], seed: int) -> Path:
    """A randomly initialised (seeded) encoder of `size` with the package's deterministic WordPiece
    vocabulary trained on `train_sentences`, written with `save_pretrained` to `folder`."""
    import torch
    from transformers import BertConfig, BertModel, DistilBertConfig, DistilBertModel

    from clinical_ner.models.encoders.pretrained import quiet_transformers
    from clinical_ner.models.encoders.wordpiece import train_wordpiece

    tokenizer = train_wordpiece(train_sentences, size.vocab_size, max_length=size.max_length)
    common = {"vocab_size": len(tokenizer), "max_position_embeddings": size.max_length,
              "pad_token_id": tokenizer.pad_token_id}
    if size.family == "distilbert":
        config = DistilBertConfig(dim=size.dim, n_layers=size.n_layers, n_heads=size.n_heads,
                                  hidden_dim=size.hidden_dim, **common)
        model_class: Any = DistilBertModel
    elif size.family == "bert":
        config = BertConfig(hidden_size=size.dim, num_hidden_layers=size.n_layers,
                            num_attention_heads=size.n_heads, intermediate_size=size.hidden_dim, **common)
        model_class = BertModel
    else:
        raise ValueError(f"unknown encoder family {size.family!r}")
    torch.manual_seed(seed)
    with quiet_transformers():
        model = model_class(config)
        folder.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    return folder


def hf_examples(windows: Sequence[Any]) -> list[dict[str, list[int]]]:
    """Trainer examples from the package's windows (the very same sub-word ids): the label of each word on
    its first sub-word, -100 everywhere else (special tokens and continuation sub-words)."""
    examples = []
    for window in windows:
        labels = [IGNORE] * len(window.input_ids)
        if window.labels is not None:
            for position, label in zip(window.first_positions, window.labels):
                labels[position] = label
        examples.append({"input_ids": list(window.input_ids), "attention_mask": [1] * len(window.input_ids),
                         "labels": labels})
    return examples


@dataclass
class HFSettings:
    learning_rate: float
    epochs: int
    batch_size: int
    eval_batch_size: int
    seed: int
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0


def hf_trainer(encoder_dir: Path, labels: Sequence[str], examples: list[dict[str, list[int]]],
               settings: HFSettings, out_dir: Path, device: str, head_init: str = "hf") -> Any:
    """`AutoModelForTokenClassification.from_pretrained(encoder_dir)` (new linear head, seeded) and a
    `Trainer` with the same optimiser settings as the package (AdamW, linear warm-up, clipping), no
    evaluation, no checkpoints, bf16 on CUDA. The head's dropout is the architecture's (0.1), as ours.

    `head_init`: ``hf`` keeps Hugging Face's initialisation of the new classifier (normal, std 0.02);
    ``torch`` re-initialises it as PyTorch's `nn.Linear` does (the package's head), seeded."""
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        PrinterCallback,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    from clinical_ner.models.encoders.pretrained import quiet_transformers

    cuda = device.startswith("cuda")
    set_seed(settings.seed)
    with quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(encoder_dir, local_files_only=True)
        model = AutoModelForTokenClassification.from_pretrained(
            encoder_dir, local_files_only=True, num_labels=len(labels),
            id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)},
        )
    if head_init == "torch":
        import torch

        torch.manual_seed(settings.seed)
        model.classifier.reset_parameters()
    elif head_init != "hf":
        raise ValueError(f"unknown head_init {head_init!r}; expected hf or torch")
    args = TrainingArguments(
        output_dir=str(out_dir), num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size, per_device_eval_batch_size=settings.eval_batch_size,
        learning_rate=settings.learning_rate, weight_decay=settings.weight_decay,
        warmup_steps=settings.warmup_ratio, max_grad_norm=settings.max_grad_norm, lr_scheduler_type="linear",
        train_sampling_strategy="group_by_length", seed=settings.seed, data_seed=settings.seed,
        eval_strategy="no", save_strategy="no", logging_strategy="no", report_to="none",
        disable_tqdm=True, dataloader_num_workers=0, use_cpu=not cuda, bf16=cuda,
    )
    with quiet_transformers():
        trainer = Trainer(model=model, args=args, train_dataset=examples,
                          data_collator=DataCollatorForTokenClassification(tokenizer), processing_class=tokenizer)
    trainer.remove_callback(PrinterCallback)
    return trainer


def hf_predict(trainer: Any, tokenizer: Any, sentences: Sequence[Any], max_length: int,
               labels: Sequence[str]) -> list[list[str]]:
    """Word tags the way a Trainer user gets them: windows -> `Trainer.predict` -> arg-max at each word's
    first sub-word (long sentences split into windows by the package's `make_windows`, as on our side)."""
    import numpy as np

    from clinical_ner.models.units.alignment import make_windows, reassemble

    windows = make_windows(tokenizer, sentences, max_length)
    # with train_sampling_strategy="group_by_length", Trainer also length-groups (and so shuffles) the
    # prediction batches, and predict() returns them in that order: predict in the given order
    grouped, trainer.args.train_sampling_strategy = trainer.args.train_sampling_strategy, "sequential"
    try:
        output = trainer.predict(hf_examples(windows))
    finally:
        trainer.args.train_sampling_strategy = grouped
    logits = output.predictions
    preds = []
    for row, window in enumerate(windows):
        best = np.asarray(logits[row]).argmax(-1)
        preds.append([int(best[p]) for p in window.first_positions])
    ids = reassemble(windows, preds, [len(s.tokens) for s in sentences])
    return [[labels[i] for i in row] for row in ids]
