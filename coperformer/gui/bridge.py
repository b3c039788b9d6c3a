"""The bridge: session events (worker thread) become queued Qt signals (GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SessionBridge(QObject):
    """Attach ``listener`` to a session; connect to the signals in the GUI."""

    started = Signal(object)  # bar 0 time (ns; Python int, too big for a C int)
    bar = Signal(int, object)  # bar, time (ns)
    planned = Signal(int, list)  # bar, [ScheduledNote]
    played = Signal(object)  # InputEvent
    port_lost = Signal()
    port_back = Signal()
    finished = Signal()
    stopped = Signal()

    def listener(self, name: str, payload: dict) -> None:
        """Called on the worker thread: only emits (Qt queues it to the GUI thread)."""
        if name == "started":
            self.started.emit(payload["bar0_ns"])
        elif name == "bar":
            self.bar.emit(payload["bar"], payload["time_ns"])
        elif name == "planned":
            self.planned.emit(payload["bar"], list(payload["notes"]))
        elif name == "input":
            self.played.emit(payload["event"])
        elif name == "port_lost":
            self.port_lost.emit()
        elif name == "port_back":
            self.port_back.emit()
        elif name == "finished":
            self.finished.emit()
        elif name == "stopped":
            self.stopped.emit()
