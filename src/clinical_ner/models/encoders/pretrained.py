"""Pre-trained encoders: Hugging Face models from a hub id or a local folder (one code path; package sources
and the folders the pipeline builds are resolved to folders before they get here)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clinical_ner.models.encoders.bilstm import is_bilstm_folder, load_bilstm
from clinical_ner.models.encoders.kinds import resolve_source
from clinical_ner.models.encoders.spec import EncoderUnavailableError


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence the progress bars and info logging of transformers for the duration of a block (nothing to
    silence, and nothing imported, when transformers is not loaded: BiLSTM models)."""
    if "transformers" not in sys.modules:
        yield
        return
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def is_local_source(source: str | Path) -> bool:
    """True when `source` names an existing local folder or a package's (the only thing `load_pretrained`
    branches on)."""
    return Path(resolve_source(str(source))).expanduser().is_dir()


def _auto_classes() -> tuple[Any, Any]:
    """(AutoModel, AutoTokenizer): the only classes used to load pre-trained encoders."""
    from transformers import AutoModel, AutoTokenizer

    return AutoModel, AutoTokenizer


def load_pretrained(source: str | Path, tokenizer_only: bool = False) -> tuple[Any, Any]:
    """Load (model, tokenizer) with AutoModel/AutoTokenizer from a hub id or a local folder (with
    `tokenizer_only`, (None, tokenizer)).

    One code path: a local folder is passed as a path with ``local_files_only=True``; anything else is
    treated as a hub id (served from the local Hugging Face cache when offline). A hub id that cannot be
    fetched raises `EncoderUnavailableError` explaining how to provide the weights.
    """
    source = resolve_source(str(source))
    local = is_local_source(source)
    if local and is_bilstm_folder(Path(source).expanduser()):
        return load_bilstm(Path(source).expanduser())
    auto_model, auto_tokenizer = _auto_classes()
    location = str(Path(source).expanduser()) if local else str(source)
    kwargs: dict[str, Any] = {"local_files_only": True} if local else {}
    try:
        with quiet_transformers():
            tokenizer = auto_tokenizer.from_pretrained(location, **kwargs)
            model = None if tokenizer_only else auto_model.from_pretrained(location, **kwargs)
    except (OSError, ValueError) as error:
        if local:
            raise EncoderUnavailableError(
                f"the folder {location!r} does not hold a loadable Hugging Face encoder "
                f"(expected config.json, weights and tokenizer files written by save_pretrained): {error}"
            ) from error
        raise EncoderUnavailableError(
            f"could not load the encoder {location!r} from the Hugging Face hub or the local cache "
            f"(no network access or unknown id). Where there is network access, run "
            f"`huggingface-cli download {location}` (fills the cache this job reads; copy the cache to this "
            f"machine if needed), or download it to a local folder with `huggingface-cli download {location} "
            f"--local-dir models/{location.replace('/', '--')}` and set the encoder source to that folder. "
            f"Original error: {error}"
        ) from error
    return model, tokenizer
