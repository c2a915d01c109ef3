import json

from workflow_helpers import ROOT

from clinical_ner.cli import main
from clinical_ner.data.jsonl import read_sentences


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


def test_predict_command_writes_ann_for_each_note(tmp_path, capsys):
    import helpers_models

    tagger = helpers_models.tiny_tagger("crf")
    tagger.save(tmp_path / "model")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("Metoprolol 25 mg PO BID.\nShe developed a rash on amoxicillin.\n")
    (notes / "b.txt").write_text("No new medications.\n")
    assert main(["predict", "--model", str(tmp_path / "model"), "--input", str(notes), "--output", str(tmp_path / "ann")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["notes_tagged"] == 2
    assert sorted(p.name for p in (tmp_path / "ann").iterdir()) == ["a.ann", "b.ann", "predict_report.json"]


def test_predict_command_without_notes_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["predict", "--model", str(tmp_path), "--input", str(tmp_path / "empty"), "--output", str(tmp_path / "o")]) == 2
    assert "no .txt notes" in capsys.readouterr().err


def test_documented_clinical_ner_commands_parse():
    """Every full `clinical-ner <command> ...` line in README/docs code blocks is a valid command line."""
    import re
    import shlex

    from clinical_ner.cli import build_parser

    found = []
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"^```[^\n]*\n(.*?)^```", document.read_text(encoding="utf-8"), re.M | re.S):
            for line in block.replace("\\\n", " ").splitlines():
                words = shlex.split(line, comments=True)
                if words and words[0].endswith("clinical-ner"):
                    found.append(words[1:])
    assert {words[0] for words in found} >= {"predict", "score"}
    for words in found:
        args = build_parser().parse_args(words)
        assert callable(args.func), words
