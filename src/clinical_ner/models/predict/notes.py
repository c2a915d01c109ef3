"""Tag a folder of raw ``.txt`` notes into BRAT ``.ann`` files without ever losing work.

* The notes and their ``.ann`` paths: `note_files` (with ``recursive``, subfolders mirrored under the output).
* Every readable note is tagged; a note that cannot be read (not UTF-8, unreadable file) is skipped and
  reported with its file and reason; the others are unaffected.
* Notes are tagged in chunks of whole notes (up to `chunk_sentences` sentences): all sentences of a chunk
  are batched together, sorted by length, so short notes share batches.
* Each ``.ann`` is written atomically, a chunk's files with one disk sync (`atomic.atomic_write_many`), so
  a crash leaves complete files only (a re-run deletes the temporary files a killed run left); a re-run
  skips notes whose ``.ann`` is newer than both the note and the model, unless the last report names another
  model, confidence floor or quantisation (`run_settings`; then, as with ``overwrite``, all are re-tagged).
* Each entity carries its confidence (`predict.CONFIDENCE_RULE`) as a BRAT note line; entities below
  `min_confidence` are left out and counted.
* ``predict_report.json`` in the output folder: the `run_settings`, notes found, read, tagged, up to date,
  skipped (by reason, with files), hidden files and folders left out, sentences, tokens, entities by type; no
  timings, so the same notes and model give the same file (the returned dict adds ``timing``: device,
  threads, seconds, sentences/s).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clinical_ner.atomic import atomic_write_many, atomic_write_text, remove_leftovers
from clinical_ner.data.bio import text_to_sentences
from clinical_ner.data.brat import confidence_note, format_ann, read_text
from clinical_ner.data.records import Sentence
from clinical_ner.errors import InputError
from clinical_ner.models.device import describe, torch_threads
from clinical_ner.models.predict.note_files import find_notes
from clinical_ner.models.predict.sentences import CONFIDENCE_RULE, load_model, model_name
from clinical_ner.models.predict.texts import tag_sentence_groups

if TYPE_CHECKING:
    from clinical_ner.models.predict.sentences import Model

REPORT_FILE = "predict_report.json"


@dataclass
class Note:
    doc_id: str
    path: Path
    text: str
    sentences: list[Sentence]


def model_time(model: str | Path | Model) -> float | None:
    """Newest modification time of the files of a saved model (None for an in-memory model)."""
    if not isinstance(model, (str, Path)):
        return None
    return max(p.stat().st_mtime for p in Path(model).rglob("*") if p.is_file())


def is_done(note: Path, ann: Path, model_mtime: float | None) -> bool:
    """The ``.ann`` exists and is newer than the note and the model."""
    try:
        done, written = ann.stat().st_mtime, note.stat().st_mtime
    except OSError:
        return False
    return done > written and (model_mtime is None or done > model_mtime)


def run_settings(model: str | Path | Model, min_confidence: float, quantize: bool) -> dict[str, Any]:
    """What makes earlier ``.ann`` files stale besides time stamps: the model, the confidence floor, int8."""
    return {"model": model_name(model), "min_confidence": min_confidence, "quantized": quantize}


def settings_changed(output_dir: Path, settings: dict[str, Any]) -> bool:
    """The output folder's last report names other `run_settings` (no readable report: False)."""
    try:
        previous = json.loads((output_dir / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(previous, dict) and any(previous.get(key) != value for key, value in settings.items())


def read_note(path: Path) -> tuple[Note | None, dict[str, str] | None]:
    """The note, or why it cannot be read: ``not_utf8`` or ``unreadable``."""
    try:
        text = read_text(path)
    except InputError as error:
        reason = "not_utf8" if "UTF-8" in error.message else "unreadable"
        return None, {"file": str(path), "reason": reason, "message": str(error)}
    except OSError as error:
        return None, {"file": str(path), "reason": "unreadable", "message": f"{path}: {error.strerror or error}"}
    return Note(path.stem, path, text, text_to_sentences(path.stem, text)), None


def readable(paths: Iterable[Path], skipped: list[dict[str, str]], bar: Any) -> Iterator[Note]:
    """The notes that can be read, one at a time; the others are appended to `skipped`."""
    for path in paths:
        note, problem = read_note(path)
        if note is None:
            skipped.append(problem)  # type: ignore[arg-type]
            bar.update(1)
        else:
            yield note


def chunks(notes: Iterable[Note], chunk_sentences: int) -> Iterator[list[Note]]:
    """Consecutive groups of whole notes with at most `chunk_sentences` sentences (or one bigger note)."""
    group: list[Note] = []
    size = 0
    for note in notes:
        if group and size + len(note.sentences) > chunk_sentences:
            yield group
            group, size = [], 0
        group.append(note)
        size += len(note.sentences)
    if group:
        yield group


def _progress(total: int, enabled: bool | None) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="note", desc="tagging", disable=not (sys.stderr.isatty() if enabled is None else enabled))


def predict_folder(
    model: str | Path | Model, input_dir: str | Path, output_dir: str | Path, batch_size: int = 64,
    device: str | None = None, overwrite: bool = False, min_confidence: float = 0.0,
    progress: bool | None = None, chunk_sentences: int = 2048, threads: int | None = None, quantize: bool = False,
    recursive: bool = False,
) -> dict[str, Any]:
    """Tag every ``.txt`` note in `input_dir` (and its subfolders with `recursive`), or the one note it names,
    into ``.ann`` files under `output_dir` (`NoteFiles.ann_path`); write and return the report (module doc).
    `progress`: a progress bar (default: when stderr is a terminal); `threads`, `quantize`: as
    `predict.load_model`."""
    started = time.perf_counter()
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    files = find_notes(input_dir, recursive, output_dir)
    paths = files.paths
    settings = run_settings(model, min_confidence, quantize)
    retag = overwrite or settings_changed(output_dir, settings)
    tagger = load_model(model, device, threads=threads, quantize=quantize)
    model_mtime = model_time(model)
    output_dir.mkdir(parents=True, exist_ok=True)
    targets = {p: files.ann_path(p, output_dir) for p in paths}
    for folder in {ann.parent for ann in targets.values()}:
        if folder.is_dir():
            remove_leftovers(folder, "*.ann")

    todo = [p for p in paths if retag or not is_done(p, targets[p], model_mtime)]
    skipped: list[dict[str, str]] = []
    by_type: Counter = Counter()
    counts = Counter()
    bar = _progress(len(todo), progress)
    with bar:
        for group in chunks(readable(todo, skipped, bar), chunk_sentences):
            tagged = tag_sentence_groups(tagger, [(note.text, note.sentences) for note in group], batch_size,
                                         min_confidence)
            texts: dict[Path, str] = {}
            for note, (scored, below) in zip(group, tagged):
                texts[targets[note.path]] = format_ann([e for e, _ in scored],
                                                       {e.id: confidence_note(c) for e, c in scored})
                counts.update(tagged=1, sentences=len(note.sentences), below_min_confidence=below,
                              tokens=sum(len(s.tokens) for s in note.sentences), entities=len(scored))
                by_type.update(e.label for e, _ in scored)
            atomic_write_many(texts)
            bar.update(len(group))
    seconds = time.perf_counter() - started
    report = {
        **settings, "input": str(input_dir), "output": str(output_dir), "recursive": recursive,
        "ignored_hidden": files.ignored, "notes_found": len(paths), "notes_up_to_date": len(paths) - len(todo),
        "notes_read": len(todo) - len(skipped), "notes_tagged": counts["tagged"],
        "notes_skipped": len(skipped), "skipped_by_reason": dict(sorted(Counter(s["reason"] for s in skipped).items())),
        "skipped": skipped,
        "sentences": counts["sentences"], "tokens": counts["tokens"], "entities": counts["entities"],
        "entities_by_type": dict(sorted(by_type.items())),
        "confidence": CONFIDENCE_RULE, "entities_below_min_confidence": counts["below_min_confidence"],
    }
    atomic_write_text(output_dir / REPORT_FILE, json.dumps(report, indent=2) + "\n")
    device = tagger.device if isinstance(tagger.device, str) else describe(tagger.device)
    timing = {"device": device, "threads": torch_threads(), "seconds": round(seconds, 3),
              "sentences_per_second": round(counts["sentences"] / seconds, 1) if seconds > 0 else None}
    return {**report, "timing": timing}
