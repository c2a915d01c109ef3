"""The PHEE benchmarks (benchmarks/phee_sweep.py, benchmarks/phee_decoding.py): their pieces, and the commands
docs/benchmarks.md prints, run on a small PHEE subset (slow; skipped without the corpus)."""

from __future__ import annotations

import csv
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_models import make_sentences, tiny_scratch_spec, tiny_settings
from test_hf_benchmarks import _env, readme_commands

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import phee_decoding  # noqa: E402
import phee_sweep  # noqa: E402


def test_every_variant_is_a_valid_setting_that_changes_one_factor():
    from clinical_ner.models.encoders.spec import EncoderSpec
    from clinical_ner.models.train.settings import TrainSettings

    settings, spec = phee_sweep.default_settings()
    assert spec["source"] == "scratch" and settings["epochs"] >= 1
    for name, (_, _, overrides, architecture) in phee_sweep.VARIANTS.items():
        TrainSettings.from_dict({**settings, **overrides})
        EncoderSpec.from_dict({**spec, **architecture})
        changed = {k for k, v in overrides.items() if settings[k] != v} | {k for k, v in architecture.items() if spec[k] != v}
        assert bool(changed) == (name != "default"), name


def test_a_pretrained_encoder_is_swept_from_its_config_file_over_its_own_variants(tmp_path, monkeypatch):
    from clinical_ner.models.train.settings import TrainSettings

    settings, spec = phee_sweep.default_settings("minilm", (ROOT / "config" / "phee.yaml",))
    assert spec["source"].startswith("package:") or Path(spec["source"]).is_dir()
    assert phee_sweep.variants_for(spec) is phee_sweep.PRETRAINED_VARIANTS
    assert phee_sweep.variants_for(phee_sweep.default_settings()[1]) is phee_sweep.VARIANTS
    variants = phee_sweep.PRETRAINED_VARIANTS
    assert phee_sweep.unchanged(list(variants), settings, variants) == ["lr1e-4"]  # phee.yaml's own rate
    monkeypatch.chdir(tmp_path)  # the assembled folder is git-ignored: an empty one stands for it here
    (tmp_path / "resources" / "encoders" / "all-mpnet-base-v2").mkdir(parents=True)
    mpnet, _ = phee_sweep.default_settings("mpnet", (ROOT / "config" / "phee.yaml", ROOT / "config" / "phee-mpnet.yaml"))
    assert phee_sweep.unchanged(list(variants), mpnet, variants) == ["lr1e-4"]
    for name, (_, _, overrides, architecture) in variants.items():
        before, after = TrainSettings.from_dict(settings), TrainSettings.from_dict({**settings, **overrides})
        changed = {k for k in overrides if getattr(before, k) != getattr(after, k)}
        assert not architecture and bool(changed) == (name not in ("default", "lr1e-4")), name
    with pytest.raises(SystemExit, match="no encoder 'absent'"):
        phee_sweep.default_settings("absent")


def test_sweep_reruns_the_best_settings_and_the_default_with_the_extra_seeds():
    score = {"default": 0.5, "a": 0.7, "b": 0.6, "c": 0.4}
    saved = []

    def run(name, seed):
        value = score[name] + seed / 1000
        return {**dict.fromkeys(phee_sweep.COLUMNS, 0), "setting": name, "seed": seed,
                "dev_span_strict_micro_f1": value, "dev_span_lenient_micro_f1": value, "dev_macro_bio_strict_f1": value}

    rows = phee_sweep.sweep(["default", "a", "b", "c"], 1, [2, 3], 2, run, lambda done: saved.append(len(done)))
    assert [(r["setting"], r["seed"]) for r in rows[4:]] == [("default", 2), ("default", 3), ("a", 2), ("a", 3),
                                                            ("b", 2), ("b", 3)]
    assert saved == list(range(1, 11))
    assert [m[0] for m in phee_sweep.ranking(rows)] == ["a", "b", "default", "c"]
    assert phee_sweep.ranking(rows)[0][-1] == 3


def test_sweep_skips_what_is_left_once_the_budget_is_spent(capsys):
    def run(name, seed):
        return {**dict.fromkeys(phee_sweep.COLUMNS, 0.5), "setting": name, "seed": seed}

    rows = phee_sweep.sweep(["default", "a", "b"], 1, [2], 1, run, lambda done: None, budget_seconds=0)
    assert [(r["setting"], r["seed"]) for r in rows] == [("default", 1), ("default", 2)]
    assert "skipped a, b" in capsys.readouterr().out


def test_the_csv_has_every_column(tmp_path):
    row = dict.fromkeys(phee_sweep.COLUMNS, 1)
    phee_sweep.write_csv(tmp_path / "sweep.csv", [row])
    with open(tmp_path / "sweep.csv", encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == [dict.fromkeys(phee_sweep.COLUMNS, "1")]


def test_the_csv_gets_its_provenance_beside_it(tmp_path):
    import record

    out = tmp_path / "sweep.csv"
    phee_sweep.write_csv(out, [dict.fromkeys(phee_sweep.COLUMNS, 1)], record.provenance(phee_sweep.__file__, []))
    assert record.sidecar(out).is_file() and record.problems(out) == []


def test_decoding_switches_and_refuses_what_the_model_cannot_do():
    from clinical_ner.labels import bio_labels
    from clinical_ner.models.encoders.build import load_encoder
    from clinical_ner.models.tagger import Tagger

    sentences = make_sentences(20)
    encoder, tokenizer = load_encoder(tiny_scratch_spec(), sentences, seed=0)
    constrained = Tagger(encoder, tokenizer, "crf", bio_labels(), decoding="constrained")
    phee_decoding.set_decoding(constrained, "unconstrained")
    assert not constrained.head.constrained and constrained.decoding == "unconstrained"
    phee_decoding.set_decoding(constrained, "constrained")
    assert constrained.head.constrained
    free = Tagger(encoder, tokenizer, "apt", bio_labels(), decoding="unconstrained")
    with pytest.raises(ValueError, match="no transition masks"):
        phee_decoding.set_decoding(free, "constrained")


def test_decoding_summary_is_the_mean_over_seeds_and_the_difference():
    runs = [{"model": "m", "seed": seed, "decoding": decoding, "span_strict_micro_f1": strict,
             "span_lenient_micro_f1": strict + 0.1, "predicted_entities": entities}
            for seed, decoding, strict, entities in ((1, "unconstrained", 0.4, 30), (2, "unconstrained", 0.5, 40),
                                                     (1, "constrained", 0.6, 20), (2, "constrained", 0.6, 20))]
    runs.append({"model": "crfsuite-none", "seed": 1, "decoding": "n/a", "span_strict_micro_f1": 0.7,
                 "span_lenient_micro_f1": 0.8, "predicted_entities": 25})
    summary = phee_decoding.summarise(runs)
    assert summary["m"]["unconstrained"]["span_strict_micro_f1"] == 0.45 and summary["m"]["constrained"]["seeds"] == 2
    assert summary["m"]["constrained_minus_unconstrained"] == {"span_strict_micro_f1": 0.15,
                                                               "span_lenient_micro_f1": 0.15, "predicted_entities": -15}
    assert "constrained_minus_unconstrained" not in summary["crfsuite-none"]


def test_resume_keeps_the_runs_of_an_earlier_file(tmp_path):
    out = tmp_path / "decoding.json"
    assert phee_decoding.previous_runs(out) == [] and phee_decoding.previous_runs(None) == []
    out.write_text(json.dumps({"runs": [{"model": "m", "seed": 1}]}))
    assert phee_decoding.previous_runs(out) == [{"model": "m", "seed": 1}]


@pytest.mark.parametrize("module", [phee_sweep, phee_decoding])
def test_without_phee_says_so(module, tmp_path, capsys):
    out = tmp_path / "out"
    assert module.main(["--phee", str(tmp_path / "absent"), "--output", str(out)]) is None
    assert "PHEE not found" in capsys.readouterr().out and not out.exists()


def test_the_readme_and_docs_print_the_commands_tested_here():
    commands = readme_commands()
    assert any("benchmarks/phee_sweep.py" in c for c in commands)
    assert any("benchmarks/phee_decoding.py" in c for c in commands)
    assert set(readme_commands(ROOT / "docs" / "phee-sweep.md")) <= set(commands)


def _readme_argv(script: str, output: str = "") -> list[str]:
    """The documented command of `script` (the one writing `output` when it has several), less its output."""
    (command,) = [c for c in readme_commands() if f"benchmarks/{script}" in c and f"benchmarks/results/{output}" in c]
    words = shlex.split(command)
    cut = words.index("--output")
    return [sys.executable] + words[1:cut] + words[cut + 2:]


def _phee_subset(phee_dir: Path, tmp: Path, n: int) -> Path:
    """A PHEE folder of links: the first `n` documents of train, dev and test."""
    for part in ("train", "dev", "test"):
        (tmp / part).mkdir(parents=True)
        for txt in sorted((phee_dir / part).glob("*.txt"))[:n]:
            for path in (txt, txt.with_suffix(".ann")):
                (tmp / part / path.name).symlink_to(path.resolve())
    return tmp


@pytest.mark.slow
def test_sweep_on_a_phee_subset(phee_dir, tmp_path):
    out = tmp_path / "sweep.csv"
    argv = _readme_argv("phee_sweep.py", "phee_sweep.csv") + ["--phee", str(phee_dir), "--limit", "30", "--settings", "default,batch32",
                                            "--extra-seeds", "43", "--top", "1", "--output", str(out)]
    subprocess.run(argv, cwd=ROOT, env=_env(), check=True, capture_output=True, text=True, timeout=900)
    with open(out, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["setting"], r["seed"]) for r in rows] == [("default", "42"), ("batch32", "42"), ("default", "43")]
    assert all(0 <= float(r["dev_span_strict_micro_f1"]) <= float(r["dev_span_lenient_micro_f1"]) <= 1 for r in rows)


@pytest.mark.slow
def test_the_pretrained_encoder_sweep_on_a_phee_subset(phee_dir, tmp_path):
    out = tmp_path / "sweep.csv"
    argv = _readme_argv("phee_sweep.py", "phee_sweep_minilm.csv")
    argv = argv[:argv.index("--settings")] + argv[argv.index("--settings") + 2:]
    argv += ["--phee", str(phee_dir), "--limit", "20", "--settings", "default,subword", "--budget-minutes", "0",
             "--output", str(out)]
    subprocess.run(argv, cwd=ROOT, env={**_env(), "HF_HUB_OFFLINE": "1"}, check=True, capture_output=True, text=True,
                   timeout=900)
    with open(out, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["setting"], r["seed"]) for r in rows] == [("default", "42"), ("default", "43")]  # budget spent at once
    assert {r["parameters"] for r in rows} == {"22719246"}  # MiniLM-L6 and a 15-tag CRF: the real checkpoint
    assert all(0 <= float(r["dev_span_strict_micro_f1"]) <= float(r["dev_span_lenient_micro_f1"]) <= 1 for r in rows)


MPNET = ROOT / "resources" / "encoders" / "all-mpnet-base-v2"


@pytest.mark.slow
@pytest.mark.skipif(not MPNET.is_dir(), reason="make resources/encoders/all-mpnet-base-v2 not run")
def test_the_larger_encoder_sweep_runs_as_documented_on_a_phee_subset(phee_dir, tmp_path):
    out = tmp_path / "sweep.csv"
    argv = _readme_argv("phee_sweep.py", "phee_sweep_mpnet.csv")
    assert argv[argv.index("--extra-seeds") + 1] == ""
    argv = argv[:argv.index("--settings")] + argv[argv.index("--settings") + 2:]
    argv += ["--phee", str(phee_dir), "--limit", "6", "--settings", "default,lr1e-4", "--output", str(out)]
    run = subprocess.run(argv, cwd=ROOT, env={**_env(), "HF_HUB_OFFLINE": "1"}, check=True, capture_output=True,
                         text=True, timeout=900)
    assert "skipped, the same as mpnet's own settings: lr1e-4" in run.stdout
    with open(out, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["setting"], r["seed"]) for r in rows] == [("default", "42")]  # no re-runs
    assert int(rows[0]["parameters"]) > 100_000_000


@pytest.mark.slow
def test_decoding_on_models_of_a_phee_subset(phee_dir, phee_label_map, tmp_path):
    from clinical_ner.data.bio import encode_corpus
    from clinical_ner.data.brat import read_corpus
    from clinical_ner.data.report import CorpusReport
    from clinical_ner.labels import bio_labels
    from clinical_ner.models.train.job import train

    phee = _phee_subset(phee_dir, tmp_path / "phee", 25)
    sentences = encode_corpus(read_corpus(phee / "train", phee_label_map, CorpusReport()))
    labels = bio_labels(sorted(set(phee_label_map.values())))
    for head in ("apt", "crf"):
        train(tiny_scratch_spec(), head, labels, tiny_settings(epochs=1, decoding="constrained"), sentences, None,
              tmp_path / "run" / "models" / f"scratch-{head}" / "full" / "f1" / "seed42" / "final")
    out = tmp_path / "decoding.json"
    argv = _readme_argv("phee_decoding.py") + ["--run", str(tmp_path / "run"), "--phee", str(phee),
                                               "--output", str(out)]
    subprocess.run(argv, cwd=ROOT, env=_env(), check=True, capture_output=True, text=True, timeout=900)
    result = json.loads(out.read_text())
    assert {(r["model"], r["decoding"]) for r in result["runs"]} == {
        (m, d) for m in ("scratch-apt", "scratch-crf") for d in ("unconstrained", "constrained")}
    assert set(result["summary"]["scratch-crf"]["constrained_minus_unconstrained"]) == set(phee_decoding.SCORES)
    # the Hugging Face parity result is quoted only when its file exists (it was removed: docs/benchmarks.md)
    assert ("hf_parity" in result) == (ROOT / "benchmarks" / "results" / "hf_parity_phee.json").is_file()


def _counts(doc_tp: list[int], gold: int = 10):
    """DocumentCounts of one run whose strict/lenient span counts are `doc_tp` true positives per document."""
    import numpy as np

    from clinical_ner.evaluation.statistics import DocumentCounts

    n = len(doc_tp)
    spans = np.array([[[tp, gold, gold], [min(gold, tp + 2), gold, gold]] for tp in doc_tp])
    return DocumentCounts([f"d{i}" for i in range(n)], np.zeros((n, 3, 3), int), np.zeros((n, 2, 3), int), spans)


def test_phee_study_rows_intervals_and_p_values_against_the_best_from_scratch_model():
    import phee_study
    from result_blocks import render_phee_study

    def row(label, pretraining, strict):
        return {"label": label, "pretraining": pretraining,
                "seeds": [{"seed": s, "span_strict_f1": v, "span_lenient_f1": v + 0.1} for s, v in enumerate(strict)]}

    rows = [row("MiniLM (pre-trained)-CRF", "pre-trained", [0.8, 0.82]),
            row("MiniLM + MLM (task-adapted)-CRF", "task-adapted", [0.815, 0.815]),
            row("Transformer (from scratch)-CRF", "from scratch", [0.5, 0.52]),
            row("feature CRF", "from scratch", [0.6])]
    counts = {"MiniLM (pre-trained)-CRF": [_counts([8] * 30), _counts([8] * 29 + [9])],
              "MiniLM + MLM (task-adapted)-CRF": [_counts([8] * 30)] * 2,
              "Transformer (from scratch)-CRF": [_counts([5] * 30)] * 2, "feature CRF": [_counts([6] * 30)]}
    summary = phee_study.with_statistics(rows, counts, resamples=200, seed=0)
    assert summary["best_from_scratch"] == "feature CRF" and summary["best_pretrained"] == "MiniLM + MLM (task-adapted)-CRF"
    best = rows[0]
    assert best["span_strict_f1_mean"] == pytest.approx(0.81) and best["span_strict_f1_sd"] == pytest.approx(0.01414, abs=1e-4)
    low, high = best["span_strict_f1_ci"]
    assert low <= 0.8 + 1 / 600 <= high and best["span_strict_f1_p_vs_best_scratch"] < 0.05
    assert rows[3]["span_strict_f1_p_vs_best_scratch"] is None  # the reference
    assert summary["adapted_vs_general"]["strict_f1_difference"] == pytest.approx(-1 / 600)
    result = {"rows": rows, **summary, "scores": "micro span F1", "wall_seconds": 600, "jobs": {"jobs": 3},
              "learning_curves": {"crossing": [{"metric": "span_strict_f1", "statement": "pre-trained models lead"}]},
              "provenance": {"script": "benchmarks/phee_study.py", "commit": "0" * 40, "dirty": False,
                             "machine": {"cores": 2, "cpu": "x"}, "load_average_start": [1], "load_average_end": [2],
                             "started_utc": "2026-12-03T00:00", "command": "python benchmarks/phee_study.py"}}
    results = Path(pytest.importorskip("tempfile").mkdtemp())
    (results / "phee_study.json").write_text(json.dumps(result))
    block = render_phee_study(results)
    assert block.index("MiniLM + MLM") < block.index("MiniLM (pre-trained)") < block.index("Transformer")
    assert "0.815 ± 0.000" in block and "| ref |" in block and "-0.002 strict F1" in block
    assert "pre-trained models lead" in block and "10 minutes" in block


def test_the_benchmarks_page_prints_the_phee_study_command():
    (command,) = [c for c in readme_commands() if "benchmarks/results/phee_study.json" in c]
    assert "--output benchmarks/results/phee_study.json" in command


TINY_STUDY = """
encoders:
  scratch:
    label: Transformer
    source: scratch
    architecture: {n_layers: 1, dim: 32, n_heads: 2, hidden_dim: 64, vocab_size: 500, max_position_embeddings: 128}
    search: {learning_rate: [0.003]}
training: {settings: {epochs: 1}, seeds: [42, 43]}
training_fractions: [0.5, 1.0]
statistics: {resamples: 50}
"""


@pytest.mark.slow
def test_the_documented_phee_study_command_on_a_phee_subset(phee_dir, tmp_path):
    """The benchmarks page's command, cut down by an overlay (one tiny from-scratch model and the feature CRF,
    two seeds, two training sizes) on 40 PHEE documents a part: the DAG runs and the result file reads."""
    overlay = tmp_path / "tiny.yaml"
    overlay.write_text(TINY_STUDY)
    out = tmp_path / "study.json"
    argv = _readme_argv("phee_study.py", "phee_study.json")
    argv = argv[:argv.index("--phee")] + ["--phee", str(_phee_subset(phee_dir, tmp_path / "phee", 40)),
                                          "--overlay", str(overlay), "--results", str(tmp_path / "results"),
                                          "--output", str(out)]
    subprocess.run(argv, cwd=ROOT, env=_env(), check=True, capture_output=True, text=True, timeout=900)
    result = json.loads(out.read_text())
    rows = {row["label"]: row for row in result["rows"]}
    assert len(rows) == 2 and "Transformer (from scratch)-CRF" in rows  # and the feature CRF
    assert [s["seed"] for s in rows["Transformer (from scratch)-CRF"]["seeds"]] == [42, 43]
    for row in rows.values():
        low, high = row["span_strict_f1_ci"]
        assert 0 <= low <= high <= 1 and 0 <= row["span_strict_f1_mean"] <= row["span_lenient_f1_mean"] <= 1
    assert result["best_from_scratch"] in rows and "best_pretrained" not in result
    assert {p["fraction"] for p in result["learning_curves"]["points"]} == {0.5, 1.0}
    assert result["jobs"]["jobs"] > 20 and result["provenance"]["script"] == "benchmarks/phee_study.py"
