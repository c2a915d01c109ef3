"""Shared helpers for the model tests: offline mode, few threads, tiny corpora, encoders and taggers."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import random
from pathlib import Path

import torch

from clinical_ner.data.records import Sentence

THREADS = 1
torch.set_num_threads(THREADS)

# Entity fillers (one or two words) and filler words for the template corpus below.
FILLERS: dict[str, list[list[str]]] = {
    "Drug": [["aspirin"], ["metformin"], ["lisinopril"], ["warfarin"], ["insulin", "glargine"],
             ["vancomycin"], ["heparin"], ["atorvastatin"], ["furosemide"], ["amoxicillin"]],
    "Strength": [["81", "mg"], ["500", "mg"], ["10", "mg"], ["5", "units"], ["1", "g"], ["40", "mg"]],
    "Route": [["PO"], ["IV"], ["SC"], ["orally"], ["intravenously"]],
    "Frequency": [["daily"], ["BID"], ["TID"], ["q6h"], ["twice", "daily"], ["at", "bedtime"]],
    "Reason": [["hypertension"], ["diabetes"], ["pain"], ["infection"], ["atrial", "fibrillation"]],
    "ADE": [["rash"], ["nausea"], ["bleeding"], ["hypotension"], ["dizziness"]],
}
TEMPLATES: list[list[str]] = [
    "The patient was started on {Drug} {Strength} {Route} {Frequency} for {Reason} .".split(),
    "Continue {Drug} {Frequency} .".split(),
    "{Drug} was stopped because of {ADE} .".split(),
    "She developed {ADE} after {Drug} was given {Route} .".split(),
    "Home medications include {Drug} {Strength} {Frequency} .".split(),
    "He takes {Drug} for {Reason} .".split(),
    "Vital signs were stable overnight .".split(),
    "No acute distress noted on exam today .".split(),
    "Follow up with primary care in two weeks .".split(),
]


def make_sentences(n: int, seed: int = 0, doc_id: str = "doc") -> list[Sentence]:
    """`n` template sentences with IOB2 tags and consistent offsets (tokens joined by single spaces)."""
    rng = random.Random(seed)
    sentences = []
    for index in range(n):
        tokens: list[str] = []
        tags: list[str] = []
        for part in rng.choice(TEMPLATES):
            if part.startswith("{") and part.endswith("}"):
                label = part[1:-1]
                words = rng.choice(FILLERS[label])
                tokens += words
                tags += [f"B-{label}"] + [f"I-{label}"] * (len(words) - 1)
            else:
                tokens.append(part)
                tags.append("O")
        offsets, position = [], 0
        for token in tokens:
            offsets.append((position, position + len(token)))
            position += len(token) + 1
        sentences.append(Sentence(f"{doc_id}{index // 10}", index % 10, tokens, offsets, tags))
    return sentences


def synthetic_sentences(tmp: Path, n_train_docs: int, n_test_docs: int, seed: int) -> dict[str, list[Sentence]] | None:
    """Sentences of the embedded synthetic corpus (data layer) when it is available, else None."""
    try:
        from clinical_ner.corpus.synthetic import generate_corpus
        from clinical_ner.data.bio import encode_corpus
        from clinical_ner.data.brat import read_corpus
        from clinical_ner.data.report import CorpusReport
    except ImportError:
        return None
    generate_corpus(tmp, n_train_docs, n_test_docs, seed)
    out = {}
    for part in ("train", "test"):
        report = CorpusReport()
        out[part] = encode_corpus(read_corpus(tmp / part, None, report), report)
    return out


def tiny_scratch_spec(name: str = "scratch", **sizes: int):
    from clinical_ner.models.encoders.spec import EncoderSpec

    defaults = dict(n_layers=1, dim=32, n_heads=2, hidden_dim=64, vocab_size=300, max_position_embeddings=64)
    defaults.update(sizes)
    return EncoderSpec(name=name, source="scratch", **defaults)


def tiny_settings(**changes):
    from clinical_ner.models.train.settings import TrainSettings

    values = dict(
        learning_rate=3e-3, epochs=3, batch_size=8, warmup_ratio=0.1, weight_decay=0.0, max_grad_norm=1.0,
        dropout=0.1, patience=3, seed=7, max_length=64, threads=THREADS, eval_batch_size=32,
    )
    values.update(changes)
    return TrainSettings(**values)


def tiny_tagger(head: str = "crf", sentences: list[Sentence] | None = None, seed: int = 0, max_length: int = 64):
    """An untrained tiny from-scratch Tagger over the 19 study labels."""
    from clinical_ner.labels import bio_labels
    from clinical_ner.models.encoders.build import load_encoder
    from clinical_ner.models.tagger import Tagger

    sentences = sentences if sentences is not None else make_sentences(40, seed=seed)
    encoder, tokenizer = load_encoder(tiny_scratch_spec(), sentences, seed=seed)
    torch.manual_seed(seed)
    return Tagger(encoder, tokenizer, head, bio_labels(), dropout=0.1, max_length=max_length,
                  encoder_name="scratch", encoder_source="scratch")


def lively_tagger(head: str = "crf"):
    """A random tiny tagger whose outputs vary (large head weights), so predictions are not all `O`."""
    tagger = tiny_tagger(head, seed=4)
    generator = torch.Generator().manual_seed(5)
    with torch.no_grad():
        weight = tagger.head.linear.weight
        weight.copy_(torch.randn(weight.shape, generator=generator) * 3)
    return tagger.eval()


CASED_NOTE = "Started METOPROLOL 25 MG PO BID.\nİbuprofen for Café-au-lait spots;  Straße\tÅngström ß.\n"
CASED_WORDS = {"METOPROLOL", "İbuprofen", "Café", "Straße", "Ångström"}


def tag_every_word(source: str, tmp_path: Path) -> tuple[str, dict, list]:
    """Tag `CASED_NOTE` with the encoder at `source` under a head that makes every word its own Drug entity:
    (the note, predict_folder's report, the entities read back from the written .ann), so a test can check
    that each predicted span is exactly its word's characters."""
    from clinical_ner.data.brat import read_annotations
    from clinical_ner.data.report import CorpusReport
    from clinical_ner.models.encoders.build import load_encoder
    from clinical_ner.models.encoders.spec import EncoderSpec
    from clinical_ner.models.predict.notes import predict_folder
    from clinical_ner.models.tagger import Tagger

    model, tokenizer = load_encoder(EncoderSpec("encoder", source))
    tagger = Tagger(model, tokenizer, "apt", ["O", "B-Drug", "I-Drug"], decoding="constrained")
    with torch.no_grad():
        tagger.head.linear.weight.zero_()
        tagger.head.linear.bias.copy_(torch.tensor([0.0, 5.0, 0.0]))
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n1.txt").write_text(CASED_NOTE, encoding="utf-8")
    report = predict_folder(tagger, notes, tmp_path / "out", progress=False)
    entities = read_annotations(tmp_path / "out" / "n1.ann", CASED_NOTE, None, CorpusReport("test"))
    return CASED_NOTE, report, entities
