"""Corpus size presets: `default` is the embedded corpus unchanged; `n2c2` is the study's corpus size.

Sentences are counted as the pipeline makes them (build_sentences: data-layer splitter and tokeniser).
The fast test draws a sample of n2c2 letters; the slow one generates the whole 303 + 202 letters.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from clinical_ner.config import validate_config
from clinical_ner.corpus.presets import PRESETS
from clinical_ner.corpus.synthetic import generate_corpus, generate_letter
from clinical_ner.data.bio import encode_corpus, encode_document
from clinical_ner.data.brat import read_corpus
from clinical_ner.data.records import Document
from clinical_ner.data.report import CorpusReport

# The study's corpus (n2c2-2018 track 2, Belkadi et al.): letters and sentences per split.
STUDY = {"train": (303, 41_500), "test": (202, 30_600)}
# sha256 over the default corpus (config.yaml: 60 + 30 letters, seed 13): the default preset must not drift.
DEFAULT_CORPUS_SHA256 = "40a53a257238fd5a531639d71bb93fcd36fd187eaf1f70ffb502b569fd999a60"


def _sentences(split: str, index: int):
    letter = generate_letter(random.Random(f"clinical-ner-synthetic:13:{split}:{index}"), index, split, preset="n2c2")
    return encode_document(Document(letter.doc_id, letter.text, letter.entities), CorpusReport())


@pytest.mark.parametrize("split", ["train", "test"])
def test_n2c2_letters_have_the_study_sentence_counts_and_long_lines(split):
    letters, sentences = STUDY[split]
    sample = [s for index in range(1, 31) for s in _sentences(split, index)]
    per_letter = len(sample) / 30
    assert per_letter == pytest.approx(sentences / letters, rel=0.08), per_letter
    plain = sum(set(s.tags) == {"O"} for s in sample) / len(sample)
    assert 0.70 <= plain <= 0.78, plain
    # long lines as in discharge letters: windows and truncation must really happen
    assert any(len(s.tokens) > 512 for s in sample)
    assert any(len(s.tokens) > 180 and set(s.tags) != {"O"} for s in sample)


def test_presets_in_config_and_defaults():
    config = validate_config({"corpus": {"source": "synthetic", "synthetic": {"preset": "n2c2"}},
                              "encoders": {"s": {"source": "scratch", "architecture_of": "distilbert-base-cased"}}})
    assert config["corpus"]["synthetic"] == {"preset": "n2c2", "seed": 13, "test_docs": None, "train_docs": None}
    assert (PRESETS["n2c2"].train_docs, PRESETS["n2c2"].test_docs) == (303, 202)
    with pytest.raises(ValueError, match="unknown corpus preset"):
        generate_corpus("unused", 1, 1, preset="huge")


def test_default_preset_corpus_unchanged(tmp_path):
    """The embedded default corpus (config.yaml) is byte-identical to the one the default DAG was checked with."""
    generate_corpus(tmp_path, 60, 30, seed=13)
    digest = hashlib.sha256()
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        digest.update(path.relative_to(tmp_path).as_posix().encode() + b"\0" + path.read_bytes())
    assert digest.hexdigest() == DEFAULT_CORPUS_SHA256


@pytest.mark.slow
def test_whole_n2c2_preset_matches_the_study(tmp_path):
    summary = generate_corpus(tmp_path, preset="n2c2")
    for split, (letters, sentences) in STUDY.items():
        report = CorpusReport()
        built = encode_corpus(read_corpus(tmp_path / split, None, report), report)
        assert summary["splits"][split]["docs"] == letters
        assert len(built) == summary["splits"][split]["sentences"]
        assert len(built) == pytest.approx(sentences, rel=0.04), (split, len(built))
        assert 0.70 <= summary["splits"][split]["plain_sentence_fraction"] <= 0.78


def test_readme_preset_command_dry_run(tmp_path):
    """The README's command plans the corpus at the preset's size (the config file merged onto config.yaml)."""
    import yaml
    from workflow_helpers import ROOT, copy_workflow, snakemake

    from clinical_ner.config import load_config

    workdir = copy_workflow(tmp_path)
    dry = snakemake(workdir, "-n", "--cores", "2", "--configfile", "config/synthetic-n2c2.yaml")
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert "generate_corpus" in dry.stdout
    merged = load_config(ROOT / "config.yaml")
    merged["corpus"]["synthetic"].update(yaml.safe_load((ROOT / "config" / "synthetic-n2c2.yaml").read_text())["corpus"]["synthetic"])
    synthetic = validate_config(merged)["corpus"]["synthetic"]
    assert (synthetic["preset"], synthetic["train_docs"], synthetic["test_docs"]) == ("n2c2", None, None)
