"""Ending a helper thread before what it uses is freed: a C object (an rtmidi client, a
FluidSynth synth) freed while a thread still calls it is a crash, not an exception."""

from __future__ import annotations

import threading

JOIN_LIMIT_S = 10.0  # a starved thread on a loaded machine gets this long to see its stop flag


def ended(thread: threading.Thread | None, limit_s: float = JOIN_LIMIT_S) -> bool:
    """Wait up to ``limit_s`` for ``thread`` to end; whether it has (True for a thread never
    started or None). The caller frees what the thread used only when it has."""
    if thread is None or thread.ident is None:
        return True
    thread.join(limit_s)
    return not thread.is_alive()
