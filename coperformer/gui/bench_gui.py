"""The onset-error benchmark again, with the window open and the piano roll animating."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from coperformer.engine.sinks import ScheduledNote


def onset_error_with_window(soundfont: Path) -> dict:
    """Measure the band's onset error while the roll repaints at display rate."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from coperformer.bench_live import onset_error
    from coperformer.gui.app import apply_theme, make_window

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "bench.ini"), QSettings.IniFormat)
        window = make_window(settings, list_inputs=lambda: [])
        window.resize(1366, 768)
        window.show()
        feeder = QTimer()
        feeder.timeout.connect(lambda: _feed(window))
        feeder.start(100)
        result: dict = {}
        worker = threading.Thread(target=lambda: result.update(onset_error(soundfont)))
        frames_before, started = window.roll.frames, time.perf_counter()
        worker.start()
        while worker.is_alive():
            app.processEvents()
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        fps = (window.roll.frames - frames_before) / seconds
        feeder.stop()
        window.close()
    return {"onset_error_ms": result, "roll_frames_per_second": round(fps, 1)}


def _feed(window) -> None:
    now = time.perf_counter_ns()
    notes = [ScheduledNote(now + i * 100_000_000, now + (i + 1) * 100_000_000, 1,
                           55 + (i * 5) % 24, 80) for i in range(8)]
    window.roll.band_planned(window.roll.planned_bar + 1, notes)
    window.roll.player_on(72, now)
    window.roll.player_off(72, now + 50_000_000)
