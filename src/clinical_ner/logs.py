"""Logging set-up shared by the workflow scripts and the command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from clinical_ner.errors import InputError


def configure_logging(log_file: str | Path | None = None, level: int = logging.INFO) -> logging.Logger:
    """Log to stderr and, when given, to a file (the rule's `log:`); return the package logger."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, mode="w", encoding="utf-8"))
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=handlers, force=True)
    sys.excepthook = _report_uncaught
    return logging.getLogger("clinical_ner")


def _report_uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """Bad input is logged as its one-line `file:line: message`; anything else with its traceback."""
    log = logging.getLogger("clinical_ner")
    if isinstance(error, InputError):
        log.error("bad input: %s", error)
    else:
        log.critical("unexpected error", exc_info=(kind, error, trace))
