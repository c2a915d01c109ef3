"""The projected whole-study GPU time: the plan's steps follow the study config, the arithmetic adds up,
and a measurement file that was edited by hand is refused."""

from __future__ import annotations

import importlib.util
import json
import math
import shutil

import pytest
from workflow_helpers import ROOT

MEASURED = ROOT / "benchmarks" / "results" / "gpu" / "train_vs_trainer.json"


@pytest.fixture(scope="module")
def projection():
    spec = importlib.util.spec_from_file_location("project_study_gpu", ROOT / "benchmarks" / "project_study_gpu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def measured():
    if not MEASURED.is_file():
        pytest.skip("no committed GPU measurement")
    return json.loads(MEASURED.read_text())


def test_a_run_costs_its_epochs_times_its_batches(projection):
    cost = {"seconds_per_step": {"crf": 0.05}, "predict_sentences_per_second": {"crf": 1000.0}}
    run = projection.run_cost(cost, "crf", {"epochs": 3, "batch_size": 14}, train=100, validate=20, test=500)
    assert run["steps"] == 3 * math.ceil(100 / 14) == 24
    assert run["predicted_sentences"] == 3 * 20 + 500
    assert run["seconds"] == pytest.approx(24 * 0.05 + 560 / 1000.0, abs=0.05)


def test_encoder_sizes_come_from_the_architecture_or_the_shipped_settings(projection):
    config = projection.study_config(search=False)
    assert projection.encoder_layers(config, "bert") == 12
    assert projection.encoder_layers(config, "clinicalbert") == 6
    assert projection.encoder_layers(config, "scratch") == 6


def test_the_pinned_plan_is_the_studys_sixteen_final_models(projection, measured):
    config = projection.study_config(search=False)
    runs = projection.planned_runs(config, projection.step_costs(measured))
    assert len(runs) == 16 and {r["run"] for r in runs} == {"final"}
    bert_crf = next(r for r in runs if r["model"] == "bert-crf" and r["regime"] == "full")
    pin = config["training"]["pinned"]["bert-crf"]
    train_val = sum(projection.STUDY_SENTENCES[p] for p in ("train", "val"))
    assert bert_crf["steps"] == pin["epochs"] * math.ceil(train_val / pin["batch_size"])
    assert bert_crf["size"] == "bert-base"
    down = next(r for r in runs if r["model"] == "bert-crf" and r["regime"] == "downsampled")
    assert down["steps"] < bert_crf["steps"] / 2


def test_the_search_plan_adds_every_candidate(projection, measured):
    config = projection.study_config(search=True)
    runs = projection.planned_runs(config, projection.step_costs(measured))
    candidates = [r for r in runs if r["run"].startswith("candidate")]
    per_regime = {"bert": 4, "biobert": 4, "clinicalbert": 4, "scratch": 6}  # batch 2 x lr 2; scratch lr 3
    assert len(candidates) == 2 * 2 * sum(per_regime.values())
    assert len(runs) - len(candidates) == 16
    trainer = projection.planned_runs(config, projection.step_costs(measured), trainer=True)
    assert {r["model"].split("-")[1] for r in trainer} == {"apt"}


def test_the_result_adds_up_and_a_hand_edited_measurement_is_refused(projection, measured, tmp_path):
    out = tmp_path / "projected.json"
    result = projection.main(["--output", str(out)])
    assert json.loads(out.read_text()) == result
    pinned = result["plans"]["pinned"]
    assert pinned["ours"]["seconds"] == pytest.approx(sum(r["seconds"] for r in pinned["runs"]), abs=0.5)
    assert pinned["ours"]["steps_per_second_needed_for_target"] == pytest.approx(pinned["ours"]["steps"] / 1200, abs=0.1)
    assert result["plans"]["search"]["ours"]["minutes"] > pinned["ours"]["minutes"]

    results = tmp_path / "results"
    shutil.copytree(MEASURED.parent, results / "gpu")
    edited = json.loads(MEASURED.read_text())
    edited["settings"]["batch_size"] = 8
    (results / "gpu" / MEASURED.name).write_text(json.dumps(edited))
    with pytest.raises(SystemExit, match="content hash"):
        projection.main(["--results", str(results)])


def test_the_documented_command_runs(measured, tmp_path):
    import shlex
    import subprocess
    import sys

    from test_hf_benchmarks import _env, readme_commands

    (command,) = [c for c in readme_commands() if "benchmarks/project_study_gpu.py" in c]
    words = shlex.split(command)
    cut = words.index("--output")
    argv = [sys.executable, *words[1:cut], "--output", str(tmp_path / "p.json")]
    done = subprocess.run(argv, cwd=ROOT, env=_env(), check=True, capture_output=True, text=True, timeout=300)
    assert "steps/s would fit 20 min" in done.stdout
    assert json.loads((tmp_path / "p.json").read_text())["benchmark"] == "project_study_gpu"


def test_flop_utilisation_counts_six_flops_a_parameter_and_a_token_and_knows_its_peaks(projection, measured):
    bert_base = {"n_layers": 12, "dim": 768, "hidden_dim": 3072}
    non_embedding = 12 * (4 * 768 * 768 + 2 * 768 * 3072)
    assert non_embedding == pytest.approx(84.9e6, rel=1e-3)
    assert projection.training_flops_per_token(bert_base, 0) == 6 * non_embedding
    assert projection.training_flops_per_token(bert_base, 10) == 6 * non_embedding + 6 * 12 * 10 * 768
    assert projection.peak_tflops("cuda:0 (NVIDIA H200, bf16)") == 989.4
    assert projection.peak_tflops("cpu") is None

    use = projection.flop_utilisation(measured)
    assert set(use) == {"distilbert", "bert-base"}
    for entry in use.values():
        for side in entry["sides"].values():
            expected = side["tokens_per_second"] * entry["training_flops_per_token"] / 1e12
            assert side["model_tflops_per_second"] == pytest.approx(expected, abs=1e-3)
            assert side["model_flops_utilisation"] == pytest.approx(expected / entry["peak_tflops"], abs=1e-5)


def test_packed_jobs_are_dealt_longest_first_to_the_slot_that_frees_up_first(projection):
    runs = [{"seconds": s} for s in (30.0, 60.0, 30.0, 60.0)]
    packing = {"runs": [{"jobs": 1, "finished": 1, "speedup_over_one_job": 1.0, "overlap": 1.0},
                        {"jobs": 2, "finished": 2, "speedup_over_one_job": 1.6, "overlap": 0.9},
                        {"jobs": 4, "finished": 3, "speedup_over_one_job": 2.0, "overlap": 0.8}]}
    out = projection.packed(runs, packing)
    assert set(out) == {"2"}  # one job alone is the reference; a count where a job failed says nothing
    assert out["2"]["slowdown_per_job"] == 1.25
    assert out["2"]["minutes"] == round((60 + 30) * 1.25 / 60, 1)


def test_a_size_the_check_did_not_measure_is_named(projection, measured):
    costs = {n: c for n, c in projection.step_costs(measured).items() if n == 12}
    with pytest.raises(SystemExit, match=r"6 layers, but the GPU check measured only bert-base \(12 layers\)"):
        projection.planned_runs(projection.study_config(search=False), costs)
