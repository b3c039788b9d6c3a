"""The root of the domain errors, and the one-line form of any error."""

from __future__ import annotations


class CoperformerError(Exception):
    """An error the user can act on: one line on stderr (exit 2), or a banner in the window.

    Every layer raises its own subclass (ModelError, MidiInputError, SoundfontError, ...);
    only the command line and the window turn them into text.
    """


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (its type's name when the message is empty)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def describe(exc: BaseException) -> str:
    """One line for a user: a domain error's own message, else the error's type and first line."""
    if isinstance(exc, CoperformerError):
        return first_line(exc)
    return f"{type(exc).__name__}: {first_line(exc)}"
