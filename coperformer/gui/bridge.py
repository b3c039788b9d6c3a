"""The bridge: typed session events (worker thread) become queued Qt signals (GUI thread),
one signal per listener method."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from coperformer.engine.events import InputEvent
from coperformer.engine.sinks import ScheduledNote


class SessionBridge(QObject):
    """A SessionListener for the window: every method only emits its signal, which Qt queues
    to the GUI thread (the bridge lives there; the worker calls the methods)."""

    started = Signal(object)  # bar 0 time (ns; a Python int, too big for a C int)
    bar = Signal(int, object)  # bar, time (ns)
    planned = Signal(int, object)  # bar, tuple[ScheduledNote, ...]
    provisional = Signal(int, object)  # bar, tuple[ScheduledNote, ...] (likely, not decided)
    replanned = Signal(int, object, object, object)  # bar, from (ns), kept keys, notes
    chord = Signal(int, str, bool)  # bar, chord name, provisional
    next_chord = Signal(str, object, bool)  # chord name ("" none), from (ns), provisional
    played = Signal(object)  # InputEvent
    port_lost = Signal()
    port_back = Signal()
    finished = Signal()
    failed = Signal(str)
    warning = Signal(str)
    stopped = Signal()

    def on_started(self, bar0_ns: int) -> None:
        """Emit ``started`` (worker thread)."""
        self.started.emit(bar0_ns)

    def on_bar(self, bar: int, time_ns: int) -> None:
        """Emit ``bar`` (worker thread)."""
        self.bar.emit(bar, time_ns)

    def on_planned(self, bar: int, notes: tuple[ScheduledNote, ...]) -> None:
        """Emit ``planned`` (worker thread)."""
        self.planned.emit(bar, notes)

    def on_provisional(self, bar: int, notes: tuple[ScheduledNote, ...]) -> None:
        """Emit ``provisional`` (worker thread)."""
        self.provisional.emit(bar, notes)

    def on_replanned(self, bar: int, from_ns: int, kept: tuple[tuple[int, int], ...],
                     notes: tuple[ScheduledNote, ...]) -> None:
        """Emit ``replanned`` (worker thread)."""
        self.replanned.emit(bar, from_ns, kept, notes)

    def on_chord(self, bar: int, name: str, provisional: bool) -> None:
        """Emit ``chord`` (worker thread)."""
        self.chord.emit(bar, name, provisional)

    def on_next_chord(self, name: str, at_ns: int, provisional: bool) -> None:
        """Emit ``next_chord`` (worker thread)."""
        self.next_chord.emit(name, at_ns, provisional)

    def on_input(self, event: InputEvent) -> None:
        """Emit ``played`` (worker thread)."""
        self.played.emit(event)

    def on_port_lost(self) -> None:
        """Emit ``port_lost`` (worker thread)."""
        self.port_lost.emit()

    def on_port_back(self) -> None:
        """Emit ``port_back`` (worker thread)."""
        self.port_back.emit()

    def on_finished(self) -> None:
        """Emit ``finished`` (worker thread)."""
        self.finished.emit()

    def on_failed(self, message: str) -> None:
        """Emit ``failed`` (worker thread)."""
        self.failed.emit(message)

    def on_warning(self, message: str) -> None:
        """Emit ``warning`` (worker thread)."""
        self.warning.emit(message)

    def on_stopped(self) -> None:
        """Emit ``stopped`` (worker thread)."""
        self.stopped.emit()
