"""Training loop: determinism, selection and early stopping, outputs; a from-scratch model that learns."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import helpers_models
import pytest
import torch
from sklearn.metrics import f1_score

from clinical_ner.evaluation.metrics import macro_f1
from clinical_ner.labels import ENTITY_TYPES, bio_labels, token_level
from clinical_ner.models.tagger import Tagger
from clinical_ner.models.train.job import train
from clinical_ner.models.train.loop import HISTORY_COLUMNS, length_batches, validation_scores
from clinical_ner.models.train.settings import TrainSettings
from clinical_ner.models.units.alignment import Window

LABELS = bio_labels()
TRAIN = helpers_models.make_sentences(60, seed=11)
VAL = helpers_models.make_sentences(20, seed=12)
STABLE = ("epoch", "train_loss", "val_loss", "val_macro_f1", "learning_rate")


def read_history(folder: Path) -> list[dict[str, str]]:
    with open(folder / "history.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def run(tmp: Path, name: str, head: str = "crf", val=VAL, checkpoint_dir=None, checkpoint_seconds=600.0,
        **changes) -> dict:
    settings = helpers_models.tiny_settings(**{"epochs": 2, **changes})
    return train(helpers_models.tiny_scratch_spec(), head, LABELS, settings, TRAIN, val, tmp / name,
                 checkpoint_dir=checkpoint_dir, checkpoint_seconds=checkpoint_seconds)


def test_length_batches_cover_everything_once_and_are_seeded() -> None:
    windows = [Window(i, 0, [0] * (3 + i % 7), [1]) for i in range(103)]
    batches = length_batches(windows, 8, random.Random(1))
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(103)) and max(len(b) for b in batches) == 8
    for b in batches:  # one bucket here (103 < 50 * 8): each batch is a run of sorted lengths
        assert [len(windows[i]) for i in b] == sorted(len(windows[i]) for i in b)
    assert batches == length_batches(windows, 8, random.Random(1))
    assert batches != length_batches(windows, 8, random.Random(2))


def test_settings_round_trip_and_unknown_keys() -> None:
    settings = TrainSettings(learning_rate=1e-3, epochs=4)
    assert TrainSettings.from_dict(settings.to_dict()) == settings
    with pytest.raises(ValueError, match="unknown training setting"):
        TrainSettings.from_dict({"lr": 1e-3})


def test_training_is_deterministic_and_writes_outputs(tmp_path: Path) -> None:
    first = run(tmp_path, "a")
    second = run(tmp_path, "b")
    run(tmp_path, "c", seed=8)
    ha, hb, hc = (read_history(tmp_path / n) for n in "abc")
    assert list(ha[0]) == list(HISTORY_COLUMNS) and len(ha) == 2
    assert [[r[k] for k in STABLE] for r in ha] == [[r[k] for k in STABLE] for r in hb]
    assert [[r[k] for k in STABLE] for r in ha] != [[r[k] for k in STABLE] for r in hc]
    for key in ("best_epoch", "best_val_macro_f1", "best_val_loss", "parameters"):
        assert first[key] == second[key]
    a, b = Tagger.load(tmp_path / "a"), Tagger.load(tmp_path / "b")
    sentences = VAL + helpers_models.make_sentences(10, seed=99)
    assert a.predict(sentences) == b.predict(sentences)
    # summary.json on disk equals the returned summary and names what the study needs
    on_disk = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(first))
    for key in ("best_epoch", "best_val_macro_f1", "best_val_loss", "parameters", "device", "seconds"):
        assert key in on_disk
    assert on_disk["parameters"]["total"] == on_disk["parameters"]["encoder"] + on_disk["parameters"]["head"]
    assert on_disk["train_windows"]["windows"] == on_disk["n_train_windows"] >= on_disk["n_train_sentences"]
    assert (tmp_path / "a" / "tagger.json").is_file() and (tmp_path / "a" / "encoder" / "config.json").is_file()
    # the saved model is the selected epoch's: re-evaluating it gives the recorded validation scores
    loss, scores, _ = validation_scores(a, VAL, 16)
    f1 = scores["f1"]
    assert f1 == pytest.approx(first["best_val_macro_f1"], abs=1e-5)
    assert loss == pytest.approx(first["best_val_loss"], abs=1e-4)


def test_without_validation_trains_exactly_the_epochs(tmp_path: Path) -> None:
    summary = run(tmp_path, "noval", head="apt", val=None, epochs=3, patience=1)
    history = read_history(tmp_path / "noval")
    assert [r["epoch"] for r in history] == ["1", "2", "3"]
    assert all(r["val_loss"] == "" and r["val_macro_f1"] == "" for r in history)
    assert summary["best_epoch"] == 3 and summary["best_val_macro_f1"] is None and not summary["stopped_early"]
    assert float(history[-1]["learning_rate"]) == pytest.approx(0.0, abs=1e-12)  # linear decay to zero


def test_max_steps_ends_the_epoch_reaching_it_and_spans_the_schedule(tmp_path: Path) -> None:
    settings = helpers_models.tiny_settings(epochs=3)
    steps_per_epoch = -(-len(TRAIN) // settings.batch_size)
    cap = steps_per_epoch + 1  # one step into the second epoch
    lines: list[str] = []
    summary = train(helpers_models.tiny_scratch_spec(), "apt", LABELS, helpers_models.tiny_settings(epochs=3, max_steps=cap),
                    TRAIN, VAL, tmp_path / "capped", log=lines.append)
    history = read_history(tmp_path / "capped")
    assert [r["epoch"] for r in history] == ["1", "2"]
    assert [int(r["steps"]) for r in history] == [steps_per_epoch, cap]
    assert [r["max_steps_reached"] for r in history] == ["False", "True"]
    assert history[-1]["val_macro_f1"] != ""  # the capped epoch is still evaluated
    assert float(history[-1]["learning_rate"]) == pytest.approx(0.0, abs=1e-12)  # decayed over the capped steps
    assert summary["steps"] == cap and summary["max_steps_reached"] and summary["epochs_run"] == 2
    assert any(f"max_steps={cap} reached" in line for line in lines)
    uncapped = run(tmp_path, "uncapped", head="apt", epochs=1, max_steps=10 * steps_per_epoch)
    assert uncapped["steps"] == steps_per_epoch and not uncapped["max_steps_reached"]


def test_early_stopping_keeps_the_best_epoch(tmp_path: Path) -> None:
    # a learning rate too small to change anything: no epoch after the first can improve
    summary = run(tmp_path, "stop", epochs=6, patience=2, learning_rate=1e-12)
    assert summary["epochs_run"] == 3 and summary["stopped_early"] and summary["best_epoch"] == 1


def token_entity_f1(gold: list[list[str]], pred: list[list[str]]) -> float:
    y_true = [t for row in gold for t in token_level(row)]
    y_pred = [t for row in pred for t in token_level(row)]
    return float(f1_score(y_true, y_pred, labels=list(ENTITY_TYPES), average="micro", zero_division=0))


@pytest.mark.slow
@pytest.mark.parametrize("head", ["crf", "apt"])
def test_scratch_model_learns_synthetic_corpus(tmp_path: Path, head: str) -> None:
    data = helpers_models.synthetic_sentences(tmp_path / "corpus", 30, 10, seed=3)
    if data is None:  # data layer absent: the template corpus
        data = {"train": helpers_models.make_sentences(400, seed=1), "test": helpers_models.make_sentences(100, seed=2)}
    train_sentences, val_sentences = data["train"], data["test"]
    spec = helpers_models.tiny_scratch_spec(
        n_layers=2, dim=64, n_heads=4, hidden_dim=128, vocab_size=2000, max_position_embeddings=128
    )
    settings = helpers_models.tiny_settings(epochs=6, learning_rate=2e-3, batch_size=16, max_length=128, patience=3)
    summary = train(spec, head, LABELS, settings, train_sentences, val_sentences, tmp_path / "model")
    gold = [s.tags for s in val_sentences]
    majority = macro_f1(gold, [["O"] * len(g) for g in gold], LABELS)
    tagger = Tagger.load(tmp_path / "model")
    pred = tagger.predict(val_sentences)
    assert [len(p) for p in pred] == [len(g) for g in gold]
    assert summary["best_val_macro_f1"] > max(3 * majority, 0.3)
    assert macro_f1(gold, pred, LABELS) == pytest.approx(summary["best_val_macro_f1"], abs=1e-5)
    assert token_entity_f1(gold, pred) > 0.5
    assert token_entity_f1(gold, [["O"] * len(g) for g in gold]) == 0.0


class Killed(Exception):
    pass


def weights(folder: Path) -> dict:
    return Tagger.load(folder).state_dict()


def test_a_killed_run_resumes_mid_epoch_to_the_same_result(tmp_path: Path, monkeypatch) -> None:
    """Checkpoint after every step; kill at step 11 (epoch 2 of 3, 8 steps each); the re-run resumes there
    and ends with the weights and history of an uninterrupted run. A stale checkpoint is ignored."""
    import clinical_ner.models.train.loop as trainer_module

    whole = run(tmp_path, "whole", epochs=3, checkpoint_dir=tmp_path / "ck-whole")
    assert not (tmp_path / "ck-whole").exists()  # removed once the outputs are written

    step = trainer_module.Trainer.step
    calls = []

    def dying_step(self, batch_ids):
        if len(calls) == 11:
            raise Killed
        calls.append(1)
        return step(self, batch_ids)

    monkeypatch.setattr(trainer_module.Trainer, "step", dying_step)
    with pytest.raises(Killed):
        run(tmp_path, "resumed", epochs=3, checkpoint_dir=tmp_path / "ck", checkpoint_seconds=0)
    monkeypatch.setattr(trainer_module.Trainer, "step", step)
    state = torch.load(tmp_path / "ck" / "checkpoint.pt", weights_only=False)
    assert len(state["history"]) == 1 and len(state["partial_epoch"]["losses"]) == 3 and state["global_step"] == 11
    messages: list[str] = []
    settings = helpers_models.tiny_settings(epochs=3)
    resumed = train(helpers_models.tiny_scratch_spec(), "crf", LABELS, settings, TRAIN, VAL, tmp_path / "resumed",
                    log=messages.append, checkpoint_dir=tmp_path / "ck")
    assert any("resumed from checkpoint: 1 epoch(s) done, step 3 of epoch 2" in m for m in messages)
    assert not (tmp_path / "ck").exists()
    stable = lambda folder: [[r[k] for k in STABLE] for r in read_history(folder)]  # noqa: E731
    assert stable(tmp_path / "resumed") == stable(tmp_path / "whole")
    a, b = weights(tmp_path / "whole"), weights(tmp_path / "resumed")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    for key in ("best_epoch", "best_val_macro_f1", "best_val_loss", "epochs_run", "stopped_early"):
        assert resumed[key] == whole[key]

    # a checkpoint of another run (another seed) is not resumed
    with pytest.raises(Killed):
        monkeypatch.setattr(trainer_module.Trainer, "step", dying_step)
        calls.clear()
        run(tmp_path, "other", epochs=3, seed=8, checkpoint_dir=tmp_path / "ck2", checkpoint_seconds=0)
    monkeypatch.setattr(trainer_module.Trainer, "step", step)
    messages.clear()
    train(helpers_models.tiny_scratch_spec(), "crf", LABELS, settings, TRAIN, VAL, tmp_path / "fresh",
          log=messages.append, checkpoint_dir=tmp_path / "ck2")
    assert any("another run; starting afresh" in m for m in messages)
    assert stable(tmp_path / "fresh") == stable(tmp_path / "whole")


def test_progress_lines_name_epoch_step_speed_loss_and_time_left() -> None:
    from clinical_ner.models.train.progress import Progress, duration

    now = [0.0]
    lines: list[str] = []
    progress = Progress(lines.append, total_steps=100, every=30.0, clock=lambda: now[0])
    for step in range(1, 41):  # 2 s per step of 500 tokens: a line every 30 s, not every step
        now[0] += 2.0
        progress.step(1, 5, step, 40, step, 0.5, 500)
    assert len(lines) == 2
    assert lines[0] == "epoch 1/5 step 15/40 (total 15/100): loss 0.5000, 250 tokens/s, about 2m50s left"
    assert duration(3725) == "1h02m" and duration(59) == "59s"


def test_linear_schedule_matches_transformers() -> None:
    from transformers import get_linear_schedule_with_warmup

    from clinical_ner.models.train.loop import linear_schedule

    def factors(make) -> list[float]:
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        schedule = make(optimizer, 3, 11)
        out = []
        for _ in range(13):
            out.append(schedule.get_last_lr()[0])
            optimizer.step()
            schedule.step()
        return out

    assert factors(linear_schedule) == factors(get_linear_schedule_with_warmup)


def _steps(compile_encoder: bool | str, n_steps: int = 3) -> tuple[list[torch.Tensor], dict[str, torch.Tensor]]:
    from clinical_ner.models.train.job import build_tagger
    from clinical_ner.models.train.loop import Trainer

    settings = helpers_models.tiny_settings(epochs=1, batch_size=8, compile=compile_encoder)
    tagger = build_tagger(helpers_models.tiny_scratch_spec(), "crf", LABELS, settings, TRAIN)
    trainer = Trainer(tagger, settings, tagger.windows(TRAIN, with_labels=True), None)
    tagger.train()
    losses = [trainer.step(range(8 * k, 8 * k + 8 + k))[0] for k in range(n_steps)]  # batches of 8, 9, 10
    return losses, {k: v.detach().clone() for k, v in tagger.state_dict().items()}


def test_a_step_leaves_its_loss_on_the_device_detached() -> None:
    losses, _ = _steps(False, n_steps=1)
    assert isinstance(losses[0], torch.Tensor) and losses[0].dim() == 0 and not losses[0].requires_grad


@pytest.mark.slow
@pytest.mark.parametrize("mode", [True, "cudagraphs"])
def test_compiled_steps_give_the_eager_results(mode: bool | str) -> None:
    """`compile: true` (torch.compile of the encoder, dynamic shapes, dropout drawn as in eager mode) and
    `compile: cudagraphs` (the same with CUDA graphs; on a CPU without them): the same losses and weights
    as the eager steps up to rounding (about 20-50 s of compiling on a CPU)."""
    eager_losses, eager = _steps(False)
    compiled_losses, compiled = _steps(mode)
    assert torch.allclose(torch.stack(eager_losses), torch.stack(compiled_losses), rtol=1e-4, atol=1e-4)
    for name, value in eager.items():
        assert torch.allclose(value, compiled[name], rtol=1e-3, atol=1e-4), name


def test_the_head_learns_at_its_own_rate_when_one_is_set() -> None:
    from clinical_ner.models.train.loop import build_optimizer

    tagger = helpers_models.tiny_tagger("crf")
    names = {id(p): n for n, p in tagger.named_parameters()}

    def rates(optimizer: torch.optim.Optimizer) -> dict[str, tuple[float, float]]:
        return {names[id(p)]: (g["lr"], g["weight_decay"]) for g in optimizer.param_groups for p in g["params"]}

    same = rates(build_optimizer(tagger, helpers_models.tiny_settings(learning_rate=1e-4, weight_decay=0.01)))
    assert {lr for lr, _ in same.values()} == {1e-4}
    own = rates(build_optimizer(tagger, helpers_models.tiny_settings(learning_rate=1e-4, head_learning_rate=1e-2,
                                                                     weight_decay=0.01)))
    assert set(own) == set(same) == {n for n, p in tagger.named_parameters() if p.requires_grad}
    for name, (lr, decay) in own.items():
        assert lr == (1e-2 if name.startswith("head.") else 1e-4), name
        assert decay == same[name][1]
    assert any(name.startswith("head.") and "transition" in name for name in own)
    assert own["head.linear.weight"][1] == 0.01 and own["head.linear.bias"][1] == 0.0
