"""What the command modules share: their own error, and printing figures."""

from __future__ import annotations

import os

from coperformer.common.errors import CoperformerError


class CommandError(CoperformerError):
    """A command that cannot do what it was asked (one line on stderr, exit 2)."""


def cannot_write(path: str | os.PathLike, exc: OSError) -> CommandError:
    """The error for an output file that could not be written."""
    return CommandError(f"cannot write {path}: {exc.strerror or exc}")


def show(value) -> str:
    """A figure for the terminal: dicts as key=value pairs."""
    if isinstance(value, dict):
        return "  ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
