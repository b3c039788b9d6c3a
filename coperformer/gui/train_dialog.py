"""Train a style from your own MIDI, in the window: pick a folder, see which files are usable
and why the others are not, then train in a background process (`coperformer train --corpus
DIR`) with a progress bar, the losses, the time left and Cancel."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from PySide6.QtCore import QProcess, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from coperformer.common.paths import user_models_dir
from coperformer.model.dataset import MIN_PIECES

DEFAULT_STEPS = 3000  # as `coperformer train`
STYLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def training_command(folder: Path, out: Path, steps: int) -> list[str]:
    """The command line the dialog runs (the same as typing it)."""
    return [sys.executable, "-m", "coperformer.cli", "train", "--corpus", str(folder),
            "--out", str(out), "--steps", str(steps), "--progress-json", "--drop-checkpoint"]


def progress_text(line: dict) -> tuple[int, str]:
    """Percent done and a status line from one progress record of `train --progress-json`."""
    step, steps, seconds = line["step"], line["steps"], line["seconds"]
    left = seconds / max(1, step) * (steps - step)
    losses = "  ".join(f"{k} {v:.3f}" for k, v in line["losses"].items())
    return round(100 * step / steps), (f"step {step}/{steps}  {losses}  "
                                       f"about {_duration(left)} left")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


class TrainDialog(QDialog):
    """The folder, its check, the style's name and steps; Start, a progress bar and Cancel.
    ``trained`` carries the new style's name once its model and card are written."""

    trained = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Train a style from your MIDI files")
        self.folder: Path | None = None
        self.usable = 0
        self.process: QProcess | None = None
        self._output = b""
        self._build()

    def _build(self) -> None:
        form = QFormLayout()
        pick = QHBoxLayout()
        self.folder_label = QLabel("(no folder)")
        self.choose = QPushButton("Folder…")
        pick.addWidget(self.folder_label, 1)
        pick.addWidget(self.choose)
        form.addRow("MIDI folder", pick)
        self.name = QLineEdit("my-style")
        form.addRow("Style name", self.name)
        self.steps = QSpinBox()
        self.steps.setRange(1, 100_000)
        self.steps.setValue(DEFAULT_STEPS)
        form.addRow("Steps", self.steps)
        self.report = QLabel("Choose a folder: each file needs a melody and band voices.")
        self.report.setWordWrap(True)
        self.rejected = QListWidget()
        self.progress = QProgressBar()
        self.status = QLabel("")
        self.start = QPushButton("Start training")
        self.cancel = QPushButton("Cancel")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start)
        buttons.addWidget(self.cancel)
        column = QVBoxLayout(self)
        column.addLayout(form)
        for widget in (self.report, self.rejected, self.progress, self.status):
            column.addWidget(widget)
        column.addLayout(buttons)
        self.choose.clicked.connect(self._ask_folder)
        self.start.clicked.connect(self.start_training)
        self.cancel.clicked.connect(self.cancel_or_close)
        self.start.setEnabled(False)

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder of MIDI files")
        if folder:
            self.check_folder(Path(folder))

    def check_folder(self, folder: Path) -> None:
        """Read every MIDI file of the folder and show how many are usable, and why the
        others are not (GUI thread; a folder of a few hundred files takes seconds)."""
        from coperformer.model.folder_corpus import check_midi_folder

        self.folder = folder
        self.folder_label.setText(str(folder))
        report = check_midi_folder(folder)
        self.usable = len(report.usable)
        enough = "" if self.usable >= MIN_PIECES else f" (at least {MIN_PIECES} are needed)"
        self.report.setText(f"{self.usable} usable of {report.total} MIDI files{enough}"
                            + (f"; {len(report.rejected)} left out:" if report.rejected else ""))
        self.rejected.clear()
        self.rejected.addItems([f"{name}: {why}" for name, why in report.rejected])
        self.start.setEnabled(self.usable >= MIN_PIECES and self.process is None)

    def target(self) -> Path:
        """Where the new style's model goes (the user's models folder)."""
        return user_models_dir() / f"{self.name.text().strip()}.pt"

    def start_training(self) -> None:
        """Start `coperformer train` on the folder in a background process."""
        name = self.name.text().strip()
        if self.folder is None or self.usable < MIN_PIECES:
            return
        if not STYLE_NAME.match(name):
            self.status.setText("A style name is letters, digits, '-' or '_' (up to 40).")
            return
        self.target().parent.mkdir(parents=True, exist_ok=True)
        self.process = QProcess(self)
        self.process.readyReadStandardOutput.connect(self._read_progress)
        self.process.finished.connect(self._finished)
        command = training_command(self.folder, self.target(), self.steps.value())
        self.process.start(command[0], command[1:])
        self.start.setEnabled(False)
        self.cancel.setText("Cancel")
        self.progress.setValue(0)
        self.status.setText("reading the folder and starting…")

    def _read_progress(self) -> None:
        self._output += bytes(self.process.readAllStandardOutput())
        *lines, self._output = self._output.split(b"\n")
        for raw in lines:
            if raw.startswith(b"{"):
                percent, text = progress_text(json.loads(raw))
                self.progress.setValue(percent)
                self.status.setText(text)

    def _finished(self, code: int, _status) -> None:
        errors = bytes(self.process.readAllStandardError()).decode(errors="replace")
        self.process = None
        self.start.setEnabled(self.usable >= MIN_PIECES)
        self.cancel.setText("Close")  # nothing runs any more: the button only closes
        if code == 0 and self.target().exists():
            self.progress.setValue(100)
            self.status.setText(f"done: the style {self.target().stem} is in the style list")
            self.trained.emit(self.target().stem)
        elif self.status.text() != "cancelled":
            last = [line for line in errors.splitlines() if line.strip()][-1:] or ["?"]
            self.status.setText(f"training stopped: {last[0][-200:]}")

    def cancel_or_close(self) -> None:
        """Cancel a training run (its checkpoint stays, for `train --resume`; nothing is
        added), or close."""
        if self.process is None:
            self.reject()
            return
        process = self.process
        self.status.setText("cancelled")
        process.terminate()  # SIGTERM: the command stops like Ctrl-C
        if not process.waitForFinished(10_000):
            process.kill()
