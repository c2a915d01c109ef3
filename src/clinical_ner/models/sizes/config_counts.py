"""Parameter counts of every model a configuration defines, before anything is trained (shown by
``clinical-ner validate-config``): the Table I counting (`architectures.parameter_counts`) applied to the
encoder settings of the config."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinical_ner.config import entity_types, model_names, split_model
from clinical_ner.labels import bio_labels
from clinical_ner.models.encoders.kinds import kind_of
from clinical_ner.models.encoders.spec import EncoderSpec, EncoderUnavailableError
from clinical_ner.models.sizes.architectures import encoder_config, parameter_counts


def _spec(name: str, entry: Mapping[str, Any]) -> EncoderSpec:
    fields = {"name": name, "source": entry["source"], **entry.get("architecture", {})}
    fields.update({key: entry[key] for key in ("tokenizer", "architecture_of") if key in entry})
    return EncoderSpec.from_dict(fields)


def _stand_in_config(entry: Mapping[str, Any]) -> Any:
    """The BERT config a stand-in is built with (`build_stand_in_encoder`'s defaults for unset sizes)."""
    import inspect

    from transformers import BertConfig

    from clinical_ner.models.encoders.pretraining import build_stand_in_encoder

    sizes = {name: p.default for name, p in inspect.signature(build_stand_in_encoder).parameters.items()}
    sizes.update({"n_layers" if key == "layers" else key: value for key, value in entry.get("stand_in", {}).items()})
    return BertConfig(
        vocab_size=sizes["vocab_size"], hidden_size=sizes["hidden"], num_hidden_layers=sizes["n_layers"],
        num_attention_heads=sizes["heads"], intermediate_size=sizes["intermediate"],
        max_position_embeddings=sizes["max_position_embeddings"],
    )


def config_parameter_counts(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per `{encoder}-{head}` model: ``model``, ``total`` (None when it cannot be known before
    training) and ``note`` (how the count was made, or why there is none)."""
    n_labels = len(bio_labels(entity_types(config)))
    rows = []
    for model in model_names(config):
        encoder, head = split_model(model)
        entry = config["encoders"][encoder]
        kind, total, note = kind_of(entry["source"]), None, ""
        try:
            if not kind.transformer:
                note = "BiLSTM: its size follows the vocabulary learned on the training split"
            elif kind.name == "stand-in":
                total = parameter_counts(_stand_in_config(entry), head, n_labels)["total"]
                note = "stand-in: at most (vocabulary learned up to stand_in.vocab_size)"
            else:  # a task-adapted encoder has its base checkpoint's architecture
                source = entry["adapt"]["base"] if "adapt" in entry else entry["source"]
                total = parameter_counts(encoder_config(_spec(encoder, {**entry, "source": source})), head,
                                         n_labels)["total"]
                note = ("from scratch, random weights" if kind.from_training_split
                        else f"{kind.pretraining.value}: architecture of {source}")
        except (EncoderUnavailableError, OSError, ValueError) as error:
            note = f"not counted: {str(error).splitlines()[0]}"
        rows.append({"model": model, "total": total, "note": note})
    return rows


def format_counts(rows: list[dict[str, Any]]) -> str:
    """A text table: model, parameters (with thousands separators), note."""
    width = max([len(row["model"]) for row in rows] + [5])
    lines = [f"{'model':<{width}}  {'parameters':>13}  note"]
    for row in rows:
        total = f"{row['total']:,}" if row["total"] is not None else "?"
        lines.append(f"{row['model']:<{width}}  {total:>13}  {row['note']}")
    return "\n".join(lines)
