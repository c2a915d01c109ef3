"""The measured numbers in README.md and docs/*.md are generated blocks (benchmarks/docs_blocks.py), and every
block equals what its result file renders today."""

from __future__ import annotations

import re
import sys

import pytest
from workflow_helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import docs_blocks
import result_blocks


def test_every_generated_block_is_fresh():
    stale = [str(page.relative_to(ROOT)) for page in docs_blocks.stale()]
    assert stale == [], f"stale generated blocks in {', '.join(stale)}: run `make docs`"


def test_every_registered_block_is_shown_somewhere():
    shown = {name for page in docs_blocks.pages() for name in docs_blocks.block_names(page.read_text(encoding="utf-8"))}
    assert set(result_blocks.BLOCKS) <= shown


def test_fill_replaces_a_stale_body_and_keeps_the_rest():
    blocks = {"x": lambda results: "fresh 1.0"}
    text = "before\n<!-- results:x -->\nold 0.9\n<!-- /results:x -->\nafter\n"
    assert docs_blocks.fill(text, blocks=blocks) == "before\n<!-- results:x -->\nfresh 1.0\n<!-- /results:x -->\nafter\n"


@pytest.mark.parametrize(("text", "message"), [
    ("<!-- results:nope -->\n<!-- /results:nope -->", "unknown block(s) nope"),
    ("<!-- results:x -->\nno end\n", "not closed"),
])
def test_fill_refuses_unknown_and_unclosed_blocks(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        docs_blocks.fill(text, blocks={"x": lambda results: ""}, where="page.md")


@pytest.mark.parametrize("name", sorted(result_blocks.BLOCKS))
def test_a_block_without_its_file_says_not_yet_measured(name, tmp_path):
    assert result_blocks.BLOCKS[name](tmp_path).startswith("*Not yet measured*")


@pytest.mark.parametrize("name", sorted(result_blocks.BLOCKS))
def test_a_block_with_its_file_names_the_file_script_and_commit(name):
    text = result_blocks.BLOCKS[name](result_blocks.RESULTS)
    if text.startswith("*Not yet measured*"):
        pytest.skip(f"{name}: no result file committed")
    assert text.startswith("From `benchmarks/results/") and "written by `benchmarks/" in text and "at commit `" in text


def test_check_mode_reports_stale_pages_and_the_default_mode_rewrites_them(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("<!-- results:phee_study -->\nold\n<!-- /results:phee_study -->\n")
    assert docs_blocks.main(["--check"], tmp_path, tmp_path) == 1 and "stale: README.md" in capsys.readouterr().out
    assert docs_blocks.main([], tmp_path, tmp_path) == 0 and "Not yet measured" in (tmp_path / "README.md").read_text()
    assert docs_blocks.main(["--check"], tmp_path, tmp_path) == 0


def test_the_larger_encoder_block_states_its_difference_to_the_main_study_from_both_files(tmp_path):
    import json
    import shutil

    for name in ("phee_study.json", "phee_study_mpnet.json"):
        shutil.copy(result_blocks.RESULTS / name, tmp_path / name)
    main, larger = (json.loads((tmp_path / n).read_text()) for n in ("phee_study.json", "phee_study_mpnet.json"))
    best = {main["best_pretrained"], larger["best_pretrained"]}
    (general,), (mpnet,) = ([r for r in d["rows"] if r["label"] in best] for d in (main, larger))
    text = result_blocks.render_phee_study_mpnet(tmp_path)
    difference = mpnet["span_strict_f1_mean"] - general["span_strict_f1_mean"]
    assert f"Against {general['label']} of `phee_study.json` (3 seeds): {difference:+.3f} mean strict" in text
    (tmp_path / "phee_study.json").unlink()
    assert "Against" not in result_blocks.render_phee_study_mpnet(tmp_path)
