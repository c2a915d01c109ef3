"""Start-up cost: jobs that run no torch model never import torch or transformers, and jobs that do import
transformers only when their encoder needs it (importing torch costs a job about a second when the files
are cached, several when they are not; transformers as much again)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from helpers_models import make_sentences

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "workflow" / "scripts"
# scripts whose jobs build or run a torch model (count_parameters builds encoders on torch's meta device)
TORCH_SCRIPTS = frozenset({"train_candidate", "train_final", "pretrain_stand_in", "adapt_encoder", "count_parameters"})
HEAVY = ("torch", "transformers")


def package_imports(script: Path) -> list[str]:
    """The clinical_ner modules a workflow script imports at its top."""
    text = script.read_text(encoding="utf-8")
    return re.findall(r"^(?:from|import) (clinical_ner[\w.]*)", text, re.M)


def loaded_after(modules_by_script: dict[str, list[str]]) -> dict[str, list[str]]:
    """In one fresh interpreter, import each script's modules in turn; the heavy packages loaded after each."""
    code = textwrap.dedent(f"""
        import importlib, json, sys
        seen = {{}}
        for script, modules in {modules_by_script!r}.items():
            for module in modules:
                importlib.import_module(module)
            seen[script] = [name for name in {HEAVY!r} if name in sys.modules]
        print(json.dumps(seen))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    return json.loads(done.stdout)


def test_scripts_without_a_torch_model_never_import_torch_or_transformers() -> None:
    scripts = {p.stem: package_imports(p) for p in sorted(SCRIPTS.glob("*.py")) if p.stem not in TORCH_SCRIPTS}
    assert {"evaluate", "make_tables", "train_crfsuite", "predict_test", "plot_run"} <= set(scripts)
    assert all(scripts.values())
    # one interpreter for all: the first script that pulls a heavy package in is the one named
    assert loaded_after(scripts) == {name: [] for name in scripts}


def test_torch_model_scripts_import_no_transformers_until_an_encoder_needs_it() -> None:
    scripts = {name: package_imports(SCRIPTS / f"{name}.py") for name in sorted(TORCH_SCRIPTS)}
    assert loaded_after(scripts) == {name: ["torch"] for name in scripts}


def _run_isolated(code: str) -> dict[str, bool]:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True,
                          cwd=ROOT, env={"PYTHONPATH": f"{ROOT / 'src'}:{ROOT / 'tests'}", "PATH": "/usr/bin:/bin",
                                         "HF_HUB_OFFLINE": "1"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_feature_crf_trains_and_tags_notes_without_torch(tmp_path: Path) -> None:
    from clinical_ner.data.jsonl import write_sentences

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("Give Lasix 40 mg daily.\n", encoding="utf-8")
    write_sentences(tmp_path / "train.jsonl", make_sentences(30))
    loaded = _run_isolated(f"""
        import json, sys
        from clinical_ner.data.jsonl import read_sentences
        from clinical_ner.models.baselines.feature_crf import FeatureCRF
        from clinical_ner.models.predict.notes import predict_folder
        train = read_sentences({str(tmp_path / 'train.jsonl')!r})
        FeatureCRF.fit(train, {str(tmp_path / 'crf')!r}, c1=0.1, c2=0.1, max_iterations=5)
        report = predict_folder({str(tmp_path / 'crf')!r}, {str(notes)!r}, {str(tmp_path / 'ann')!r}, threads=1)
        assert report["notes_tagged"] == 1, report
        print(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))
    """)
    assert loaded == {"torch": False, "transformers": False}


def test_bilstm_trains_and_predicts_without_transformers(tmp_path: Path) -> None:
    loaded = _run_isolated(f"""
        import json, sys
        from helpers_models import make_sentences, tiny_settings
        from clinical_ner.labels import bio_labels
        from clinical_ner.models.encoders.spec import EncoderSpec
        from clinical_ner.models.predict.sentences import load_model
        from clinical_ner.models.train.job import train
        spec = EncoderSpec("bilstm", "bilstm", n_layers=1, dim=16, hidden_dim=16, vocab_size=200)
        train(spec, "crf", bio_labels(), tiny_settings(epochs=1), make_sentences(20), None, {str(tmp_path / 'm')!r})
        load_model({str(tmp_path / 'm')!r}).predict(make_sentences(2))
        print(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))
    """)
    assert loaded == {"torch": True, "transformers": False}
