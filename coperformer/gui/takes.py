"""Takes in the window: saving the recording, exporting WAV (the metronome only when asked),
and the takes list (recent takes with length and date; play back through the synth; open
their folder). A mixin of MainWindow and its dialog; GUI thread."""

from __future__ import annotations

import time
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from coperformer.common.errors import CoperformerError
from coperformer.gui.controller import take_name

RECENT_KEY = "recent_takes"
RECENT_TAKES = 20  # the takes list remembers this many
FOLDER_KEY = "takes_folder"  # the folder the last take was saved in


def remember_take(settings: QSettings, path: Path) -> None:
    """Put a saved take at the top of the recent takes."""
    paths = [str(path)] + [p for p in recent_paths(settings) if p != str(path)]
    settings.setValue(RECENT_KEY, paths[:RECENT_TAKES])


def recent_paths(settings: QSettings) -> list[str]:
    """The remembered takes, newest first (whether or not they still exist)."""
    value = settings.value(RECENT_KEY, [])
    return [value] if isinstance(value, str) else [str(p) for p in value or []]


def takes_folder(settings: QSettings) -> Path:
    """Where the save dialog opens: the folder of the last take saved, else the music
    folder, else home (never the working folder)."""
    for folder in (str(settings.value(FOLDER_KEY, "") or ""), platformdirs.user_music_dir()):
        if folder and Path(folder).is_dir():
            return Path(folder)
    return Path.home()


def describe_take(path: Path) -> str:
    """One line for the list: name, length (m:ss) and when it was saved."""
    from coperformer.io.midifile import read_song

    try:
        song = read_song(path)
        seconds = song.seconds_at(song.end_tick)
        length = f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    except CoperformerError:
        length = "unreadable"
    saved = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
    return f"{path.name}    {length}    {saved}"


class TakeControls:
    """Save, export and list takes, for a window with ``controller``, ``settings``,
    ``exporter``, ``recording``, ``soundfont`` and ``last_saved``."""

    def save_recording(self) -> None:
        """Ask where to save the take; a cancelled dialog leaves the journal to recover."""
        suggested = takes_folder(self.settings) / take_name()
        path, _ = QFileDialog.getSaveFileName(self, "Save the recording", str(suggested),
                                              "MIDI files (*.mid)")
        if not path:
            self.statusBar().showMessage("recording kept in its journal (recover at start-up)")
            return
        try:
            self.last_saved = self.controller.save_recording(path)
            remember_take(self.settings, self.last_saved)
            self.settings.setValue(FOLDER_KEY, str(self.last_saved.resolve().parent))
            self.statusBar().showMessage(f"saved {path}", 10000)
        except (OSError, ValueError, CoperformerError) as exc:
            self.show_error(f"cannot save the recording: {exc}")

    def export_wav(self, take: Path | None = None) -> None:
        """Render a take (the last saved one by default) to WAV, with a progress bar; the
        metronome goes in only when its box is checked."""
        take = take or self.last_saved
        if take is None:
            self.show_error("record and save a take first, then export it")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export WAV", str(take.with_suffix(".wav")),
                                              "WAV (*.wav)")
        if path:
            self.exporter.export(take, Path(path), self.soundfont,
                                 self.recording.export_click.isChecked())

    def show_takes(self) -> TakesDialog:
        """The takes list."""
        dialog = TakesDialog(self)
        dialog.show()
        return dialog


class TakesDialog(QDialog):
    """Recent takes: play one back (the jam must be stopped), export it, open its folder."""

    def __init__(self, window):
        super().__init__(window)
        self.main = window  # not `window`: QWidget.window() must stay callable
        self.setWindowTitle("Takes")
        self.list = QListWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        self.click = QCheckBox("Metronome in the WAV")
        self.click.setChecked(window.recording.export_click.isChecked())
        self.click.toggled.connect(window.recording.export_click.setChecked)
        layout.addWidget(self.click)
        buttons = QHBoxLayout()
        self.play, self.stop = QPushButton("▶ Play"), QPushButton("■ Stop")
        self.export, self.folder = QPushButton("Export WAV…"), QPushButton("Open folder")
        for button, slot in ((self.play, self.play_selected), (self.stop, self.stop_playback),
                             (self.export, self.export_selected),
                             (self.folder, self.open_folder)):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        """List the remembered takes that still exist, newest first."""
        self.list.clear()
        for text in recent_paths(self.main.settings):
            path = Path(text)
            if path.is_file():
                item = QListWidgetItem(describe_take(path))
                item.setData(Qt.UserRole, str(path))
                self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def selected(self) -> Path | None:
        """The chosen take."""
        item = self.list.currentItem()
        return Path(item.data(Qt.UserRole)) if item else None

    def play_selected(self) -> None:
        """Play the chosen take through the synth."""
        take = self.selected()
        if take is None:
            return
        if self.main.controller.running:
            self.main.show_error("stop the jam first, then play a take back")
            return
        try:
            seconds = self.main.controller.idle.play(take)
        except CoperformerError as exc:
            self.main.show_error(f"cannot play {take.name}: {exc}")
            return
        self.main.statusBar().showMessage(f"playing {take.name} ({seconds:.0f} s)", 5000)

    def stop_playback(self) -> None:
        """Stop the take playing."""
        self.main.controller.idle.stop_playback()

    def export_selected(self) -> None:
        """Export the chosen take to WAV."""
        if (take := self.selected()) is not None:
            self.main.export_wav(take)

    def open_folder(self) -> bool:
        """Show the chosen take's folder in the file manager."""
        take = self.selected()
        return take is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(take.parent)))

    def done(self, result: int) -> None:
        """Closing the list (its window's close button, or Esc) stops the playback."""
        self.stop_playback()
        super().done(result)
