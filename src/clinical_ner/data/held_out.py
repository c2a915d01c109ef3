"""A test set for a BRAT corpus that ships none: a seeded share of its documents, chosen by document."""

from __future__ import annotations

import shutil
from pathlib import Path

from clinical_ner.data.split import split_documents
from clinical_ner.errors import InputError


def hold_out_test(folder: str | Path, train_out: str | Path, test_out: str | Path, fraction: float, seed: int) -> dict:
    """Copy the `.txt`/`.ann` pairs of `folder` into `train_out` and `test_out`: `fraction` of the documents
    (`split.split_documents` with `seed`, the same draw as the validation split) go to the test folder.

    Returns ``{"train": [doc ids], "test": [doc ids]}``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "corpus/train: no such folder of BRAT .txt/.ann files")
    ids = sorted(p.stem for p in folder.glob("*.txt") if p.is_file())
    if len(ids) < 3:
        raise InputError(folder, f"split/test_fraction needs at least 3 documents to hold some out; found {len(ids)}")
    train_ids, test_ids = split_documents(ids, val_fraction=fraction, seed=seed)
    for out, chosen in ((Path(train_out), train_ids), (Path(test_out), test_ids)):
        out.mkdir(parents=True, exist_ok=True)
        for doc_id in chosen:
            for suffix in (".txt", ".ann"):
                source = folder / f"{doc_id}{suffix}"
                if source.is_file():
                    shutil.copyfile(source, out / source.name)
    return {"train": train_ids, "test": test_ids}
