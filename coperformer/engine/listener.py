"""What a session tells the outside world: one method per event, all called on the worker
thread. A listener must return quickly (the window's bridge only emits Qt signals)."""

from __future__ import annotations

from typing import Protocol

from coperformer.engine.events import InputEvent
from coperformer.engine.sinks import ScheduledNote


class SessionListener(Protocol):
    """Typed session events; every method is called on the worker thread."""

    def on_started(self, bar0_ns: int) -> None:
        """The transport started; bar 0 (the first played bar) begins at ``bar0_ns``."""

    def on_bar(self, bar: int, time_ns: int) -> None:
        """A bar line passed (count-in bars are negative)."""

    def on_planned(self, bar: int, notes: tuple[ScheduledNote, ...]) -> None:
        """The band's notes of ``bar`` are decided and scheduled."""

    def on_provisional(self, bar: int, notes: tuple[ScheduledNote, ...]) -> None:
        """The band's likely notes of ``bar``, planned at each beat of the bar before it;
        on_planned replaces them at the decision point."""

    def on_replanned(self, bar: int, from_ns: int, kept: tuple[tuple[int, int], ...],
                     notes: tuple[ScheduledNote, ...]) -> None:
        """The bar being played was planned again from ``from_ns`` (the left hand changed its
        chord, a chart's chord changes, or the band took a new chord at the half bar): its
        notes sounding across that time end there, except the (channel, pitch) in ``kept``;
        ``notes`` follow."""

    def on_chord(self, bar: int, name: str, provisional: bool) -> None:
        """The listening band's chord for ``bar``: planned provisionally at each beat of the
        bar before (``provisional``), then decided."""

    def on_next_chord(self, name: str, at_ns: int, provisional: bool) -> None:
        """The chord that sounds next, from ``at_ns``: a chart's change inside the bar, else
        the coming bar's; ``provisional`` while it is a preview ("" when none is known)."""

    def on_input(self, event: InputEvent) -> None:
        """The player played a note or moved the pedal."""

    def on_port_lost(self) -> None:
        """The input port went away (the band goes on)."""

    def on_port_back(self) -> None:
        """The input port came back and is connected again."""

    def on_finished(self) -> None:
        """The input ended (a MIDI file was played to its end) and the music has stopped."""

    def on_failed(self, message: str) -> None:
        """The worker failed; it is stopping (on_stopped follows)."""

    def on_warning(self, message: str) -> None:
        """Something the player must know while the session goes on (a journal that cannot
        be written)."""

    def on_stopped(self) -> None:
        """The session stopped: everything is silent, the take is closed. The last event."""


class QuietListener:
    """A listener that ignores every event (the command line, tests). Worker thread."""

    def on_started(self, bar0_ns: int) -> None:
        """Ignore (worker thread)."""

    def on_bar(self, bar: int, time_ns: int) -> None:
        """Ignore (worker thread)."""

    def on_planned(self, bar: int, notes: tuple[ScheduledNote, ...]) -> None:
        """Ignore (worker thread)."""

    def on_provisional(self, bar: int, notes: tuple[ScheduledNote, ...]) -> None:
        """Ignore (worker thread)."""

    def on_replanned(self, bar: int, from_ns: int, kept: tuple[tuple[int, int], ...],
                     notes: tuple[ScheduledNote, ...]) -> None:
        """Ignore (worker thread)."""

    def on_chord(self, bar: int, name: str, provisional: bool) -> None:
        """Ignore (worker thread)."""

    def on_next_chord(self, name: str, at_ns: int, provisional: bool) -> None:
        """Ignore (worker thread)."""

    def on_input(self, event: InputEvent) -> None:
        """Ignore (worker thread)."""

    def on_port_lost(self) -> None:
        """Ignore (worker thread)."""

    def on_port_back(self) -> None:
        """Ignore (worker thread)."""

    def on_finished(self) -> None:
        """Ignore (worker thread)."""

    def on_failed(self, message: str) -> None:
        """Ignore (worker thread)."""

    def on_warning(self, message: str) -> None:
        """Ignore (worker thread)."""

    def on_stopped(self) -> None:
        """Ignore (worker thread)."""
