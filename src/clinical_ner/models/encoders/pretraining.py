"""Masked-language-model pre-training done by the pipeline: the tiny local stand-in encoders (built and
briefly pre-trained on the training split: NOT pre-trained models) and task-adaptive pre-training
(continued masked-LM from a real checkpoint on the training split's text, as BioBERT and ClinicalBERT
continued BERT's on in-domain text).

Both write a ``save_pretrained`` folder with a note (``STAND_IN.json`` or ``ADAPTED.json``) and a README
that say what the folder is; `encoder_note` reads them back for the model card. One masked-LM loop
(`train_masked_lm`) serves both: BERT masking, loss on the masked positions only, seeded batches.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from clinical_ner.atomic import atomic_write_text
from clinical_ner.data.records import words_of
from clinical_ner.models.device import autocast, backward_step, grad_scaler, to_device
from clinical_ner.models.encoders.kinds import ADAPTED_NOTE, STAND_IN_NOTE
from clinical_ner.models.encoders.pretrained import load_pretrained, quiet_transformers
from clinical_ner.models.encoders.spec import WordLists
from clinical_ner.models.encoders.wordpiece import train_wordpiece


def _mask_tokens(
    input_ids: torch.Tensor, special: torch.Tensor, mask_id: int, vocab_size: int, generator: torch.Generator,
    probability: float = 0.15,
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT masking: `probability` of the non-special positions; of those 80% [MASK], 10% random, 10% kept.
    Labels are -100 everywhere else, so the loss is on the chosen positions only."""
    labels = input_ids.clone()
    chosen = (torch.rand(input_ids.shape, generator=generator) < probability) & ~special
    labels[~chosen] = -100
    inputs = input_ids.clone()
    roll = torch.rand(input_ids.shape, generator=generator)
    inputs[chosen & (roll < 0.8)] = mask_id
    randomised = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[randomised] = torch.randint(vocab_size, input_ids.shape, generator=generator)[randomised]
    return inputs, labels


def masked_lm_loss(mlm: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy over the masked positions only. For BERT-family models (an encoder plus a ``cls``
    prediction head) the vocabulary projection runs on those positions alone, not on every position."""
    head = getattr(mlm, "cls", None)
    if head is None:
        return mlm(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
    hidden = mlm.base_model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
    chosen = labels != -100
    logits = head(hidden[chosen])
    return torch.nn.functional.cross_entropy(logits.float(), labels[chosen])


def train_masked_lm(
    mlm: Any, tokenizer: Any, word_lists: Sequence[Sequence[str]], steps: int, seed: int, *,
    batch_size: int = 16, learning_rate: float = 5e-4, max_length: int = 64, mask_rate: float = 0.15,
    device: torch.device | None = None, log: Callable[[str], None] | None = None,
) -> list[float]:
    """`steps` AdamW steps of masked-LM on batches of `word_lists` drawn with `seed`; returns the losses.

    A batch whose masking chose no position is skipped (it still counts as a step). The losses stay on the
    device until a progress line or the end reads them (no host-device wait per step)."""
    rng = random.Random(seed)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(mlm.parameters(), lr=learning_rate, weight_decay=0.01)
    device = device or torch.device("cpu")
    mlm.to(device).train()
    scaler = grad_scaler(device)
    losses: list[torch.Tensor] = []
    started = time.perf_counter()
    for step in range(steps):
        batch = [word_lists[rng.randrange(len(word_lists))] for _ in range(batch_size)]
        enc = tokenizer(
            batch, is_split_into_words=True, truncation=True, max_length=max_length, padding=True,
            return_tensors="pt", return_special_tokens_mask=True,
        )
        special = enc["special_tokens_mask"].bool() | (enc["attention_mask"] == 0)
        inputs, labels = _mask_tokens(
            enc["input_ids"], special, tokenizer.mask_token_id, len(tokenizer), generator, mask_rate
        )
        if not (labels != -100).any():
            continue
        batch_on_device = to_device({"inputs": inputs, "mask": enc["attention_mask"], "labels": labels}, device)
        with autocast(device):
            loss = masked_lm_loss(mlm, batch_on_device["inputs"], batch_on_device["mask"], batch_on_device["labels"])
        optimizer.zero_grad()
        backward_step(loss, optimizer, mlm.parameters(), 1.0, scaler)
        losses.append(loss.detach())
        if log and (step + 1) % max(1, steps // 10) == 0:
            recent = torch.stack(losses[-max(1, steps // 10):]).tolist()
            log(f"masked-LM step {step + 1}/{steps}: loss {sum(recent) / len(recent):.4f} "
                f"({time.perf_counter() - started:.0f} s)")
    mlm.eval()
    return torch.stack(losses).float().tolist() if losses else []


def _loss_summary(losses: Sequence[float]) -> dict[str, float | None]:
    tail = list(losses[-10:])
    head = list(losses[:10])
    return {
        "mlm_loss_first": losses[0] if losses else None,
        "mlm_loss_first10": sum(head) / len(head) if head else None,
        "mlm_loss_last10": sum(tail) / len(tail) if tail else None,
    }


def _write_note(out_dir: Path, name: str, note: dict[str, Any], title: str) -> None:
    atomic_write_text(out_dir / name, json.dumps(note, indent=2) + "\n")
    atomic_write_text(out_dir / "README.md", f"# {title}\n\n{note['statement']}\n\nDetails: see `{name}`.\n")


def build_stand_in_encoder(
    out_dir: str | Path,
    sentences: WordLists,
    n_layers: int = 2,
    hidden: int = 64,
    heads: int = 2,
    intermediate: int = 128,
    vocab_size: int = 4000,
    mlm_steps: int = 200,
    seed: int = 0,
    *,
    stands_in_for: str = "",
    max_position_embeddings: int = 512,
    lowercase: bool = False,
    batch_size: int = 16,
    learning_rate: float = 5e-4,
    max_length: int = 64,
) -> Path:
    """Write a tiny BERT (model + WordPiece tokenizer, via save_pretrained) to `out_dir` and return it.

    The vocabulary is trained on `sentences`; with ``mlm_steps > 0`` the model is briefly pre-trained with
    masked-LM on them (CPU-fast). A README.md and STAND_IN.json in the folder state that this is a small
    local stand-in, not the real pre-trained model named by `stands_in_for`.
    """
    from transformers import BertConfig, BertForMaskedLM, BertModel

    out_dir = Path(out_dir)
    word_lists = [w for w in (words_of(s) for s in sentences) if w]
    torch.manual_seed(seed)
    np.random.seed(seed)
    tokenizer = train_wordpiece(word_lists, vocab_size, lowercase, max_position_embeddings)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=n_layers, num_attention_heads=heads,
        intermediate_size=intermediate, max_position_embeddings=max_position_embeddings,
        pad_token_id=tokenizer.pad_token_id,
    )
    with quiet_transformers():
        mlm = BertForMaskedLM(config)
    losses = train_masked_lm(mlm, tokenizer, word_lists, mlm_steps, seed, batch_size=batch_size,
                             learning_rate=learning_rate, max_length=max_length)
    with quiet_transformers():
        model = BertModel(config)
    model.load_state_dict(mlm.bert.state_dict(), strict=False)  # the pooler (unused) stays as initialised
    out_dir.mkdir(parents=True, exist_ok=True)
    with quiet_transformers():
        model.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)
    what = f"the pre-trained model {stands_in_for!r}" if stands_in_for else "a real pre-trained model"
    note = {
        "stand_in": True,
        "stands_in_for": stands_in_for,
        "statement": (
            f"This is a SMALL LOCAL STAND-IN encoder, NOT {what}. It is a tiny BERT "
            f"({n_layers} layers, hidden {hidden}) whose WordPiece vocabulary was trained on the local "
            f"training sentences and which was pre-trained with masked-LM for only {mlm_steps} steps on "
            f"them, because the real weights cannot be downloaded here. Results obtained with it say nothing "
            f"about the real model; point the encoder source to a downloaded copy of the real model instead."
        ),
        "n_layers": n_layers, "hidden": hidden, "heads": heads, "intermediate": intermediate,
        "vocab_size": len(tokenizer), "max_position_embeddings": max_position_embeddings,
        "mlm_steps": mlm_steps, "seed": seed, "n_sentences": len(word_lists),
        "mlm_loss_first": losses[0] if losses else None,
        "mlm_loss_last": sum(losses[-10:]) / len(losses[-10:]) if losses else None,
    }
    _write_note(out_dir, STAND_IN_NOTE, note,
                f"Local stand-in encoder{' for ' + stands_in_for if stands_in_for else ''}")
    return out_dir


def adapt_encoder(
    base: str | Path,
    out_dir: str | Path,
    sentences: WordLists,
    *,
    steps: int,
    learning_rate: float = 5e-5,
    mask_rate: float = 0.15,
    batch_size: int = 16,
    max_length: int = 64,
    seed: int = 1,
    base_source: str = "",
    provenance: dict[str, Any] | None = None,
    device: torch.device | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Task-adaptive pre-training: continue masked-LM training of the checkpoint in folder `base` on the
    words of `sentences` (the training split only) and save the encoder (with `base`'s tokenizer) to
    `out_dir` with an ``ADAPTED.json`` note; returns the note.

    The masked-LM head is the checkpoint's when it ships one, else initialised at random (said in the note:
    e.g. sentence-embedding checkpoints ship none). The encoder keeps the base's pooler and sizes.
    """
    from transformers import AutoModel, AutoModelForMaskedLM

    out_dir = Path(out_dir)
    word_lists = [w for w in (words_of(s) for s in sentences) if w]
    if not word_lists:
        raise ValueError("cannot adapt an encoder: no training sentences")
    location = str(Path(base).expanduser())
    _, tokenizer = load_pretrained(location, tokenizer_only=True)
    torch.manual_seed(seed)
    with quiet_transformers():
        mlm, info = AutoModelForMaskedLM.from_pretrained(location, local_files_only=True, output_loading_info=True)
    head_missing = sorted(k for k in info["missing_keys"] if not k.startswith(mlm.base_model_prefix + "."))
    started = time.perf_counter()
    losses = train_masked_lm(mlm, tokenizer, word_lists, steps, seed, batch_size=batch_size,
                             learning_rate=learning_rate, max_length=max_length, mask_rate=mask_rate,
                             device=device, log=log)
    seconds = time.perf_counter() - started
    with quiet_transformers():
        encoder = AutoModel.from_pretrained(location, local_files_only=True)
    missing, unexpected = encoder.load_state_dict(mlm.base_model.state_dict(), strict=False)
    not_pooler = [k for k in missing if not k.startswith("pooler.")]
    if not_pooler or unexpected:
        raise RuntimeError(f"adapted weights do not fit the base encoder: missing {not_pooler}, unexpected {unexpected}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with quiet_transformers():
        encoder.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)
    head = "initialised at random (the checkpoint ships none)" if head_missing else "the checkpoint's"
    note = {
        "adapted": True,
        "base": base_source or location,
        "base_provenance": dict(provenance or {}),
        "statement": (
            f"Task-adaptive pre-training: the real checkpoint {base_source or location!r} with {steps} further "
            f"masked-LM steps (batch {batch_size}, learning rate {learning_rate}, masking rate {mask_rate}, "
            f"seed {seed}) on the {len(word_lists):,} sentences of the training split only (no validation or "
            f"test text). Masked-LM head: {head}."
        ),
        "steps": steps, "learning_rate": learning_rate, "mask_rate": mask_rate, "batch_size": batch_size,
        "max_length": max_length, "seed": seed, "n_sentences": len(word_lists), "mlm_head": head,
        "mlm_head_initialised": head_missing, "seconds": round(seconds, 1), **_loss_summary(losses),
    }
    _write_note(out_dir, ADAPTED_NOTE, note, f"Task-adapted encoder from {base_source or location}")
    return note


def encoder_note(folder: str | Path) -> dict[str, Any] | None:
    """The note of a folder the pipeline built (``STAND_IN.json`` or ``ADAPTED.json``), or None."""
    for name in (STAND_IN_NOTE, ADAPTED_NOTE):
        path = Path(folder) / name
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def stand_in_note(folder: str | Path) -> dict[str, Any] | None:
    """The stand-in note of an encoder folder, or None for a real encoder."""
    path = Path(folder) / STAND_IN_NOTE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
