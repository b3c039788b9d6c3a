"""Keeping C libraries quiet: libjack and ALSA write their own complaints straight to the
process's stderr when a MIDI system is missing; the app says it in one line instead."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

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
