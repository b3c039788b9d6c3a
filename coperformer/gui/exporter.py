"""Export WAV… on a worker thread, with a progress dialog fed by queued signals."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QProgressDialog


class WavExporter(QObject):
    """Renders a .mid to .wav off the GUI thread."""

    progress = Signal(int)
    done = Signal(str)
    failed = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog: QProgressDialog | None = None
        self.thread: threading.Thread | None = None
        self.progress.connect(self._on_progress)
        self.done.connect(self._on_done)
        self.failed.connect(self._on_failed)

    def export(self, midi: Path, wav: Path, soundfont: str | None, click: bool = False) -> None:
        """Start rendering (with the metronome when ``click``); the dialog shows the
        progress."""
        self.dialog = QProgressDialog("Rendering WAV…", None, 0, 100, self.window)
        self.dialog.setMinimumDuration(0)
        self.dialog.setValue(0)
        self.thread = threading.Thread(target=self._work, args=(midi, wav, soundfont, click),
                                       daemon=True)
        self.thread.start()

    def _work(self, midi: Path, wav: Path, soundfont: str | None, click: bool) -> None:
        from coperformer.synth.render import render_file
        from coperformer.synth.soundfont import find_soundfont

        try:
            render_file(midi, wav, find_soundfont(soundfont),
                        lambda done, total: self.progress.emit(int(100 * done / max(total, 1e-9))),
                        click=click)
            self.done.emit(str(wav))
        except Exception as exc:  # noqa: BLE001 - shown in the window
            self.failed.emit(f"cannot export {wav}: {exc}")

    def _on_progress(self, value: int) -> None:
        if self.dialog:
            self.dialog.setValue(value)

    def _on_done(self, path: str) -> None:
        if self.dialog:
            self.dialog.setValue(100)
        self.window.statusBar().showMessage(f"exported {path}", 10000)

    def _on_failed(self, message: str) -> None:
        if self.dialog:
            self.dialog.cancel()
        self.window.show_error(message)
