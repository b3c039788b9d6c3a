"""Run some work while the main window is open and its piano roll animates at display rate
(used to check that the window cannot disturb the band's timing). The GUI thread."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from coperformer.engine.sinks import ScheduledNote
from coperformer.gui.app import apply_theme, make_window

FEED_MS = 100  # new notes for the roll this often


def run_while_animating(work: Callable[[], dict]) -> tuple[dict, float]:
    """Open the window, feed its roll notes, run ``work`` on a thread until it returns;
    returns its result and the roll's frames per second meanwhile."""
    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "animate.ini"), QSettings.IniFormat)
        window = make_window(settings, list_inputs=lambda: [])
        window.resize(1366, 768)
        window.show()
        feeder = QTimer()
        feeder.timeout.connect(lambda: _feed(window))
        feeder.start(FEED_MS)
        result: dict = {}
        worker = threading.Thread(target=lambda: result.update(work()))
        frames_before, started = window.roll.frames, time.perf_counter()
        worker.start()
        while worker.is_alive():
            app.processEvents()
            time.sleep(0.002)
        fps = (window.roll.frames - frames_before) / (time.perf_counter() - started)
        feeder.stop()
        window.close()
    return result, round(fps, 1)


def _feed(window) -> None:
    now = time.perf_counter_ns()
    notes = [ScheduledNote(now + i * 100_000_000, now + (i + 1) * 100_000_000, 1,
                           55 + (i * 5) % 24, 80) for i in range(8)]
    window.roll.band_planned(window.roll.planned_bar + 1, notes)
    window.roll.player_on(72, now)
    window.roll.player_off(72, now + 50_000_000)
