"""Every `snakemake` command printed in README.md and docs/*.md dry-runs, so none can silently break.

Commands are read from fenced code blocks and inline code spans; a command that is not already a dry run
gets `-n`. They run in a copy of the workflow where the corpus folders the configs name exist (empty:
a dry run reads no corpus), with the Hugging Face hub offline and no weights anywhere.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from workflow_helpers import ROOT, copy_workflow, snakemake

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The folders config/paper.yaml and config/phee.yaml (and the README's examples) name.
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`([^`\n]+)`")


def _commands_in(text: str) -> list[str]:
    """Shell command lines (comments and line continuations handled) from code blocks and inline code."""
    lines: list[str] = []
    for block in FENCE.findall(text):
        lines += block.replace("\\\n", " ").splitlines()
    prose = FENCE.sub("", text)
    lines += INLINE.findall(prose)
    commands = []
    for line in lines:
        for part in re.split(r"\s*(?:;|&&|\|\|)\s*", line):
            try:
                words = shlex.split(part, comments=True)
            except ValueError:
                continue
            if words and Path(words[0]).name == "snakemake":
                commands.append(shlex.join(words))
    return commands


def documented_commands() -> list[tuple[str, str]]:
    """(document name, command) for every snakemake command in the documentation, in order."""
    found = []
    for document in DOCUMENTS:
        found += [(document.name, command) for command in _commands_in(document.read_text(encoding="utf-8"))]
    return list(dict.fromkeys(found))


def test_the_parser_finds_commands_in_blocks_inline_and_after_other_commands():
    text = "Run `.venv/bin/snakemake --cores 2 x.txt` or:\n```bash\nsinfo; snakemake -n  # dry\nmake run  # snakemake\n```\n"
    assert _commands_in(text) == ["snakemake -n", ".venv/bin/snakemake --cores 2 x.txt"]


def test_the_documentation_has_the_commands_users_need():
    commands = [command for _, command in documented_commands()]
    assert any("--configfile config/paper.yaml" in c for c in commands)
    assert any("--configfile config/phee.yaml" in c for c in commands)
    assert any("table1_parameters.md" in c for c in commands)
    assert any("profiles/slurm" in c for c in commands)
    assert any("--configfile config/paper-smoke.yaml" in c for c in commands)


def test_make_smoke_paper_runs_the_documented_command():
    """The Makefile's smoke-paper recipe is a documented command, so its dry run below covers it."""
    recipe = re.search(r"^smoke-paper:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe, "Makefile has no smoke-paper target"
    lines = [line.strip().replace("$(BIN)/", ".venv/bin/") for line in recipe.group(1).splitlines()]
    documented = {command for _, command in documented_commands()}
    assert [line for line in lines if "snakemake" in line] and all(
        line in documented for line in lines if "snakemake" in line)


@pytest.fixture(scope="module")
def docs_workdir(tmp_path_factory) -> Path:
    """A fresh copy of the workflow: no corpus folders, no weights, as a new user has before downloading."""
    return copy_workflow(tmp_path_factory.mktemp("docs"))


@pytest.mark.slow
@pytest.mark.parametrize(("document", "command"), documented_commands())
def test_documented_command_dry_runs(docs_workdir, document, command):
    args = shlex.split(command)[1:]
    if not {"-n", "--dry-run", "--dryrun"} & set(args):
        args.append("-n")
    run = snakemake(docs_workdir, *args, timeout=600)
    assert run.returncode == 0, f"{document}: `{command}` failed:\n{run.stderr[-3000:]}"


@pytest.mark.slow
def test_a_missing_corpus_folder_fails_at_run_time_naming_the_config_key(docs_workdir):
    run = snakemake(docs_workdir, "--configfile", "config/phee.yaml", "--cores", "1", "results/data/sentences/train.jsonl")
    assert run.returncode != 0
    assert "corpus.train: no such folder" in run.stderr and "data/phee/train" in run.stderr


@pytest.mark.slow
def test_the_mpnet_overlay_dry_runs_before_its_folder_is_built(docs_workdir):
    """As a user first tries it, with no assembled folder: the DAG plans the rule that builds the folder and
    the training jobs that read it, and a warning names what the rule needs."""
    folder = "resources/encoders/all-mpnet-base-v2"
    assert not (docs_workdir / folder).exists()
    run = snakemake(docs_workdir, "-n", "--cores", "2", "--configfile", "config/phee-mpnet.yaml", timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    blocks = run.stdout.split("\n\n")
    (assembled,) = [block for block in blocks if "rule assemble_encoder:" in block]
    assert f"output: {folder}" in assembled
    assert any("rule train_final:" in block and folder in block and "mpnet-crf" in block for block in blocks)
    assert f"encoders/mpnet/source: '{folder}' is not built yet" in run.stderr and f"make {folder}" in run.stderr
