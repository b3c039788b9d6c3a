"""Keeping C libraries quiet: libjack and ALSA write their own complaints straight to the
process's stderr when a MIDI system is missing; the app says it in one line instead."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coperformer.common.paths import logs_dir

_LOCK = threading.RLock()
NO_JACK_AUTOSTART = {"JACK_NO_START_SERVER": "1"}  # never start a JACK server as a side effect


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Meanwhile, whatever is written to file descriptor 2 (C libraries, and Python's own
    stderr) goes nowhere. Any thread; keep it short."""
    with _LOCK:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            os.close(null)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def no_jack_autostart() -> None:
    """Tell libjack not to start a server when a client finds none (unless the user said so)."""
    for name, value in NO_JACK_AUTOSTART.items():
        os.environ.setdefault(name, value)


VERBOSE_ENV = "COPERFORMER_VERBOSE"  # set by `coperformer --verbose`: C libraries speak freely
NATIVE_LOG = "native.log"  # in the logs folder: what C libraries said while we kept them quiet


def verbose() -> bool:
    """True when the user asked to see the C libraries' own messages (any thread)."""
    return os.environ.get(VERBOSE_ENV, "") not in ("", "0")


@contextmanager
def native_stderr_logged(what: str) -> Iterator[Path | None]:
    """Meanwhile, what C libraries write to file descriptor 2 goes to the log file NATIVE_LOG
    (its path is yielded; None when --verbose lets it through, or the log cannot be opened:
    then it goes nowhere unless verbose). Any thread; keep it short."""
    if verbose():
        yield None
        return
    log = logs_dir() / NATIVE_LOG
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.write(handle, f"--- {what} (pid {os.getpid()})\n".encode("utf-8", "replace"))
    except OSError:
        with native_stderr_silenced():
            yield None
        return
    with _LOCK:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(handle, 2)
            os.close(handle)
            yield log
        finally:
            os.dup2(saved, 2)
            os.close(saved)
