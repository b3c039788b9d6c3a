"""Starting the desktop app: theme, device lister, models, journal recovery."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

UI_DIR = Path(__file__).resolve().parents[2] / "ui"


class PortLister:
    """Lists MIDI inputs with one long-lived client (cheap to poll every second)."""

    def __init__(self):
        self._client = None

    def __call__(self) -> list[str]:
        """Input port names ([] without a MIDI system)."""
        from coperformer.midi.ports import MidiError, _open_client

        if self._client is None:
            try:
                self._client = _open_client("in", None)
            except MidiError:
                return []
        return list(self._client.get_ports())


def available_models() -> list[str]:
    """Model names in models/ (or $COPERFORMER_MODELS)."""
    import os

    from coperformer.model.runtime import MODELS_DIR

    folder = Path(os.environ.get("COPERFORMER_MODELS", MODELS_DIR))
    return sorted(p.stem for p in folder.glob("*.pt"))


def offer_recovery(window) -> list[Path]:
    """Ask to recover journals left by a crash; returns the files written."""
    from coperformer.engine.recorder import recover_journal
    from coperformer.gui.controller import recordings_dir

    written = []
    for journal in sorted(recordings_dir().glob("*.journal")):
        answer = QMessageBox.question(window, "Recover recording",
                                      f"An unsaved recording was found:\n{journal}\nRecover it?")
        if answer == QMessageBox.Yes:
            try:
                written.append(recover_journal(journal))
                journal.unlink()
            except (OSError, ValueError) as exc:
                window.show_error(f"cannot recover {journal}: {exc}")
    if written:
        window.statusBar().showMessage("recovered " + ", ".join(map(str, written)), 15000)
    return written


def make_window(settings: QSettings | None = None, list_inputs=None):
    """The main window with real devices (or an injected port lister, for tests)."""
    from coperformer.gui.main_window import MainWindow
    from coperformer.synth.fluid import SynthError
    from coperformer.synth.live_synth import audio_drivers

    try:
        drivers = [d for d in audio_drivers() if d != "file"]
    except SynthError:
        drivers = []
    settings = settings or QSettings("coperformer", "coperformer")
    return MainWindow(list_inputs or PortLister(), drivers, available_models(), settings)


def apply_theme(app: QApplication) -> None:
    """The dark stylesheet from ui/."""
    style = UI_DIR / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text())


def run_gui(argv: list[str] | None = None, quit_after_ms: int | None = None,
            input_file: str | None = None) -> int:
    """Open the window and run the event loop."""
    from PySide6.QtCore import QTimer

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("coperformer")
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(UI_DIR / "icon.svg")))
    apply_theme(app)
    window = make_window()
    window.resize(1280, 720)
    window.show()
    offer_recovery(window)
    if input_file:
        window.file_input = str(Path(input_file).resolve())
        window.refresh_inputs()
        window.input_panel.picker.setCurrentText(f"File: {window.file_input}")
        window.transport.play.setChecked(True)
    if quit_after_ms:
        QTimer.singleShot(quit_after_ms, window.close)
    return app.exec()
