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
Kaplan et al. 2020 count them, over the GPU's dense bf16 peak from its datasheet).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import content_sha256, emit, provenance
from result_blocks import load

ROOT = Path(__file__).resolve().parents[1]
MEASURED = "gpu/train_vs_trainer.json"
STUDY_SENTENCES = {"train": 41_497, "val": 4_536, "test": 30_614}
DOWNSAMPLED_SHARE = 14_000 / 41_500
SIDES = {"apt": "ours-apt", "crf": "ours-crf", "trainer": "hf-trainer"}
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


def flop_utilisation(measured: dict[str, Any]) -> dict[str, Any]:
    """Per measured size: model FLOPs a token, and per side tokens/s, model TFLOP/s and the share of the
    device's peak (model FLOP utilisation; None where the peak is not known)."""
    peak = peak_tflops(measured["device"])
    out = {}
    for entry in measured["sizes"]:
        corpus = entry["corpus"]
        per_token = training_flops_per_token(entry["encoder"], corpus["train_subword_tokens"] / corpus["train_windows"])
        sides = {}
        for head, side in SIDES.items():
            tokens = entry["summary"]["sides"][side]["train_tokens_per_second"]
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
    """Layer count -> measured size name, seconds per step per side and prediction sentences per second."""
    batch = measured["settings"]["batch_size"]
    costs = {}
    for entry in measured["sizes"]:
        steps = math.ceil(entry["corpus"]["train_windows"] / batch) * measured["settings"]["epochs"]
        sides = entry["summary"]["sides"]
        costs[entry["encoder"]["n_layers"]] = {
            "size": entry["size"],
            "seconds_per_step": {head: sides[side]["train_seconds_median"] / steps for head, side in SIDES.items()},
            "predict_sentences_per_second": {head: sides[side]["predict_sentences_per_second"]
                                             for head, side in SIDES.items()},
        }
    return costs


def sentences(regime: str, part: str) -> int:
    share = DOWNSAMPLED_SHARE if regime == "downsampled" and part != "test" else 1.0
    return round(STUDY_SENTENCES[part] * share)


def run_cost(cost: dict[str, Any], side: str, settings: dict[str, Any], train: int, validate: int, test: int) -> dict[str, Any]:
    """Steps and seconds of one training run (`validate` sentences scored per epoch) and its test prediction."""
    steps = settings["epochs"] * math.ceil(train / settings["batch_size"])
    predicted = settings["epochs"] * validate + test
    seconds = steps * cost["seconds_per_step"][side] + predicted / cost["predict_sentences_per_second"][side]
    return {"epochs": settings["epochs"], "batch_size": settings["batch_size"], "train_sentences": train,
            "steps": steps, "predicted_sentences": predicted, "seconds": round(seconds, 1)}


def planned_runs(config: dict[str, Any], costs: dict[int, dict[str, Any]], trainer: bool = False) -> list[dict[str, Any]]:
    """Every GPU training run of the plan (search candidates and final models, every regime and seed)."""
    from clinical_ner.config import candidates, pinned_settings, selection_validation, split_model
    from clinical_ner.plan.runs import all_models, model_seeds, regimes

    runs = []
    for model in all_models(config):
        encoder, head = split_model(model)
        if encoder not in config["encoders"] or (trainer and head != "apt"):
            continue
        cost = costs[encoder_layers(config, encoder)]
        side = "trainer" if trainer else head
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
                                     **run_cost(cost, side, settings, train, validate, 0)})
                    final = max(grid.values(), key=lambda s: s["epochs"] * math.ceil(final_train / s["batch_size"]))
                else:
                    final = pinned
                runs.append({**base, "run": "final", **run_cost(cost, side, final, final_train, 0,
                                                                 sentences(regime, "test"))})
    return runs


def total(runs: list[dict[str, Any]], target_seconds: float) -> dict[str, Any]:
    seconds = sum(r["seconds"] for r in runs)
    steps = sum(r["steps"] for r in runs)
    return {"runs": len(runs), "steps": steps, "seconds": round(seconds, 1), "minutes": round(seconds / 60, 1),
            "steps_per_second_needed_for_target": round(steps / target_seconds, 1)}


def project(measured: dict[str, Any], target_minutes: float) -> dict[str, Any]:
    costs = step_costs(measured)
    target = target_minutes * 60
    plans = {}
    for plan, search in (("pinned", False), ("search", True)):
        config = study_config(search)
        ours, trainer = planned_runs(config, costs), planned_runs(config, costs, trainer=True)
        apt = [r for r in ours if r["model"].endswith("-apt")]
        plans[plan] = {"ours": total(ours, target), "ours_apt_models": total(apt, target),
                       "trainer_apt_models": total(trainer, target),
                       "trainer_over_ours_apt_time": round(sum(r["seconds"] for r in trainer) /
                                                            sum(r["seconds"] for r in apt), 3),
                       "runs": ours}
    return {
        "benchmark": "project_study_gpu",
        "measured": {"file": f"benchmarks/results/{MEASURED}", "content_sha256": measured["provenance"]["content_sha256"],
                     "device": measured["device"], "batch_size": measured["settings"]["batch_size"],
                     "step_costs": {str(layers): cost for layers, cost in sorted(costs.items())},
                     "utilisation": flop_utilisation(measured)},
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
    if measured["provenance"].get("content_sha256") != content_sha256(measured):
        raise SystemExit(f"{args.results / MEASURED}: its content hash does not match (edited by hand?)")
    result = project(measured, args.target_minutes)
    for plan, entry in result["plans"].items():
        print(f"{plan}: {entry['ours']['runs']} runs, {entry['ours']['steps']:,} steps, {entry['ours']['minutes']} min "
              f"on one GPU; {entry['ours']['steps_per_second_needed_for_target']} steps/s would fit "
              f"{args.target_minutes:g} min; Trainer / ours (Apt models): {entry['trainer_over_ours_apt_time']}")
    return emit(result, args.output, echo=False, provenance_=origin)


if __name__ == "__main__":
    main(sys.argv[1:])
