"""What the session plays into: scheduled notes for a synth, a MIDI port, or a recorder."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from coperformer.music.gm import DRUM_CHANNEL

PLAYER_CHANNEL = 0  # the player's own notes (pass-through)
BAND_CHANNELS = (1, 2, 3)  # the band's voices, top to bottom
METRONOME_CHANNEL = DRUM_CHANNEL
CLICK_HIGH, CLICK_LOW = 76, 77  # GM hi / low wood block


@dataclass(frozen=True, order=True)
class ScheduledNote:
    """A note at absolute times (ns), on a channel."""

    on_ns: int
    off_ns: int
    channel: int
    pitch: int
    velocity: int
    voice: int = -1  # band voice index; -1 for clicks


class NoteSink(Protocol):
    """Anything that can play notes now or at absolute times.

    Real sinks accept calls from any thread: the worker schedules, the MIDI callback plays
    the player's notes through at once.
    """

    def schedule(self, notes: list[ScheduledNote]) -> None:
        """Play these notes at their absolute times (any thread)."""

    def end_at(self, channel: int, pitch: int, at_ns: int) -> None:
        """End a scheduled note early, at ``at_ns`` (its own note-off still follows,
        harmlessly; any thread)."""

    def play_now(self, channel: int, pitch: int, velocity: int) -> None:
        """Start (velocity > 0) or end (velocity 0) a note at once (any thread)."""

    def control_now(self, channel: int, control: int, value: int) -> None:
        """Send a controller change at once (any thread)."""

    def set_program(self, channel: int, program: int) -> None:
        """Choose a GM program for a channel (any thread)."""

    def all_notes_off(self) -> None:
        """End every note now and forget anything scheduled (any thread)."""


@runtime_checkable
class ClockSink(NoteSink, Protocol):
    """A sink that can also send MIDI clock (24 per quarter) and Start."""

    def schedule_clock(self, times_ns: list[int], start_ns: int | None = None) -> None:
        """Clock ticks at absolute times; Start at ``start_ns`` (any thread)."""


class GuardedSink:
    """The template of every real sink (as mido's ports: the public call, then the device's
    own under one lock): one lock and one closed flag. ``_guarded`` runs a call under the
    lock unless the sink is closed; ``_close_guard`` runs the last one and marks it closed,
    so that after it every call is a no-op, never one into a freed device. Each sink states
    its lock's holders and their longest hold beside its ``__init__``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False

    def _guarded(self, call: Callable[[], object]) -> bool:
        """Run ``call`` under the lock unless the sink is closed; whether it ran (any
        thread)."""
        with self._lock:
            if self._closed:
                return False
            call()
            return True

    def _close_guard(self, last: Callable[[], object]) -> None:
        """Run ``last`` under the lock (whatever it frees, nothing is inside the sink then)
        and mark the sink closed (the owner's thread, once)."""
        with self._lock:
            self._closed = True
            last()


@dataclass
class MemorySink:
    """An in-memory sink for tests: remembers everything it was asked to do (one thread)."""

    scheduled: list[ScheduledNote] = field(default_factory=list)
    immediate: list[tuple[int, int, int]] = field(default_factory=list)
    controls: list[tuple[int, int, int]] = field(default_factory=list)
    programs: dict[int, int] = field(default_factory=dict)
    ended: list[tuple[int, int, int]] = field(default_factory=list)  # channel, pitch, at
    panics: int = 0

    def schedule(self, notes: list[ScheduledNote]) -> None:
        """Remember scheduled notes (the test's thread)."""
        self.scheduled.extend(notes)

    def end_at(self, channel: int, pitch: int, at_ns: int) -> None:
        """Remember a note ended early (the test's thread)."""
        self.ended.append((channel, pitch, at_ns))

    def play_now(self, channel: int, pitch: int, velocity: int) -> None:
        """Remember an immediate note (the test's thread)."""
        self.immediate.append((channel, pitch, velocity))

    def control_now(self, channel: int, control: int, value: int) -> None:
        """Remember a controller change (the test's thread)."""
        self.controls.append((channel, control, value))

    def set_program(self, channel: int, program: int) -> None:
        """Remember a program (the test's thread)."""
        self.programs[channel] = program

    def all_notes_off(self) -> None:
        """Count the panic (the test's thread)."""
        self.panics += 1
