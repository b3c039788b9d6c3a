"""Measuring the window's start: when it is first shown, when Play is ready (the model
loaded and warmed up) and when TorchScript took the model over, written as monotonic times
for `coperformer bench`."""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer


class StartupProbe(QObject):
    """Notes the first shown frame, the ready model and its TorchScript hand-over, writes them,
    then closes the window."""

    def __init__(self, window, report: Path):
        super().__init__(window)
        self.window, self.report = window, report
        self.times: dict[str, int] = {}
        window.loader.loaded.connect(self._ready)
        window.loader.runtime.connect(self._runtime)
        QTimer.singleShot(0, self._shown)  # runs once the event loop has shown the window

    def _shown(self) -> None:
        self.times.setdefault("shown_ns", time.monotonic_ns())
        self._finish()

    def _ready(self, _name: str, _voices) -> None:
        self.times.setdefault("ready_ns", time.monotonic_ns())
        self._finish()

    def _runtime(self, _name: str, runtime: str) -> None:
        self.times.setdefault("runtime_ns", time.monotonic_ns())
        self.runtime = runtime
        self._finish()

    def _finish(self) -> None:
        if len(self.times) == 3:
            self.report.write_text(json.dumps(self.times) + "\n")
            self.window.close()
