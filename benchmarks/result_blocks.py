"""The generated blocks of the documentation: block name -> function rendering Markdown from a result file.

To add a block: write `def render_x(results: Path) -> str` that reads its file with `load` (and says
`not_measured(...)` when the file is absent), register it in `BLOCKS`, put
`<!-- results:x -->` / `<!-- /results:x -->` in a page and run `make docs`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def load(results: Path, name: str) -> dict[str, Any] | None:
    """The result file `name` under `results`, or None when it does not exist."""
    path = results / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def not_measured(name: str, command: str | None) -> str:
    if command is None:
        return f"*Not yet measured* (`benchmarks/results/{name}` is absent)."
    return f"*Not yet measured* (`benchmarks/results/{name}` is absent; `{command}` writes it)."


def source(name: str, data: dict[str, Any]) -> str:
    """One line naming the file, its script and commit, the tree's state, the machine, the load and the date."""
    origin = data["provenance"]
    machine = origin.get("machine", {})
    where = f"{machine.get('cores')} cores ({machine.get('cpu')})"
    if machine.get("gpu"):
        where = f"{machine['gpu']}, {where}"
    tree = "**dirty tree**: " + ", ".join(origin["dirty_paths"]) if origin.get("dirty") else "clean tree"
    load = origin.get("load_average_start", [None])[0], origin.get("load_average_end", [None])[0]
    if speed := origin.get("speed_check"):
        where += f" (single-core speed check: {speed['python_million_steps_per_second']} M Python steps/s, " \
                 f"{speed['matmul_gflops_one_thread']} GFLOP/s)"
    return (f"From `benchmarks/results/{name}`, written by `{origin['script']}` at commit "
            f"`{origin['commit'][:10]}` ({tree}) on {where}, load average {load[0]} at the start and {load[1]} at "
            f"the end, {origin['started_utc'][:10]}: `{origin['command']}`.")


def _table(header: list[str], rows: list[list[Any]], right_from: int = 1) -> str:
    align = ["---" if k < right_from else "---:" for k in range(len(header))]
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def _millions(n: int) -> str:
    return f"{n / 1e6:.1f} M"


def render_train_vs_trainer_cpu(results: Path) -> str:
    name = "train_vs_trainer_cpu.json"
    data = load(results, name)
    if data is None:
        return not_measured(name, "python benchmarks/train_vs_trainer.py --output benchmarks/results/" + name)
    rows = []
    for entry in data["sizes"]:
        s, e = entry["summary"], entry["encoder"]
        rows.append([f"`{entry['size']}` ({e['n_layers']} x {e['dim']}, {e['n_heads']} heads, {e['hidden_dim']})",
                     _millions(entry["runs"][0]["parameters"]), s["train_ratio_apt_over_trainer"],
                     s["train_call_cpu_ratio_trainer_over_apt"], s["predict_ratio_apt_over_trainer"],
                     s["crf_train_time_over_apt"]])
    settings = data["settings"]
    corpus = data["sizes"][0]["corpus"]
    return "\n\n".join([
        source(name, data),
        f"{data['device']}; {settings['train_docs']} synthetic letters ({corpus['train_sentences']} training "
        f"sentences, {corpus['test_sentences']} test sentences), {settings['epochs']} epochs, batch "
        f"{settings['batch_size']}, {settings['repeats']} interleaved repeats (medians).",
        _table(["size", "parameters", "ours Apt / Trainer, training tokens/s", "Trainer / ours Apt, CPU s",
                "ours / Trainer, prediction sentences/s", "CRF / Apt training time"], rows),
    ])


def render_train_speed_cpu(results: Path) -> str:
    name = "train_speed_cpu.json"
    data = load(results, name)
    if data is None:
        return not_measured(name, "python benchmarks/train_speed.py --output benchmarks/results/" + name)
    sizes, training, inference = data["sizes"], data["training"], data["inference"]
    row = [f"{sizes['n_layers']} x {sizes['dim']}, {sizes['n_heads']} heads, vocabulary {sizes['vocab_size']}",
           f"{sizes['parameters']['total']:,}", data["head"], data["corpus"]["train_sentences"],
           training["tokens_per_second"], inference["tokens_per_second"], data["memory"]["peak_rss_mb"]]
    return "\n\n".join([
        source(name, data),
        _table(["encoder", "parameters", "head", "training sentences", "training sub-words/s",
                "prediction sub-words/s", "peak RSS (MB)"], [row]),
    ])


def render_predict_speed(results: Path) -> str:
    name = "predict_speed.json"
    data = load(results, name)
    if data is None:
        return not_measured(name, "python benchmarks/predict_speed.py --output benchmarks/results/" + name)
    speeds = data["sentences_per_second"]
    rows = [[key.replace("_", " "), value["wall"], value["cpu"]] for key, value in speeds.items() if isinstance(value, dict)]
    return "\n\n".join([source(name, data), _table(["tagger", "sentences/s (wall)", "sentences/s (CPU time)"], rows)])


def render_hf_parity_phee(results: Path) -> str:
    name = "hf_parity_phee.json"
    data = load(results, name)
    if data is None:
        return not_measured(name, "python benchmarks/hf_parity_phee.py --output benchmarks/results/" + name)
    keys = ["token_macro_f1", "token_micro_f1_entities", "span_strict_micro_f1", "span_lenient_micro_f1"]
    rows = [[side, *(f"{scores[k]['mean']:.3f} ({scores[k]['stdev']:.3f})" for k in keys)]
            for side, scores in data["comparison"]["sides"].items()]
    return "\n\n".join([source(name, data), "Mean (seed standard deviation) on PHEE test:",
                        _table(["side", "token macro-F1", "token micro-F1 (entities)", "strict micro span F1",
                                "lenient micro span F1"], rows)])


def render_phee_decoding(results: Path) -> str:
    name = "phee_decoding.json"
    data = load(results, name)
    if data is None:
        return not_measured(name, "python benchmarks/phee_decoding.py --run results --output benchmarks/results/" + name)
    rows = []
    for model, entry in data["summary"].items():
        if "constrained" in entry and "unconstrained" in entry:
            u, c = entry["unconstrained"], entry["constrained"]
            rows.append([model, f"{u['span_strict_micro_f1']:.3f} -> {c['span_strict_micro_f1']:.3f}",
                         f"{u['span_lenient_micro_f1']:.3f} -> {c['span_lenient_micro_f1']:.3f}",
                         f"{u['predicted_entities']:,.0f} -> {c['predicted_entities']:,.0f}"])
    return "\n\n".join([source(name, data),
                        _table(["model", "strict, unconstrained -> constrained", "lenient, unconstrained -> constrained",
                                "predicted entities"], rows)])


def render_gpu_check(results: Path) -> str:
    name = "gpu/gpu_check.json"
    data = load(results, name)
    if data is None:
        return not_measured(name, "bash benchmarks/gpu_check.sh benchmarks/results/gpu")
    tests = data.get("cuda_tests", {})
    throughput = data.get("throughput", {})
    rows = [[size, entry["ratio_ours_apt_over_trainer"], entry["crf_train_time_over_apt"],
             *(entry["sides"].get(side, {}).get("peak_gpu_mb") for side in ("ours-apt", "hf-trainer", "ours-crf"))]
            for size, entry in throughput.items()]
    blocks = [
        source(name, data),
        f"CUDA tests: {tests.get('tests')} run, {tests.get('failures')} failed, {tests.get('errors')} errors; "
        f"{data['seconds']} s in all.",
        _table(["size", "ours / Trainer, training tokens/s", "CRF / Apt training time",
                "peak GPU MB, ours Apt", "Trainer", "ours CRF"], rows),
    ]
    steady = [[size, side, values.get("steady_train_tokens_per_second", "failed"),
               values.get("first_epoch_extra_seconds", "--"), entry["steady_ratio_over_trainer"].get(side, "--")]
              for size, entry in throughput.items() if "steady_ratio_over_trainer" in entry
              for side, values in entry["sides"].items()]
    if steady:
        blocks += ["Steady training rate (the last epoch; a compile happens in the first, whose extra seconds are "
                   "shown), and over `Trainer`'s:",
                   _table(["size", "side", "tokens/s", "first epoch's extra s", "over Trainer"], steady)]
    packing = data.get("packing")
    if packing:
        blocks += ["Jobs sharing the GPU (`gpu_packing.py`, BERT-base-size CRF at batch 14):",
                   _table(["jobs at once", "finished", "aggregate tokens/s", "over one job alone", "overlap"],
                          [[k, v["finished"], v["aggregate_tokens_per_second"], v["speedup_over_one_job"], v["overlap"]]
                           for k, v in packing.items()])]
    failed = [f"- {size}, {side}: {values['errors'][0][:200]}" for size, entry in throughput.items()
              for side, values in entry["sides"].items() if values.get("errors")]
    if failed:
        blocks += ["Failed sides (the error, cut):\n\n" + "\n".join(failed)]
    return "\n\n".join(blocks)


def render_projected_study_gpu(results: Path) -> str:
    """The study at n2c2 size on one GPU, projected from the measured steps (benchmarks/project_study_gpu.py)."""
    name = "gpu/projected_study.json"
    data = load(results, name)
    if data is None:
        return not_measured(name, "python benchmarks/project_study_gpu.py --output benchmarks/results/" + name)
    measured = data["measured"]
    heads = ("apt", "crf", "trainer")
    use = measured.get("utilisation", {})

    def utilised(size: str, head: str) -> str:
        share = use.get(size, {}).get("sides", {}).get(head, {}).get("model_flops_utilisation")
        return "--" if share is None else f"{share:.2%}"

    costs = [[cost["size"], layers, *(f"{1 / cost['seconds_per_step'][head]:.1f}" for head in heads),
              *(utilised(cost["size"], head) for head in heads)]
             for layers, cost in measured["step_costs"].items()]
    compiled = all("ours_fastest_measured" in entry for entry in data["plans"].values())
    plans = [[plan, entry["ours"]["runs"], f"{entry['ours']['steps']:,}", entry["ours"]["minutes"],
              *([entry["ours_fastest_measured"]["minutes"]] if compiled else []),
              entry["ours"]["steps_per_second_needed_for_target"], entry["trainer_over_ours_apt_time"]]
             for plan, entry in data["plans"].items()]
    fastest = ["at the fastest measured side (compiled: compile counted per run)"] if compiled else []
    sizes = data["study_sentences"]
    return "\n\n".join([
        source(name, data),
        f"Measured on {measured['device']} at batch {measured['batch_size']} (`{measured['file']}`): steps per second, "
        "and model FLOP utilisation (training FLOPs a token as Kaplan et al. count them, times tokens/s, over the "
        "GPU's dense bf16 peak):",
        _table(["size", "layers", "steps/s ours Apt", "ours CRF", "Trainer", "MFU ours Apt", "ours CRF", "Trainer"],
               costs),
        f"Planned at the study's sizes ({sizes['train']:,} training, {sizes['val']:,} validation, {sizes['test']:,} test "
        f"sentences; down-sampled training {sizes['downsampled_share']:.0%} of them), every run's epochs and batch size "
        f"from `config/paper.yaml`:",
        _table(["plan", "training runs", "steps", "minutes on one GPU", *fastest,
                f"steps/s for {data['target_minutes']:g} min", "Trainer / ours, Apt models"], plans),
        *packed_lines(data),
    ])


def packed_lines(data: dict[str, Any]) -> list[str]:
    """The plans' wall time with K jobs sharing the GPU, where the GPU check measured packing."""
    packing = data["measured"].get("packing")
    if not packing:
        return []
    lines = [f"- {plan}: " + "; ".join(f"{k} jobs at once {v['minutes']} min (speed-up {v['speedup']}, "
                                        f"overlap {v['overlap']})" for k, v in entry["ours_packed"].items())
             for plan, entry in data["plans"].items() if entry.get("ours_packed")]
    return [f"With jobs sharing the GPU (`{packing['file']}`, measured on {packing['device']}), the eager plan's "
            "wall time, each run slowed by K over the measured speed-up:\n\n" + "\n".join(lines)] if lines else []


def _score(row: dict[str, Any], metric: str) -> str:
    low, high = row[f"{metric}_ci"]
    spread = f" ± {row[f'{metric}_sd']:.3f}" if len(row["seeds"]) > 1 else ""
    return f"{row[f'{metric}_mean']:.3f}{spread} [{low:.3f}, {high:.3f}]"


def _p(value: float | None) -> str:
    return "ref" if value is None else ("< 0.001" if value < 0.001 else f"{value:.3f}")


def render_phee_study(results: Path, name: str = "phee_study.json", overlay: str = "") -> str:
    """The PHEE study (benchmarks/phee_study.py, with `overlay` when set): every model's span F1 with interval
    and p-value against the best from-scratch model, what task adaptation changed, and where pre-training
    stops paying."""
    data = load(results, name)
    if data is None:
        return not_measured(name, "python benchmarks/phee_study.py --phee ../shared/data/phee "
                                  + (f"--overlay {overlay} --results results-phee-mpnet " if overlay else "")
                                  + "--output benchmarks/results/" + name)
    rows = [[row["label"], row["pretraining"], len(row["seeds"]), _score(row, "span_strict_f1"),
             _score(row, "span_lenient_f1"), _p(row["span_strict_f1_p_vs_best_scratch"])]
            for row in sorted(data["rows"], key=lambda r: -r["span_strict_f1_mean"])]
    parts = [
        source(name, data),
        f"{data['scores']}; p: paired bootstrap against the best from-scratch model ({data['best_from_scratch']}).",
        _table(["model", "encoder", "seeds", "strict F1 (mean ± sd [95% CI])", "lenient F1", "p (strict)"], rows,
               right_from=2),
    ]
    adapted = data.get("adapted_vs_general")
    if adapted:
        parts.append(f"Task-adaptive pre-training ({adapted['adapted']} against {adapted['general']}): "
                     f"{adapted['strict_f1_difference']:+.3f} strict F1, paired p = {_p(adapted['p_value'])}.")
    crossing = [c for c in data["learning_curves"]["crossing"] if c["metric"] == "span_strict_f1"]
    if crossing:
        parts.append("Learning curves (strict span F1, best pre-trained against best from-scratch): "
                     + "; ".join(c["statement"] for c in crossing) + ".")
    parts.append(f"Whole run: {data['wall_seconds'] / 60:.0f} minutes of wall time, "
                 f"{data['jobs'].get('jobs', 0)} jobs.")
    return "\n\n".join(parts)


def render_phee_study_mpnet(results: Path) -> str:
    """The PHEE study with the larger real encoder (config/phee-mpnet.yaml over config/phee.yaml), and its best
    row's mean against the best pre-trained row of the main study (separate runs: a difference of means)."""
    block = render_phee_study(results, "phee_study_mpnet.json", "config/phee-mpnet.yaml")
    larger, main = load(results, "phee_study_mpnet.json"), load(results, "phee_study.json")
    if larger is None or main is None:
        return block
    ours = next(r for r in larger["rows"] if r["label"] == larger["best_pretrained"])
    theirs = next(r for r in main["rows"] if r["label"] == main["best_pretrained"])
    return block + (f"\n\nAgainst {theirs['label']} of `phee_study.json` ({len(theirs['seeds'])} seeds): "
                    f"{ours['span_strict_f1_mean'] - theirs['span_strict_f1_mean']:+.3f} mean strict span F1, "
                    f"{ours['span_lenient_f1_mean'] - theirs['span_lenient_f1_mean']:+.3f} lenient "
                    "(separate runs with the same splits and scorer: a difference of means, not a paired test).")


def render_phee_sweep(results: Path, encoder: str, label: str, configfiles: str) -> str:
    """`phee_sweep.py --encoder <encoder>`: each setting's mean dev span F1 over its seeds, best first."""
    import csv
    import statistics

    name = f"phee_sweep_{encoder}.csv"
    path, origin = results / name, load(results, name + ".provenance.json")
    if origin is None or not path.is_file():
        return not_measured(name, f"python benchmarks/phee_sweep.py --encoder {encoder} {configfiles} "
                                  "--output benchmarks/results/" + name)
    with open(path, encoding="utf-8") as handle:
        runs = list(csv.DictReader(handle))
    by_setting: dict[str, list[dict[str, str]]] = {}
    for run in runs:
        by_setting.setdefault(run["setting"], []).append(run)

    def mean(group: list[dict[str, str]], key: str) -> float:
        return statistics.mean(float(run[key]) for run in group)

    rows = [[setting, group[0]["value"] or "(its config)", len(group), f"{mean(group, 'dev_span_strict_micro_f1'):.4f}",
             f"{mean(group, 'dev_span_lenient_micro_f1'):.4f}", f"{mean(group, 'dev_macro_bio_strict_f1'):.4f}",
             "/".join(f"{run['best_epoch']} of {run['epochs_run']}" for run in group), f"{mean(group, 'seconds'):.0f}"]
            for setting, group in sorted(by_setting.items(), key=lambda item: -mean(item[1], "dev_span_strict_micro_f1"))]
    return "\n\n".join([source(name, origin), f"PHEE dev, {label} CRF; mean over the seeds run, best first:",
                        _table(["setting", "value", "seeds", "dev strict span F1", "dev lenient span F1",
                                "dev macro BIO-strict F1", "epoch kept", "seconds a run"], rows, right_from=2)])


def render_phee_sweep_minilm(results: Path) -> str:
    return render_phee_sweep(results, "minilm", "MiniLM-L6", "--configfile config/phee.yaml")


def render_phee_sweep_mpnet(results: Path) -> str:
    return render_phee_sweep(results, "mpnet", "MPNet-base",
                             "--configfile config/phee.yaml --configfile config/phee-mpnet.yaml")


PHEE_TAGGERS = {"ours_minilm_crf": "ours, MiniLM-L6 CRF", "ours_minilm_crf_quantized": "ours, MiniLM-L6 CRF, `--quantize`",
                "hf_pipeline": "HF pipeline, same encoder and weights (arg-max)",
                "sklearn_crfsuite": "feature CRF (sklearn-crfsuite)", "spacy_blank_en": "spaCy blank-`en` NER"}


def render_predict_speed_phee(results: Path) -> str:
    """`predict_speed.py --corpus phee`: notes/s end to end and model only, ratios to the HF pipeline, F1."""
    name = "predict_speed_phee.json"
    data = load(results, name)
    if data is None:
        return not_measured(name, "python benchmarks/predict_speed.py --corpus phee --threads 1 --output "
                                  "benchmarks/results/" + name)
    e2e, only = data["notes_per_second_end_to_end"], data["notes_per_second_model_only"]
    ratios = data["ratios_vs_hf_pipeline"]
    rows = []
    for key, label in PHEE_TAGGERS.items():
        if key not in e2e:
            continue
        f1 = data["span_f1"].get(key, {})
        rows.append([label, f"{e2e[key]['wall']:,.1f}", ratios["end_to_end"].get(key, {}).get("wall", 1),
                     f"{only[key]['wall']:,.1f}", ratios["model_only"].get(key, {}).get("wall", 1),
                     f"{f1.get('strict', float('nan')):.3f} / {f1.get('lenient', float('nan')):.3f}"])
    cpu = ratios["end_to_end"]
    return "\n\n".join([
        source(name, data),
        f"{data['corpus']['test_notes']} PHEE test notes, {data['threads']} torch thread(s), medians of "
        f"{data['repeats']} interleaved repeats; fine-tuning: {data['encoder']['fine_tuning']['epochs']} epoch(s), "
        f"{data['encoder']['fine_tuning']['seconds']} s.",
        _table(["tagger", "notes/s end to end", "vs HF pipeline", "notes/s model only", "vs HF pipeline",
                "strict / lenient span F1"], rows),
        f"In CPU time, end to end: {cpu['ours_minilm_crf']['cpu']}x and {cpu['ours_minilm_crf_quantized']['cpu']}x "
        f"the pipeline. The quantised model's strict span F1 minus the fp32 model's: "
        f"{data['quantized_strict_f1_change']:+.4f}.",
    ])


def run_time(name: str, command: str, jobs: str | None = None) -> Callable[[Path], str]:
    """A block rendering `benchmarks/run_time.py`'s result `name` (of `command`, with the Snakemake benchmark
    folder `jobs`): wall and CPU time, jobs, largest job."""
    options = f"--jobs {jobs} " if jobs else ""

    def render(results: Path) -> str:
        data = load(results, name)
        if data is None:
            return not_measured(
                name, f"python benchmarks/run_time.py {options}--output benchmarks/results/{name} -- {command}")
        line = (f"`{' '.join(data['timed_command'])}`: exit status {data['exit_status']}, "
                f"{data['wall_seconds'] / 60:.1f} minutes of wall time, {data['cpu_seconds']:,.0f} CPU seconds")
        jobs = data.get("jobs")
        if jobs:
            line += f"; {jobs['jobs']} jobs"
            if jobs.get("largest_job"):
                big = jobs["largest_job"]
                line += f", the largest `{big['job']}` (peak RSS {big['max_rss_mb']:,.0f} MB)"
            if "cpu_seconds_outside_jobs" in data:
                line += f"; {data['cpu_seconds_outside_jobs']:,.0f} CPU seconds outside the jobs (Snakemake itself)"
        return source(name, data) + "\n\n" + line + "."

    return render


BLOCKS: dict[str, Callable[[Path], str]] = {
    "run_time_default_dag": run_time("run_time_default_dag.json", ".venv/bin/snakemake --cores 2", "results/benchmarks"),
    **{f"run_time_default_dag_rate_{span}": run_time(
        f"run_time_default_dag_rate_{span}.json", f".venv/bin/snakemake --cores 2{option}", "results/benchmarks")
       for span, option in (("3s", ""), ("1s", " --max-jobs-per-timespan 100/1s"))},
    "run_time_make_test": run_time("run_time_make_test.json", "make test"),
    "run_time_paper_smoke_cpu": run_time("run_time_paper_smoke_cpu.json",
                                         ".venv/bin/snakemake --cores 2 --configfile config/paper-smoke.yaml",
                                         "results-paper-smoke/benchmarks"),
    "run_time_paper_smoke_gpu": run_time("run_time_paper_smoke_gpu.json",
                                         ".venv/bin/snakemake --cores 16 --configfile config/paper-smoke.yaml",
                                         "results-paper-smoke/benchmarks"),
    "train_vs_trainer_cpu": render_train_vs_trainer_cpu,
    "train_speed_cpu": render_train_speed_cpu,
    "predict_speed": render_predict_speed,
    "hf_parity_phee": render_hf_parity_phee,
    "phee_decoding": render_phee_decoding,
    "gpu_check": render_gpu_check,
    "projected_study_gpu": render_projected_study_gpu,
    "phee_study": render_phee_study,
    "phee_study_mpnet": render_phee_study_mpnet,
    "phee_sweep_minilm": render_phee_sweep_minilm,
    "phee_sweep_mpnet": render_phee_sweep_mpnet,
    "predict_speed_phee": render_predict_speed_phee,
}
