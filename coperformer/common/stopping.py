"""Stopping a command at once. SIGINT (Ctrl-C) and SIGTERM are caught first thing, whatever
the process inherited (a shell's background job starts with SIGINT ignored): the first one
stops the command cleanly (KeyboardInterrupt, or the callback a command installed, such as
a jam's Stop), and a watchdog ends the process GRACE_S later if it has not ended by then (a
native call that never returns, a thread that never ends); a second one ends it at once.
Threads abandoned in native code (a model that never answered) are never left to the
interpreter's shutdown, which would abort on them: the process leaves with os._exit."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

GRACE_S = 1.8  # from the signal to the process's end, at most (every command: within 2 s)
AGAIN_AFTER_S = 0.01  # a stop Python swallowed is raised again this much later
INTERRUPTED = 130  # the exit status of a command ended by a signal
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_callbacks: list[Callable[[], None]] = []  # the innermost one is called instead of raising
_abandoned: list[threading.Thread] = []
_state = {"stopping": False}


def catch_stop_signals() -> Callable[[], None]:
    """Install the handlers (the main thread, first thing); returns what puts the previous
    handlers back (a command run inside a test process)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    _state["stopping"] = False
    sys.unraisablehook = _stop_swallowed
    previous = {number: signal.signal(number, _on_signal) for number in STOP_SIGNALS}
    return lambda: [signal.signal(number, handler) for number, handler in previous.items()]


def stop_requested() -> bool:
    """True once a stop signal came (any thread)."""
    return _state["stopping"]


@contextmanager
def stop_calls(callback: Callable[[], None]) -> Iterator[None]:
    """While inside, a stop signal calls ``callback`` (on the main thread) instead of raising
    KeyboardInterrupt; a signal that came before is passed on at once."""
    _callbacks.append(callback)
    try:
        if stop_requested():
            callback()
        yield
    finally:
        _callbacks.remove(callback)


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """A stop signal waits while the block runs, then comes (the main thread; elsewhere a
    no-op). Around a fork: a signal that came during one was raised inside the interpreter's
    at-fork hooks, printed there as ignored and lost. A child forked inside must call
    ``release_stop_signals`` (a pool's initializer)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def release_stop_signals() -> None:
    """Let stop signals in again in a process forked under ``stop_signals_held``."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def abandon(thread: threading.Thread) -> None:
    """Note a daemon thread left running past its deadline (any thread): the process will
    leave without waiting for it (see leave)."""
    _abandoned.append(thread)


def skip_teardown() -> None:
    """Everything the process owns is closed and saved: ``leave`` ends it without the
    interpreter's teardown (the desktop app once its window closed: its native libraries'
    threads, torch's, JACK's, FluidSynth's, wind down with the process). The main thread."""
    _state["skip_teardown"] = True


def leave(code: int) -> int:
    """``code``, or, when an abandoned thread still runs, a stop signal came or the teardown
    is to be skipped, the process ends here (the streams flushed, no interpreter shutdown to
    abort on a native thread still winding down: under load a stopped `play`, and once the
    window at its close, printed "terminate called without an active exception" after
    everything was saved). The main thread, last."""
    if stop_requested() or _state.get("skip_teardown") \
            or any(thread.is_alive() for thread in _abandoned):
        _exit_now(code)
    return code


def _on_signal(_number, _frame) -> None:
    if _state.pop("again", False):  # our own stop, raised again (see _stop_swallowed)
        raise KeyboardInterrupt
    if _state["stopping"]:
        _exit_now(INTERRUPTED, "interrupted again: ended at once")
    _state["stopping"] = True
    threading.Thread(target=_watchdog, name="coperformer-stop-watchdog", daemon=True).start()
    if _callbacks:
        _callbacks[-1]()
        return
    raise KeyboardInterrupt


def _stop_swallowed(unraisable) -> None:
    """sys.unraisablehook: a stop raised where Python cannot raise (a weakref callback, an
    at-fork hook, a __del__) was printed there as ignored and lost; it is raised again in the
    main thread instead. Anything else goes to Python's own hook."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt) and _state["stopping"]:
        _state["again"] = True  # from another thread, once this hook has returned
        threading.Timer(AGAIN_AFTER_S, signal.pthread_kill,
                        (threading.main_thread().ident, signal.SIGINT)).start()
        return
    sys.__unraisablehook__(unraisable)


def _watchdog() -> None:
    time.sleep(GRACE_S)
    _exit_now(INTERRUPTED, f"interrupted: not stopped within {GRACE_S:g} s, ended at once (a "
                           "take's journal is kept: coperformer recover)")


def _exit_now(code: int, message: str | None = None) -> None:
    try:
        if message:
            print(f"coperformer: {message}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
