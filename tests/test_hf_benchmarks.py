"""The comparison benchmarks against Hugging Face (benchmarks/): their pieces, and every command docs/benchmarks.md
prints, run with tiny sizes (slow)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from clinical_ner.data.records import Sentence
from clinical_ner.models.units.alignment import Window

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import hf_baseline  # noqa: E402
import hf_parity_phee  # noqa: E402
import project_study_gpu  # noqa: E402
import result_blocks  # noqa: E402
import train_vs_trainer  # noqa: E402

TINY = {
    "train_vs_trainer.py": ["--sizes", "small:1", "--train-docs", "2", "--test-docs", "1", "--epochs", "1",
                            "--repeats", "1", "--vocab-size", "300", "--threads", "1"],
    "train_speed.py": ["--layers", "1", "--dim", "32", "--heads", "2", "--hidden-dim", "64", "--train-docs", "2",
                       "--test-docs", "1", "--epochs", "1", "--vocab-size", "300"],
    "hf_parity_phee.py": ["--limit", "40", "--seeds", "1,2", "--layers", "1", "--dim", "32", "--heads", "2",
                          "--hidden-dim", "64", "--epochs", "1", "--vocab-size", "300", "--threads", "1"],
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def readme_commands(path: Path = ROOT / "docs" / "benchmarks.md") -> list[str]:
    """Lines in the code blocks of `path` (default: the benchmarks page) that run something under benchmarks/."""
    commands, in_block = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_block = not in_block
        elif in_block and "benchmarks/" in line and not line.strip().startswith("#"):
            commands.append(line.split("#")[0].strip())
    return commands


def test_examples_label_first_subwords_only():
    window = Window(sentence=0, start=0, input_ids=[2, 10, 11, 12, 3], first_positions=[1, 3], labels=[4, 0])
    (example,) = hf_baseline.hf_examples([window])
    assert example["input_ids"] == [2, 10, 11, 12, 3]
    assert example["attention_mask"] == [1] * 5
    assert example["labels"] == [-100, 4, -100, 0, -100]


def test_summary_ratios_use_medians():
    runs = [
        {"side": "ours-apt", "train_seconds": t, "predict_seconds": 1.0, "train_call_cpu_seconds": 2 * t}
        for t in (10.0, 12.0, 30.0)
    ] + [
        {"side": "hf-trainer", "train_seconds": t, "predict_seconds": 2.0, "train_call_cpu_seconds": 2 * t}
        for t in (24.0, 24.0, 5.0)
    ] + [{"side": "ours-crf", "train_seconds": 18.0, "predict_seconds": 3.0, "train_call_cpu_seconds": 40.0}]
    summary = train_vs_trainer.summarise(runs, train_tokens=1200, epochs=2, test_sentences=10)
    assert summary["sides"]["ours-apt"]["train_tokens_per_second"] == 200.0
    assert summary["sides"]["hf-trainer"]["train_tokens_per_second"] == 100.0
    assert summary["train_ratio_apt_over_trainer"] == 2.0
    assert summary["predict_ratio_apt_over_trainer"] == 2.0
    assert summary["crf_train_time_over_apt"] == 1.5


def test_a_compiled_side_is_rated_by_its_last_epoch_and_a_failed_side_is_counted():
    runs = [
        {"side": "hf-trainer", "train_seconds": 20.0, "predict_seconds": 1.0, "train_call_cpu_seconds": 1.0},
        {"side": "ours-crf+compile", "train_seconds": 65.0, "epoch_seconds": [60.0, 5.0], "predict_seconds": 1.0,
         "train_call_cpu_seconds": 1.0},
        {"side": "ours-crf+cudagraphs", "error": "RuntimeError: no graph"},
    ]
    summary = train_vs_trainer.summarise(runs, train_tokens=1000, epochs=2, test_sentences=10)
    compiled = summary["sides"]["ours-crf+compile"]
    assert compiled["steady_train_tokens_per_second"] == 200.0 and compiled["first_epoch_extra_seconds"] == 55.0
    assert compiled["train_tokens_per_second"] == round(2000 / 65, 1)
    assert summary["steady_ratio_over_trainer"] == {"ours-crf+compile": 2.0}
    assert summary["sides"]["ours-crf+cudagraphs"] == {"failed_runs": 1}
    assert train_vs_trainer.parse_side("crf+cudagraphs") == ("crf", "cudagraphs")
    assert train_vs_trainer.parse_side("apt") == ("apt", False)
    with pytest.raises(SystemExit, match="unknown side"):
        train_vs_trainer.parse_side("crf+fast")


def test_parity_comparison_in_seed_stdevs():
    runs = [{"side": side, "seed": seed, **dict.fromkeys(hf_parity_phee.SCORE_KEYS, value)}
            for side, values in (("ours-apt-unconstrained", (0.5, 0.6, 0.7)), ("hf-trainer", (0.45, 0.5, 0.55)))
            for seed, value in enumerate(values)]
    result = hf_parity_phee.compare(runs)
    gap = result["ours_unconstrained_minus_hf-trainer"]["span_strict_micro_f1"]
    assert result["sides"]["ours-apt-unconstrained"]["token_macro_f1"]["mean"] == 0.6
    assert gap == {"ours_minus_trainer": 0.1, "in_seed_stdevs": 1.0}


def test_scores_of_a_perfect_and_an_empty_prediction():
    from clinical_ner.data.records import Document

    text = "Took aspirin 100 mg daily"
    tokens = text.split()
    offsets, start = [], 0
    for token in tokens:
        start = text.index(token, start)
        offsets.append((start, start + len(token)))
        start += len(token)
    tags = ["O", "B-Drug", "B-Dosage", "I-Dosage", "B-Frequency"]
    sentence = Sentence("d1", 0, tokens, offsets, tags)
    types = ["Dosage", "Drug", "Frequency"]
    perfect = hf_parity_phee.score([Document("d1", text)], [sentence], [tags], types)
    assert perfect["span_strict_micro_f1"] == perfect["token_micro_f1_entities"] == 1.0
    assert perfect["gold_entities"] == perfect["predicted_entities"] == 3
    empty = hf_parity_phee.score([Document("d1", text)], [sentence], [["O"] * 5], types)
    assert empty["span_lenient_micro_f1"] == 0.0 and empty["predicted_entities"] == 0


def test_parity_without_phee_says_so(tmp_path, capsys):
    out = tmp_path / "parity.json"
    assert hf_parity_phee.main(["--phee", str(tmp_path / "absent"), "--output", str(out)]) is None
    assert "PHEE not found" in capsys.readouterr().out and not out.exists()


def test_readme_names_the_benchmarks():
    commands = " ".join(readme_commands())
    for script in ("train_vs_trainer.py", "hf_parity_phee.py", "train_speed.py", "gpu_check.sh"):
        assert f"benchmarks/{script}" in commands


def test_other_pages_print_only_the_commands_of_the_benchmarks_page():
    """The benchmark commands (which the slow tests below run) are printed in docs/benchmarks.md, which the
    README links; another page may repeat them, never print its own."""
    assert "(docs/benchmarks.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert set(readme_commands(page)) <= set(readme_commands()), page.name


@pytest.mark.slow
@pytest.mark.parametrize("script", ["train_vs_trainer.py", "train_speed.py"])
def test_readme_command_runs_tiny(script, tmp_path):
    (command,) = [c for c in readme_commands() if f"benchmarks/{script}" in c]
    argv = shlex.split(command)
    argv = [sys.executable] + argv[1:] + TINY[script] + ["--output", str(tmp_path / "out.json")]
    subprocess.run(argv, cwd=ROOT, env=_env(), check=True, capture_output=True, text=True, timeout=900)
    result = json.loads((tmp_path / "out.json").read_text())
    if script == "train_vs_trainer.py":
        (size,) = result["sizes"]
        assert {r["side"] for r in size["runs"]} == {"ours-apt", "hf-trainer", "ours-crf"}
        assert size["summary"]["train_ratio_apt_over_trainer"] > 0
        assert result["machine"]["cores"] and len(result["load_average_end"]) == 3
    else:
        assert result["training"]["tokens_per_second"] > 0


@pytest.mark.slow
def test_gpu_check_dry_run(tmp_path):
    (command,) = [c for c in readme_commands() if "gpu_check.sh --dry-run" in c]
    argv = shlex.split(command)[:3] + [str(tmp_path / "gpu")]
    subprocess.run(argv, cwd=ROOT, env=_env() | {"PYTHON": sys.executable}, check=True, capture_output=True,
                   text=True, timeout=900)
    summary = json.loads((tmp_path / "gpu" / "gpu_check.json").read_text())
    assert summary["dry_run"] is True and summary["device"].startswith("cpu")
    (size,) = summary["throughput"].values()
    assert size["ratio_ours_apt_over_trainer"] > 0 and size["sides"]["hf-trainer"]["seconds_per_epoch"] > 0
    assert summary["full_size_train"]["tokens_per_second"] > 0
    assert summary["full_size_train"]["sizes"]["max_length"] == 512
    compiled = {"ours-crf+compile", "ours-crf+cudagraphs"}
    assert compiled <= set(size["sides"]) and all(size["sides"][s]["steady_train_tokens_per_second"] > 0 for s in compiled)
    assert set(size["steady_ratio_over_trainer"]) == {"ours-apt", "ours-crf"} | compiled
    measured = json.loads((tmp_path / "gpu" / "train_vs_trainer.json").read_text())
    assert measured["complete"] is True
    (cost,) = project_study_gpu.step_costs(measured).values()
    assert set(cost["seconds_per_step"]) == {"apt", "crf", "trainer", "crf+compile", "crf+cudagraphs"}
    assert cost["setup_seconds"]["crf"] == 0 and cost["setup_seconds"]["crf+compile"] >= 0
    quick = project_study_gpu.fastest(cost, "crf", 1)
    many = project_study_gpu.fastest(cost, "crf", 10**9)
    assert quick.startswith("crf") and min(cost["seconds_per_step"][k] for k in cost["seconds_per_step"]
                                           if k.startswith("crf")) == cost["seconds_per_step"][many]
    assert set(summary["packing"]) == {"1", "2"} and summary["packing"]["2"]["finished"] == 2
    assert summary["packing"]["2"]["speedup_over_one_job"] > 0 and 0 <= summary["packing"]["2"]["overlap"] <= 1
    block = result_blocks.render_gpu_check(tmp_path)
    assert "Steady training rate" in block and "ours-crf+cudagraphs" in block and "Failed sides" not in block
    assert "Jobs sharing the GPU" in block


@pytest.mark.slow
def test_parity_on_a_phee_subset(phee_dir, tmp_path):
    (command,) = [c for c in readme_commands() if "benchmarks/hf_parity_phee.py" in c]
    argv = [sys.executable] + shlex.split(command)[1:] + TINY["hf_parity_phee.py"]
    argv += ["--phee", str(phee_dir), "--output", str(tmp_path / "parity.json")]
    subprocess.run(argv, cwd=ROOT, env=_env(), check=True, capture_output=True, text=True, timeout=900)
    result = json.loads((tmp_path / "parity.json").read_text())
    assert {r["seed"] for r in result["runs"]} == {1, 2}
    assert {r["side"] for r in result["runs"]} == {"ours-apt-unconstrained", "ours-apt-constrained", "hf-trainer",
                                                  "hf-trainer-torch-head-init"}
    assert set(result["comparison"]["ours_unconstrained_minus_hf-trainer"]) == set(hf_parity_phee.SCORE_KEYS)
    assert result["corpus"]["train"]["documents"] == 40


def test_hf_predict_keeps_the_sentence_order(tmp_path):
    """hf_predict's tags equal the arg-max of a direct forward pass, sentence by sentence (under
    group_by_length, Trainer.predict length-groups and so reorders its batches unless told otherwise)."""
    import torch

    from clinical_ner.labels import bio_labels
    from clinical_ner.models.units.alignment import make_windows

    lengths = [7, 2, 11, 3, 9, 1, 5, 12, 4, 8, 6, 10]
    sentences = [Sentence("d", i, [f"w{(i * 7 + k) % 13}" for k in range(n)], [(k, k + 1) for k in range(n)],
                          ["O"] * n) for i, n in enumerate(lengths)]
    size = hf_baseline.EncoderSize("distilbert", 1, 16, 2, 32, 100, 32)
    encoder_dir = hf_baseline.write_random_encoder(tmp_path / "encoder", size, sentences, seed=3)
    labels = bio_labels(["Drug"])
    settings = hf_baseline.HFSettings(1e-3, 1, 4, 4, seed=3)
    trainer = hf_baseline.hf_trainer(encoder_dir, labels, [], settings, tmp_path / "hf", "cpu")
    tokenizer = trainer.processing_class
    tags = hf_baseline.hf_predict(trainer, tokenizer, sentences, 32, labels)
    model = trainer.model.eval()
    for sentence, window, row in zip(sentences, make_windows(tokenizer, sentences, 32), tags):
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([window.input_ids])).logits[0]
        assert row == [labels[int(logits[p].argmax())] for p in window.first_positions], sentence.index
