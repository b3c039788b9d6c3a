"""Recovering a take from the journal a crashed session left behind."""

from __future__ import annotations

from pathlib import Path

from coperformer.engine.journal import JOURNAL_SUFFIX, read_journal
from coperformer.io.takefile import write_take


def recovered_name(journal: Path) -> Path:
    """Where a journal's take goes: ``jam.mid.journal`` -> ``jam-recovered.mid``."""
    stem = Path(journal.name.removesuffix(JOURNAL_SUFFIX)).stem
    return journal.with_name(f"{stem}-recovered.mid")


def recover_journal(journal: str | Path, output: str | Path | None = None) -> Path:
    """Turn a journal left behind by a crash into a .mid file; returns its path.

    Raises JournalError for a file that is not a journal, OSError when it cannot be read or
    the take cannot be written.
    """
    journal = Path(journal)
    target = Path(output) if output is not None else recovered_name(journal)
    write_take(read_journal(journal), target)
    return target
