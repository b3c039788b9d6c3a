"""The band panel's chord chart: a lead sheet typed in one line (C | Am | F G7 | C), or opened
from a text file, that the band plays instead of choosing its own chords; read as it is typed
(GUI thread)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from coperformer.common.errors import first_line
from coperformer.gui.labels import ElidedLabel
from coperformer.io.chart_file import read_chart_file
from coperformer.music.chord_chart import ChartError, parse_chart

PLACEHOLDER = "a chord chart to play, e.g.  C | Am | F G7 | C   (empty: the band listens)"
ERROR_STYLE = "color: #e0604a;"
CHART_FILES = "Chord charts (*.txt *.chords);;All files (*)"


class ChartRow(QWidget):
    """A line for the chart and what the chart reads as (bars, or why it cannot be read)."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Chords:"))
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setToolTip("The band plays these chords from its first bar, one bar between "
                             "bar lines, two or more chords sharing a bar's beats, % repeating "
                             "the bar before, N.C. rests the band; the chart repeats. Instead "
                             "of the split point. During a jam, Return plays the edited chart "
                             "from the next bar (empty: the band listens again).")
        row.addWidget(self.edit, 1)
        self.open_button = QToolButton()
        self.open_button.setText("Open…")
        self.open_button.setToolTip("Open a chord chart kept in a text file: bars between bar "
                                    "lines or on lines of their own, # lines for a title")
        self.open_button.clicked.connect(self._choose_file)
        row.addWidget(self.open_button)
        self.status = ElidedLabel("")  # an error as long as it likes never widens the panel
        row.addWidget(self.status)
        self._readable = False  # a chart is typed and reads
        self.edit.textChanged.connect(self._read)
        self.edit.returnPressed.connect(self.edit.clearFocus)  # the keys play notes again

    def text(self) -> str | None:
        """The chart as typed (None when empty); a chart that cannot be read is still
        returned, so starting the jam says why."""
        return self.edit.text().strip() or None

    def playing(self) -> bool:
        """True when a readable chart is typed: the band will play it."""
        return self._readable

    def open_file(self, path: str) -> bool:
        """Put the chart of a text file in the line and enter it, as if typed (during a jam
        it plays from the next bar); False, with the reason beside the line, when the file
        cannot be read as a chart (the line keeps what it had)."""
        try:
            chart = parse_chart(read_chart_file(path))
        except ChartError as error:
            reason = first_line(error)
            if reason.startswith(path):  # the file's name is enough beside the line
                reason = Path(path).name + reason[len(path):]
            self.status.setText(reason)
            self.status.setToolTip(first_line(error))  # the whole path
            self.status.setStyleSheet(ERROR_STYLE)
            return False
        self.edit.setText(chart.text)
        self.edit.editingFinished.emit()
        return True

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a chord chart", "", CHART_FILES)
        if path:
            self.open_file(path)

    def _read(self) -> None:
        text = self.text()
        self._readable = False
        self.status.setToolTip("")
        if text is None:
            self.status.setText("")
            self.status.setStyleSheet("")
        else:
            try:
                bars = len(parse_chart(text).bars)
            except ChartError as error:
                self.status.setText(first_line(error))
                self.status.setStyleSheet(ERROR_STYLE)
            else:
                self.status.setText(f"{bars} bar{'s' * (bars != 1)}, repeating")
                self.status.setStyleSheet("")
                self._readable = True
        self.changed.emit()
