"""What the command modules share: their own error, and printing figures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from coperformer.common.errors import CoperformerError
from coperformer.common.files import atomic_write


class CommandError(CoperformerError):
    """A command that cannot do what it was asked (one line on stderr, exit 2)."""


def cannot_write(path: str | os.PathLike, exc: OSError) -> CommandError:
    """The error for an output file that could not be written."""
    return CommandError(f"cannot write {path}: {exc.strerror or exc}")


def write_output(path: str | os.PathLike, text: str) -> None:
    """Write a command's text output in one go (a name that is not UTF-8 keeps its bytes, in
    the file too); CommandError naming the file when it cannot be written."""
    try:
        atomic_write(path, lambda tmp: Path(tmp).write_text(text, errors="surrogateescape"))
    except OSError as exc:
        raise cannot_write(path, exc) from exc


def show(value) -> str:
    """A figure for the terminal: dicts as key=value pairs."""
    if isinstance(value, dict):
        return "  ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


class Progress:
    """A percentage on stderr for a long job: redrawn in place on a terminal, else a line per
    PROGRESS_STEP percent."""

    def __init__(self, label: str):
        self.label = label
        self.shown = -1
        self.tty = sys.stderr.isatty()

    def __call__(self, done: float, total: float) -> None:
        """Report ``done`` of ``total``."""
        percent = min(100, int(100 * done / max(total, 1e-9)))
        if percent == self.shown or (not self.tty and percent < self.shown + PROGRESS_STEP
                                     and percent < 100):
            return
        self.shown = percent
        start, end = ("\r", "" if percent < 100 else "\n") if self.tty else ("", "\n")
        print(f"{start}{self.label} {percent:3d} %", end=end, file=sys.stderr, flush=True)


PROGRESS_STEP = 10
