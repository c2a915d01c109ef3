"""The whole study's GPU time at n2c2 size, projected from measured step times and the DAG's planned steps.

    python benchmarks/project_study_gpu.py --output benchmarks/results/gpu/projected_study.json

Reads the committed GPU measurement (`benchmarks/results/gpu/train_vs_trainer.json`, written by
`benchmarks/gpu_check.sh`: our training step and the Hugging Face `Trainer`'s at the study's batch size 14,
for the BERT-base and DistilBERT sizes) and the study's plan (`config/paper.yaml` over `config.yaml`, as
the workflow layers them: which models, regimes, seeds, pinned settings or search grid, epochs and batch
sizes). The corpus sizes are the study's own counts (its Section III: 41,497 training, 4,536 validation
and 30,614 test sentences; down-sampling takes the training sentences from about 41,500 to 14,000).

Each training run costs `epochs x ceil(sentences / batch size)` optimiser steps at the measured seconds per
step of its encoder's size (by layer count) and head, plus its per-epoch validation (search candidates) and
its test prediction at the measured sentences per second. The measured step is overhead-bound (about 11
sub-words a sentence, a few hundred tokens a step on a chip built for hundreds of thousands), so a step at
batch 8 is taken to cost what one at batch 14 does; n2c2's longer sentences would add compute the chip has
to spare. In the search plan a final model is costed at its grid's most expensive setting (which one the
selection keeps is known only after the run). Written: every planned run's steps and seconds, the totals
for the study's pinned final settings and for the search (`training.pinned: {}`), the same plan at the
`Trainer`'s measured step (Apt heads: it has no CRF), the step rate that would fit the study in
`--target-minutes`, and beside the measured tokens/s the model FLOP utilisation (model FLOPs a token as
Kaplan et al. 2020 count them, over the GPU's dense bf16 peak from its datasheet). Where the GPU check
measured compiled steps, the plan at each run's fastest side too; where it measured jobs sharing the GPU
(`gpu/gpu_packing.json`), the plan's wall time with K of them at once (`packed`).
"""

from __future__ import annotations

import argparse
import math
import sys
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import content_sha256, emit, provenance
from result_blocks import load
from train_vs_trainer import COMPILE_SUFFIXES

ROOT = Path(__file__).resolve().parents[1]
MEASURED = "gpu/train_vs_trainer.json"
PACKING = "gpu/gpu_packing.json"
STUDY_SENTENCES = {"train": 41_497, "val": 4_536, "test": 30_614}
DOWNSAMPLED_SHARE = 14_000 / 41_500
SIDES = {"apt": "ours-apt", "crf": "ours-crf", "trainer": "hf-trainer"}
COMPILED = tuple(suffix for suffix in COMPILE_SUFFIXES if suffix)  # our sides with a `compile` setting
PEAK_TFLOPS = {"H200": 989.4, "H100": 989.4, "A100": 312.0}
"""Dense bf16 tensor-core peak of a GPU whose name holds the key (NVIDIA's datasheets, SXM parts)."""


def peak_tflops(device: str) -> float | None:
    return next((peak for name, peak in PEAK_TFLOPS.items() if name in device), None)


def training_flops_per_token(encoder: dict[str, Any], mean_length: float) -> float:
    """Model FLOPs of one training token (Kaplan et al. 2020: forward 2N + 2 x layers x context x width, N
    the non-embedding parameters; training three forwards), context the mean sequence length."""
    layers, dim, hidden = encoder["n_layers"], encoder["dim"], encoder["hidden_dim"]
    non_embedding = layers * (4 * dim * dim + 2 * dim * hidden)
    return 3 * (2 * non_embedding + 2 * layers * mean_length * dim)


def measured_sides(entry: dict[str, Any]) -> dict[str, str]:
    """A measured size's sides to cost, key -> side name: ours eager and `Trainer`'s (`SIDES`), and each
    compiled side (`crf+compile`, ...) that was measured without failure."""
    sides = entry["summary"]["sides"]
    compiled = {f"{head}+{mode}": f"ours-{head}+{mode}" for head in ("apt", "crf") for mode in COMPILED
                if "steady_epoch_seconds_median" in sides.get(f"ours-{head}+{mode}", {})}
    return {**SIDES, **compiled}


def flop_utilisation(measured: dict[str, Any]) -> dict[str, Any]:
    """Per measured size: model FLOPs a token, and per side tokens/s, model TFLOP/s and the share of the
    device's peak (model FLOP utilisation; None where the peak is not known)."""
    peak = peak_tflops(measured["device"])
    out = {}
    for entry in measured["sizes"]:
        corpus = entry["corpus"]
        per_token = training_flops_per_token(entry["encoder"], corpus["train_subword_tokens"] / corpus["train_windows"])
        sides = {}
        for head, side in measured_sides(entry).items():
            rate = "steady_train_tokens_per_second" if "+" in head else "train_tokens_per_second"
            tokens = entry["summary"]["sides"][side][rate]
            tflops = tokens * per_token / 1e12
            sides[head] = {"tokens_per_second": tokens, "model_tflops_per_second": round(tflops, 3),
                           "model_flops_utilisation": round(tflops / peak, 5) if peak else None}
        out[entry["size"]] = {"training_flops_per_token": round(per_token), "peak_tflops": peak, "sides": sides}
    return out


def study_config(search: bool) -> dict[str, Any]:
    """The study's configuration as the workflow sees it; with `search`, the grid instead of the pins."""
    from clinical_ner.config import layer_configs, read_config_file, validate_config

    layers = [read_config_file(ROOT / "config.yaml"), read_config_file(ROOT / "config" / "paper.yaml")]
    if search:
        layers.append({"training": {"pinned": {}}})
    return validate_config(layer_configs(layers), check_paths=False)


def encoder_layers(config: dict[str, Any], encoder: str) -> int:
    """Transformer layers of an encoder: its own architecture, or the shipped settings of its hub id."""
    from clinical_ner.models.encoders.shipped import shipped_settings

    entry = config["encoders"][encoder]
    if "n_layers" in entry.get("architecture", {}):
        return int(entry["architecture"]["n_layers"])
    settings = shipped_settings(entry.get("architecture_of") or entry["source"])
    if settings is None:
        raise ValueError(f"encoder {encoder}: no layer count (no architecture and no shipped settings)")
    return int(settings.get("num_hidden_layers") or settings["n_layers"])


def step_costs(measured: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Layer count -> measured size name, and per side seconds per step, prediction sentences per second
    and set-up seconds per run. Eager sides: the overall rate, no set-up. Compiled sides (`crf+compile`,
    ...; where measured without failure): the steady rate, the compile as set-up (their first epoch's
    extra time)."""
    batch = measured["settings"]["batch_size"]
    costs = {}
    for entry in measured["sizes"]:
        steps = math.ceil(entry["corpus"]["train_windows"] / batch) * measured["settings"]["epochs"]
        per_step, predict, setup = {}, {}, {}
        for key, side in measured_sides(entry).items():
            values = entry["summary"]["sides"][side]
            compiled = "+" in key
            per_step[key] = (values["steady_epoch_seconds_median"] * measured["settings"]["epochs"] if compiled
                             else values["train_seconds_median"]) / steps
            predict[key] = values["predict_sentences_per_second"]
            setup[key] = values["first_epoch_extra_seconds"] if compiled else 0.0
        costs[entry["encoder"]["n_layers"]] = {"size": entry["size"], "seconds_per_step": per_step,
                                               "predict_sentences_per_second": predict, "setup_seconds": setup}
    return costs


def fastest(cost: dict[str, Any], head: str, steps: int) -> str:
    """The measured side of `head` (eager or compiled) that trains `steps` steps soonest, set-up included."""
    options = [key for key in cost["seconds_per_step"] if key.split("+")[0] == head]
    return min(options, key=lambda key: cost["setup_seconds"][key] + steps * cost["seconds_per_step"][key])


def sentences(regime: str, part: str) -> int:
    share = DOWNSAMPLED_SHARE if regime == "downsampled" and part != "test" else 1.0
    return round(STUDY_SENTENCES[part] * share)


def run_side(cost: dict[str, Any], head: str, how: str, settings: dict[str, Any], train: int) -> str:
    """The side that costs a run of `head`: `Trainer`'s, ours eager, or (`how` "compiled") our fastest."""
    if how == "trainer":
        return "trainer"
    steps = settings["epochs"] * math.ceil(train / settings["batch_size"])
    return fastest(cost, head, steps) if how == "compiled" else head


def run_cost(cost: dict[str, Any], side: str, settings: dict[str, Any], train: int, validate: int, test: int) -> dict[str, Any]:
    """Steps and seconds of one training run (`validate` sentences scored per epoch) and its test prediction."""
    steps = settings["epochs"] * math.ceil(train / settings["batch_size"])
    predicted = settings["epochs"] * validate + test
    seconds = (cost.get("setup_seconds", {}).get(side, 0.0) + steps * cost["seconds_per_step"][side]
               + predicted / cost["predict_sentences_per_second"][side])
    return {"side": side, "epochs": settings["epochs"], "batch_size": settings["batch_size"], "train_sentences": train,
            "steps": steps, "predicted_sentences": predicted, "seconds": round(seconds, 1)}


def planned_runs(config: dict[str, Any], costs: dict[int, dict[str, Any]], trainer: bool = False,
                 compiled: bool = False) -> list[dict[str, Any]]:
    """Every GPU training run of the plan (search candidates and final models, every regime and seed): at
    our eager step, at `Trainer`'s (Apt models only), or with `compiled` at the fastest measured side of
    each run's head (eager or compiled, the compile's set-up counted per run)."""
    from clinical_ner.config import candidates, pinned_settings, selection_validation, split_model
    from clinical_ner.plan.runs import all_models, model_seeds, regimes

    runs = []
    for model in all_models(config):
        encoder, head = split_model(model)
        if encoder not in config["encoders"] or (trainer and head != "apt"):
            continue
        layers = encoder_layers(config, encoder)
        if layers not in costs:
            done = ", ".join(f"{cost['size']} ({n} layers)" for n, cost in costs.items())
            raise SystemExit(f"encoder {encoder}: {layers} layers, but the GPU check measured only {done}")
        cost = costs[layers]
        side_for = partial(run_side, cost, head, "trainer" if trainer else "compiled" if compiled else "eager")
        for regime in regimes(config):
            train = sentences(regime, "train")
            final_train = train + (sentences(regime, "val") if config["training"]["retrain_on_train_val"] else 0)
            pinned = pinned_settings(config, model)
            for seed in model_seeds(config, model):
                base = {"model": model, "regime": regime, "seed": seed, "size": cost["size"]}
                if pinned is None:
                    grid = candidates(config, encoder)
                    validate = sentences(selection_validation(config, regime), "val")
                    for name, settings in grid.items():
                        runs.append({**base, "run": f"candidate {name}",
                                     **run_cost(cost, side_for(settings, train), settings, train, validate, 0)})
                    final = max(grid.values(), key=lambda s: s["epochs"] * math.ceil(final_train / s["batch_size"]))
                else:
                    final = pinned
                runs.append({**base, "run": "final", **run_cost(cost, side_for(final, final_train), final, final_train,
                                                                 0, sentences(regime, "test"))})
    return runs


def packed(runs: list[dict[str, Any]], packing: dict[str, Any]) -> dict[str, Any]:
    """The plan's wall time with K jobs sharing the GPU, for each K that `benchmarks/gpu_packing.py` measured
    (all K finished): every run slowed by K over the measured speed-up, the runs dealt longest first to
    whichever of the K slots frees up first."""
    out = {}
    for measured in packing["runs"]:
        k, speedup = measured["jobs"], measured.get("speedup_over_one_job")
        if k == 1 or measured["finished"] < k or not speedup:
            continue
        slowdown = k / speedup
        slots = [0.0] * k
        for seconds in sorted((r["seconds"] for r in runs), reverse=True):
            slots[slots.index(min(slots))] += seconds * slowdown
        out[str(k)] = {"speedup": speedup, "overlap": measured["overlap"], "slowdown_per_job": round(slowdown, 3),
                       "minutes": round(max(slots) / 60, 1)}
    return out


def total(runs: list[dict[str, Any]], target_seconds: float) -> dict[str, Any]:
    seconds = sum(r["seconds"] for r in runs)
    steps = sum(r["steps"] for r in runs)
    return {"runs": len(runs), "steps": steps, "seconds": round(seconds, 1), "minutes": round(seconds / 60, 1),
            "steps_per_second_needed_for_target": round(steps / target_seconds, 1)}


def project(measured: dict[str, Any], target_minutes: float, packing: dict[str, Any] | None = None) -> dict[str, Any]:
    costs = step_costs(measured)
    target = target_minutes * 60
    plans = {}
    for plan, search in (("pinned", False), ("search", True)):
        config = study_config(search)
        ours, trainer = planned_runs(config, costs), planned_runs(config, costs, trainer=True)
        apt = [r for r in ours if r["model"].endswith("-apt")]
        plans[plan] = {"ours": total(ours, target), "ours_apt_models": total(apt, target),
                       "ours_fastest_measured": total(planned_runs(config, costs, compiled=True), target),
                       "trainer_apt_models": total(trainer, target),
                       "trainer_over_ours_apt_time": round(sum(r["seconds"] for r in trainer) /
                                                            sum(r["seconds"] for r in apt), 3),
                       "ours_packed": packed(ours, packing) if packing else None,
                       "runs": ours}
    return {
        "benchmark": "project_study_gpu",
        "measured": {"file": f"benchmarks/results/{MEASURED}", "content_sha256": measured["provenance"]["content_sha256"],
                     "device": measured["device"], "batch_size": measured["settings"]["batch_size"],
                     "step_costs": {str(layers): cost for layers, cost in sorted(costs.items())},
                     "utilisation": flop_utilisation(measured),
                     "packing": {"file": f"benchmarks/results/{PACKING}",
                                 "content_sha256": packing["provenance"]["content_sha256"],
                                 "device": packing["device"], "train_speed_args": packing["train_speed_args"]}
                     if packing else None},
        "study_sentences": {**STUDY_SENTENCES, "downsampled_share": round(DOWNSAMPLED_SHARE, 4)},
        "target_minutes": target_minutes,
        "plans": plans,
    }


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--target-minutes", type=float, default=20.0)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    origin = provenance(__file__, argv)
    measured = load(args.results, MEASURED)
    if measured is None:
        print(f"no GPU measurement at {args.results / MEASURED} (bash benchmarks/gpu_check.sh writes it): nothing to do")
        return None
    packing = load(args.results, PACKING)
    for name, data in ((MEASURED, measured), (PACKING, packing)):
        if data is not None and data["provenance"].get("content_sha256") != content_sha256(data):
            raise SystemExit(f"{args.results / name}: its content hash does not match (edited by hand?)")
    result = project(measured, args.target_minutes, packing)
    for plan, entry in result["plans"].items():
        print(f"{plan}: {entry['ours']['runs']} runs, {entry['ours']['steps']:,} steps, {entry['ours']['minutes']} min "
              f"on one GPU; {entry['ours']['steps_per_second_needed_for_target']} steps/s would fit "
              f"{args.target_minutes:g} min; Trainer / ours (Apt models): {entry['trainer_over_ours_apt_time']}; "
              f"at the fastest measured side of each head: {entry['ours_fastest_measured']['minutes']} min; "
              f"with K jobs sharing the GPU: {({k: v['minutes'] for k, v in (entry['ours_packed'] or {}).items()})}")
    return emit(result, args.output, echo=False, provenance_=origin)


if __name__ == "__main__":
    main(sys.argv[1:])
