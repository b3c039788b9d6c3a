"""Recovering a take from the journal a crashed session left behind."""

from __future__ import annotations

import os
from pathlib import Path

from coperformer.engine.journal import (
    JOURNAL_SUFFIX,
    journal_for,
    journal_in_use,
    salvage_journal,
)
from coperformer.io.takefile import write_take


def numbered(path: Path, taken=os.path.lexists) -> Path:
    """``path`` if it is free, else ``stem-2.mid``, ``stem-3.mid`` ... (the first free one)."""
    target, number = path, 2
    while taken(target):
        target, number = path.with_name(f"{path.stem}-{number}{path.suffix}"), number + 1
    return target


def recovered_name(journal: Path) -> Path:
    """Where a journal's take goes, never over an earlier one: ``jam.mid.journal`` ->
    ``jam-recovered.mid``, else ``jam-recovered-2.mid``, ``jam-recovered-3.mid`` ..."""
    stem = Path(journal.name.removesuffix(JOURNAL_SUFFIX)).stem
    return numbered(journal.with_name(f"{stem}-recovered.mid"))


def free_take(take: Path) -> Path:
    """A take name no live session journals to (``jam.mid``, else ``jam-2.mid`` ...)."""
    return numbered(take, lambda p: journal_in_use(journal_for(p)))


def salvage(journal: str | Path, output: str | Path | None = None) -> tuple[Path, int]:
    """Write what a journal holds to a .mid file, skipping the lines it cannot use; returns
    the file and how many lines were skipped. Held notes end with the take.

    Raises JournalError for a file that is not a journal, OSError when it cannot be read or
    the take cannot be written.
    """
    journal = Path(journal)
    recording, skipped = salvage_journal(journal)
    target = Path(output) if output is not None else recovered_name(journal)
    write_take(recording, target)
    return target, skipped


def recover_journal(journal: str | Path, output: str | Path | None = None) -> Path:
    """Turn a journal left behind by a crash into a .mid file; returns its path (see
    salvage)."""
    return salvage(journal, output)[0]
