"""Batch prediction over a folder of notes: bad notes reported, never lost work, atomic outputs, re-runs,
confidences and the model folder check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import helpers_models
import pytest

from clinical_ner.cli import main
from clinical_ner.data.brat import read_annotations
from clinical_ner.data.report import CorpusReport
from clinical_ner.errors import InputError
from clinical_ner.models.predict.notes import REPORT_FILE, predict_folder

GOOD = "Discharge medications:\n1. Aspirin 81 mg PO daily for CAD.\n2. Metoprolol 25mg BID.\n"
LINES = ["Started vancomycin 1 g IV q12h for cellulitis.", "She developed a rash on amoxicillin.",
         "Continue metformin 500 mg PO BID.", "Vital signs were stable overnight."]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    """A saved tiny tagger whose random outputs vary (so predictions are not all `O`)."""
    return helpers_models.lively_tagger("crf").save(tmp_path_factory.mktemp("model") / "final")


def write_notes(folder: Path, n_good: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n_good):
        (folder / f"good-{k}.txt").write_text(GOOD + LINES[k % len(LINES)] + "\n", encoding="utf-8")
    return folder


def test_good_empty_huge_and_bad_notes(model, tmp_path, capsys):
    notes = write_notes(tmp_path / "notes", n_good=2)
    (notes / "empty.txt").write_text("")
    (notes / "huge.txt").write_text("\n".join(LINES[k % len(LINES)] for k in range(2500)) + "\n")
    (notes / "latin1.txt").write_bytes("Patient reports caf\u00e9-au-lait spots.\n".encode("latin-1"))
    (notes / "gone.txt").symlink_to(tmp_path / "missing.txt")  # an unreadable note: a broken link
    out = tmp_path / "ann"
    code = main(["predict", "--model", str(model), "--input", str(notes), "--output", str(out), "--threads", "1"])
    assert code == 1
    captured = capsys.readouterr()
    assert "2 note(s) could not be read" in captured.err
    report = json.loads((out / REPORT_FILE).read_text())
    printed = json.loads(captured.out)
    assert printed.pop("timing")["seconds"] > 0 and printed == report
    assert report["notes_found"] == 6 and report["notes_read"] == 4 and report["notes_tagged"] == 4
    assert report["notes_skipped"] == 2 and report["skipped_by_reason"] == {"not_utf8": 1, "unreadable": 1}
    reasons = {Path(s["file"]).name: (s["reason"], s["message"]) for s in report["skipped"]}
    assert reasons["latin1.txt"][0] == "not_utf8" and "UTF-8" in reasons["latin1.txt"][1]
    assert reasons["gone.txt"][0] == "unreadable"
    assert sorted(p.name for p in out.glob("*.ann")) == ["empty.ann", "good-0.ann", "good-1.ann", "huge.ann"]
    assert (out / "empty.ann").read_text() == ""
    assert report["sentences"] >= 2500 + 2 and report["entities"] == sum(report["entities_by_type"].values()) > 0
    huge = (notes / "huge.txt").read_text()
    entities = read_annotations(out / "huge.ann", huge, None, CorpusReport())
    assert len(entities) > 100 and max(e.end for e in entities) > len(huge) - 100  # tagged to the end


def test_confidence_notes_and_min_confidence(model, tmp_path):
    notes = write_notes(tmp_path / "notes")
    everything = predict_folder(model, notes, tmp_path / "all", progress=False)
    text = (tmp_path / "all" / "good-0.ann").read_text()
    report = CorpusReport()
    entities = read_annotations(tmp_path / "all" / "good-0.ann", (notes / "good-0.txt").read_text(), None, report)
    confidences = [float(line.split("\tconfidence ")[1]) for line in text.splitlines() if line.startswith("#")]
    assert report.skipped_lines["note"] == len(entities) == len(confidences) > 0
    assert all(0 < c <= 1 for c in confidences)
    assert "AnnotatorNotes T1\tconfidence" in text
    threshold = sorted(confidences)[len(confidences) // 2]
    some = predict_folder(model, notes, tmp_path / "some", min_confidence=threshold, progress=False)
    assert 0 < some["entities"] < everything["entities"]
    assert some["entities"] + some["entities_below_min_confidence"] == everything["entities"]
    kept = (tmp_path / "some" / "good-0.ann").read_text()
    assert all(float(line.split("\tconfidence ")[1]) >= threshold - 1e-4 for line in kept.splitlines() if line.startswith("#"))
    assert kept.startswith("T1\t")  # ids renumbered after filtering
    none = predict_folder(model, notes, tmp_path / "none", min_confidence=1.01, progress=False)
    assert none["entities"] == 0 and none["entities_below_min_confidence"] == everything["entities"]


def test_rerun_skips_finished_notes(model, tmp_path):
    model = Path(shutil.copytree(model, tmp_path / "model"))  # its time stamp is changed below
    notes = write_notes(tmp_path / "notes")
    out = tmp_path / "ann"
    first = predict_folder(model, notes, out, progress=False)
    assert first["notes_tagged"] == 3 and first["notes_up_to_date"] == 0
    again = predict_folder(model, notes, out, progress=False)
    assert again["notes_tagged"] == 0 and again["notes_up_to_date"] == 3
    later = (out / "good-1.ann").stat().st_mtime + 10
    os.utime(notes / "good-1.txt", (later, later))  # an edited note is tagged again
    edited = predict_folder(model, notes, out, progress=False)
    assert edited["notes_tagged"] == 1 and edited["notes_up_to_date"] == 2
    os.utime(model / "head.pt", (later + 10, later + 10))  # a newer model re-tags everything
    assert predict_folder(model, notes, out, progress=False)["notes_tagged"] == 3
    assert predict_folder(model, notes, out, overwrite=True, progress=False)["notes_tagged"] == 3


KILL_ON_THIRD_WRITE = """
import os, signal, sys
import torch
torch.set_num_threads(1)  # as in this process (helpers_models), so the confidences are the same to the last digit
import clinical_ner.atomic as atomic
from clinical_ner.models.predict.notes import predict_folder
calls = []
real_sync = os.sync
def sync():
    calls.append(1)
    if len(calls) == 3:  # the third chunk's .ann is fully written to its temporary file, not yet renamed
        os.kill(os.getpid(), signal.SIGKILL)
    real_sync()
atomic.os.sync = sync
predict_folder(sys.argv[1], sys.argv[2], sys.argv[3], progress=False, chunk_sentences=1)
"""


def test_killed_predict_leaves_no_partial_ann_and_a_rerun_finishes(model, tmp_path):
    notes = write_notes(tmp_path / "notes", n_good=5)
    out = tmp_path / "ann"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1] / "src"), os.environ.get("PYTHONPATH", "")]))
    killed = subprocess.run([sys.executable, "-c", KILL_ON_THIRD_WRITE, str(model), str(notes), str(out)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]
    finished = sorted(p.name for p in out.glob("*.ann"))
    assert finished == ["good-0.ann", "good-1.ann"]
    assert not (out / REPORT_FILE).exists()
    assert len(list(out.glob(".good-2.ann.*.tmp"))) == 1  # the complete but never renamed third file
    reference = tmp_path / "reference"
    predict_folder(model, notes, reference, progress=False)
    for name in finished:
        assert (out / name).read_text() == (reference / name).read_text()
    rerun = predict_folder(model, notes, out, progress=False)
    assert rerun["notes_up_to_date"] == 2 and rerun["notes_tagged"] == 3
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in reference.iterdir())
    for path in reference.glob("*.ann"):
        assert (out / path.name).read_text() == path.read_text()


def test_model_folder_without_label_set_is_refused(model, tmp_path, capsys):
    notes = write_notes(tmp_path / "notes", n_good=1)
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    with pytest.raises(InputError, match="label set"):
        predict_folder(empty, notes, tmp_path / "out")
    assert main(["predict", "--model", str(empty), "--input", str(notes), "--output", str(tmp_path / "out")]) == 2
    assert "tagger.json" in capsys.readouterr().err
    broken = tmp_path / "broken"
    broken.mkdir()
    config = json.loads((model / "tagger.json").read_text())
    config.pop("labels")
    (broken / "tagger.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match="no label set"):
        predict_folder(broken, notes, tmp_path / "out")


def test_subfolders_need_recursive_and_are_mirrored_under_the_output(model, tmp_path, capsys):
    notes = tmp_path / "notes"
    write_notes(notes / "ward-a", n_good=2)
    other = notes / "ward-b" / "2024"
    other.mkdir(parents=True)
    (other / "good-0.txt").write_text(LINES[1] + "\n" + LINES[0] + "\n")  # same name as ward-a's, other text
    linked = write_notes(tmp_path / "elsewhere", n_good=1)
    (notes / "linked").symlink_to(linked, target_is_directory=True)
    (notes / "ward-a" / "loop").symlink_to(notes, target_is_directory=True)  # walked once, not forever
    for hidden in (notes / ".ipynb_checkpoints" / "good-0.txt", notes / "__MACOSX" / "._good-0.txt"):
        hidden.parent.mkdir()
        hidden.write_bytes(b"\xff\xfe not a note")
    (notes / "ward-a" / ".#good-0.txt").symlink_to(tmp_path / "emacs-lock")
    with pytest.raises(InputError, match=r"4 in its subfolders: tag them with --recursive"):
        predict_folder(model, notes, tmp_path / "flat", progress=False)
    assert main(["predict", "--model", str(model), "--input", str(notes), "--output", str(tmp_path / "flat")]) == 2
    assert "--recursive" in capsys.readouterr().err

    out = notes / "ann"  # an output folder inside the input folder is never read as notes
    leftover = out / "ward-b" / "2024" / ".good-0.ann.killed.tmp"  # as a killed run leaves it
    leftover.parent.mkdir(parents=True)
    leftover.write_text("T1\tDrug 0")
    (out / "stray.txt").write_text(LINES[2])
    assert main(["predict", "--model", str(model), "--input", str(notes), "--output", str(out), "--recursive"]) == 0
    assert not leftover.exists()
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.ann"))
    assert written == ["linked/good-0.ann", "ward-a/good-0.ann", "ward-a/good-1.ann", "ward-b/2024/good-0.ann"]
    report = json.loads((out / REPORT_FILE).read_text())
    assert report["recursive"] is True and report["notes_found"] == report["notes_tagged"] == 4
    assert report["ignored_hidden"] == [".ipynb_checkpoints/", "__MACOSX/", "ward-a/.#good-0.txt"]
    for folder in ("ward-a", "ward-b/2024", "linked"):  # each .ann is its own note's, as tagged alone
        alone = predict_folder(model, notes / folder, tmp_path / "alone" / folder, progress=False)
        assert alone["recursive"] is False
        assert (out / folder / "good-0.ann").read_text() == (tmp_path / "alone" / folder / "good-0.ann").read_text()
    assert (out / "ward-a/good-0.ann").read_text() != (out / "ward-b/2024/good-0.ann").read_text()
    again = predict_folder(model, notes, out, progress=False, recursive=True)
    assert again["notes_up_to_date"] == 4 and again["notes_tagged"] == 0


def test_other_run_settings_retag_every_note(model, tmp_path):
    notes = write_notes(tmp_path / "notes")
    out = tmp_path / "ann"
    assert predict_folder(model, notes, out, progress=False)["notes_tagged"] == 3
    assert predict_folder(model, notes, out, progress=False)["notes_up_to_date"] == 3
    floor = predict_folder(model, notes, out, min_confidence=0.5, progress=False)
    assert floor["notes_tagged"] == 3 and floor["min_confidence"] == 0.5
    assert predict_folder(model, notes, out, min_confidence=0.5, progress=False)["notes_up_to_date"] == 3
    other = Path(shutil.copytree(model, tmp_path / "other-model"))
    for path in other.rglob("*"):  # an older copy: time stamps alone would keep the files
        os.utime(path, (1, 1))
    assert predict_folder(other, notes, out, min_confidence=0.5, progress=False)["notes_tagged"] == 3


def test_one_note_file_as_input_and_a_wrong_input_named(model, tmp_path, capsys):
    notes = write_notes(tmp_path / "notes", n_good=2)
    out = tmp_path / "ann"
    assert main(["predict", "--model", str(model), "--input", str(notes / "good-1.txt"), "--output", str(out)]) == 0
    report = json.loads((out / REPORT_FILE).read_text())
    assert report["notes_found"] == report["notes_tagged"] == 1
    assert sorted(p.name for p in out.glob("*.ann")) == ["good-1.ann"]
    whole = predict_folder(model, notes, tmp_path / "all", progress=False)
    assert whole["notes_tagged"] == 2
    assert (out / "good-1.ann").read_text() == (tmp_path / "all" / "good-1.ann").read_text()
    (notes / "good-1.ann").write_text("")
    with pytest.raises(InputError, match=r"good-1\.ann.*not a \.txt note"):
        predict_folder(model, notes / "good-1.ann", out, progress=False)
    assert main(["predict", "--model", str(model), "--input", str(tmp_path / "nope"), "--output", str(out)]) == 2
    assert "nope: input folder (or .txt note) not found" in capsys.readouterr().err
