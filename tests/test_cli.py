import json

from clinical_ner.cli import main
from clinical_ner.jsonl import read_sentences
from workflow_helpers import ROOT


def test_validate_config_ok_and_error(tmp_path, capsys):
    assert main(["validate-config", str(ROOT / "config.yaml")]) == 0
    assert "scratch-crf" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("corpus: {source: brat}\nencoders: {x: {source: scratch}}\n")
    assert main(["validate-config", str(bad)]) == 2
    assert "bad.yaml" in capsys.readouterr().err


def test_generate_then_sentences(tmp_path, capsys):
    assert main(["generate", "--output", str(tmp_path / "corpus"), "--train-docs", "3", "--test-docs", "1"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["docs"]["train"] == 3
    out = tmp_path / "train.jsonl"
    assert main(["sentences", "--input", str(tmp_path / "corpus" / "train"), "--output", str(out),
                 "--config", str(ROOT / "config.yaml")]) == 0
    report = json.loads(capsys.readouterr().out)
    sentences = read_sentences(out)
    assert report["sentences"] == len(sentences) > 0
    assert any(tag != "O" for s in sentences for tag in s.tags)


def test_missing_input_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["sentences", "--input", str(tmp_path / "missing"), "--output", str(tmp_path / "x.jsonl")]) == 2
    assert "missing" in capsys.readouterr().err
