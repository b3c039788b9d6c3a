"""Clocks: a monotonic real clock with a wakeable wait, and a virtual clock for tests."""

from __future__ import annotations

import threading
import time
from typing import Protocol

NS_PER_S = 1_000_000_000
MS = 1_000_000  # nanoseconds per millisecond


class Clock(Protocol):
    """Monotonic nanoseconds and a wait that another thread can cut short."""

    def now_ns(self) -> int:
        """The current time in nanoseconds (monotonic); any thread."""

    def wait_until(self, deadline_ns: int) -> bool:
        """Sleep until the deadline or a wake(); True if woken early (the worker thread)."""

    def wake(self) -> None:
        """Cut the current wait short (any thread)."""


class RealClock:
    """time.perf_counter_ns with an Event-based, interruptible wait."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def now_ns(self) -> int:
        """The current time in nanoseconds (any thread)."""
        return time.perf_counter_ns()

    def wait_until(self, deadline_ns: int) -> bool:
        """Sleep until the deadline or a wake(); True if woken early (one waiting thread)."""
        timeout = (deadline_ns - time.perf_counter_ns()) / NS_PER_S
        woken = self._event.wait(timeout) if timeout > 0 else self._event.is_set()
        self._event.clear()
        return woken

    def wake(self) -> None:
        """Cut the current wait short (any thread)."""
        self._event.set()


class VirtualClock:
    """A clock that only moves when told to: waits return at once, at the deadline."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now = start_ns
        self._lock = threading.Lock()

    def now_ns(self) -> int:
        """The virtual time (any thread)."""
        with self._lock:
            return self._now

    def advance(self, delta_ns: int) -> int:
        """Move time forward and return the new time (any thread)."""
        with self._lock:
            self._now += max(0, delta_ns)
            return self._now

    def set(self, now_ns: int) -> None:
        """Jump to a time, never backwards (any thread)."""
        with self._lock:
            self._now = max(self._now, now_ns)

    def wait_until(self, deadline_ns: int) -> bool:
        """Jump to the deadline: virtual time passes instantly (any thread)."""
        self.set(deadline_ns)
        return False

    def wake(self) -> None:
        """Nothing to wake in virtual time (any thread)."""
