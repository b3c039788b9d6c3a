"""Starting the desktop app: theme, icon, device lister, models, journal recovery."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from coperformer.common.errors import CoperformerError
from coperformer.common.paths import recordings_dir, ui_file
from coperformer.common.stopping import skip_teardown
from coperformer.engine.journal import JOURNAL_SUFFIX
from coperformer.gui.takes import remember_take
from coperformer.jam.recovery import recover_journal

START_SIZE = QSize(1280, 720)  # the window's first size, on a screen that has room for it
DECLINED_FOLDER = "declined"  # journals the user chose not to recover: kept, not asked again


def offer_recovery(window) -> list[Path]:
    """Ask to recover journals left by a crash; returns the files written. A journal the user
    declines is moved aside (still recoverable with `coperformer recover`) and not offered
    again."""
    written, declined = [], []
    for journal in sorted(recordings_dir().glob(f"*{JOURNAL_SUFFIX}")):
        box = recovery_box(window, journal)
        box.exec()
        if box.clickedButton() is not box.button(QMessageBox.Yes):
            declined.append(_set_aside(journal))
            continue
        try:
            written.append(recover_journal(journal))
            remember_take(window.settings, written[-1])  # listed in Takes… like a saved one
            journal.unlink()
        except (OSError, ValueError, CoperformerError) as exc:
            window.show_error(f"cannot recover {journal}: {exc}")
    notes = ["recovered " + ", ".join(map(str, written))] if written else []
    if declined:
        notes.append(f"kept {len(declined)} unrecovered take(s) in {declined[0].parent} "
                     "(coperformer recover FILE)")
    if notes:
        window.statusBar().showMessage("; ".join(notes), 15000)
    return written


def recovery_box(window, journal: Path) -> QMessageBox:
    """The question for one journal, drawn like the window (its palette and style sheet, its
    background filled: never a black box, with or without a window manager)."""
    box = QMessageBox(QMessageBox.Question, "Recover recording",
                      f"An unsaved recording was found:\n{journal}\nRecover it?",
                      QMessageBox.Yes | QMessageBox.No, window)
    box.setDefaultButton(QMessageBox.Yes)
    box.setPalette(window.palette())
    box.setAutoFillBackground(True)
    box.ensurePolished()
    return box


def _set_aside(journal: Path) -> Path:
    folder = journal.parent / DECLINED_FOLDER
    folder.mkdir(exist_ok=True)
    target = folder / journal.name
    journal.replace(target)
    return target


def check_soundfont(window) -> bool:
    """Say at start, in the window, when no soundfont can be found and what to install."""
    from coperformer.synth.soundfont import SoundfontError, find_soundfont

    try:
        find_soundfont(window.soundfont)
    except SoundfontError as exc:
        window.show_error(f"No sound: {exc}")
        return False
    return True


def make_window(settings: QSettings | None = None, list_inputs=None):
    """The main window with real devices (or an injected port lister, for tests)."""
    from coperformer.gui.main_window import MainWindow
    from coperformer.midi.ports import InputPortLister
    from coperformer.model.store import available_models
    from coperformer.synth.live_synth import audio_drivers

    try:
        drivers = [d for d in audio_drivers() if d != "file"]
    except CoperformerError:
        drivers = []
    settings = settings or QSettings("coperformer", "coperformer")
    return MainWindow(list_inputs or InputPortLister(), drivers, available_models(), settings)


def install_crash_hooks(window) -> None:
    """An error nobody expected, in a slot or a helper thread, is written to a log file and
    said in one line (in the window's banner for the GUI thread); the app goes on."""
    import threading

    from coperformer.common.crash import one_line, write_report

    def in_the_window(_kind, exc, _traceback) -> None:
        window.show_error(one_line(exc, write_report(exc, "window")))

    def in_a_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            name = args.thread.name if args.thread else "?"
            report = write_report(args.exc_value, f"thread {name}")
            print(f"coperformer: {one_line(args.exc_value, report)}", file=sys.stderr)

    sys.excepthook = in_the_window
    threading.excepthook = in_a_thread


def apply_theme(app: QApplication) -> None:
    """The dark stylesheet from ui/."""
    style = ui_file("style.qss")
    if style.exists():
        app.setStyleSheet(style.read_text())


def run_gui(argv: list[str] | None = None, quit_after_ms: int | None = None,
            input_file: str | None = None, startup_report: str | None = None,
            model: str | None = None, trust_model: bool = False) -> int:
    """Open the window and run the event loop (``startup_report``: write when it was shown and
    ready to play, then close; ``model``: the style to start with)."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("coperformer")
    app.setWindowIcon(QIcon(str(ui_file("icon.svg"))))
    apply_theme(app)
    window = make_window()
    install_crash_hooks(window)
    if model:
        window.choose_style(model, trust_model)
    window.resize(START_SIZE.boundedTo(app.primaryScreen().availableSize()))
    window.show()
    check_soundfont(window)
    offer_recovery(window)
    if input_file:
        window.play_file(str(Path(input_file).resolve()))
    if quit_after_ms:
        QTimer.singleShot(quit_after_ms, window.close)
    if startup_report:
        from coperformer.gui.startup import StartupProbe

        StartupProbe(window, Path(startup_report))
    code = app.exec()
    skip_teardown()  # the window closed: its jam stopped, its take and settings saved
    return code


def quit_app() -> None:
    """Ctrl-C or SIGTERM from the command line: Qt's loop ends (before the window is up, the
    start-up stops with KeyboardInterrupt). The main thread."""
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if app is None:
        raise KeyboardInterrupt
    app.quit()
