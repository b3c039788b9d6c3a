"""The live piano roll: the player's notes, the band's, and the next bar planned ahead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

PLAYER = QColor("#4fc3f7")
VOICE_COLORS = (QColor("#ffb74d"), QColor("#aed581"), QColor("#ba68c8"))  # alto, tenor, bass
PLANNED_LIGHTER = 140  # a planned bar's notes: their voice's colour, lighter, outlined
MUTED_ALPHA = 60  # a muted voice (or one silenced by a solo) is drawn faint
GRID = QColor("#37404a")
PLAYHEAD = QColor("#eceff1")
LOW, HIGH = 33, 96


@dataclass
class RollNote:
    """A note on the roll (times in ns; end None while held)."""

    pitch: int
    start: int
    end: int | None
    band: bool
    bar: int = -1
    channel: int = -1
    voice: int = -1


class PianoRoll(QWidget):
    """Scrolls with the clock; the playhead sits at 60 % of the width, the future to its right."""

    def __init__(self, now_ns: Callable[[], int], seconds_visible: float = 10.0, parent=None):
        super().__init__(parent)
        self.now_ns = now_ns
        self.span_ns = int(seconds_visible * 1e9)
        self.notes: list[RollNote] = []
        self.silent_channels: set[int] = set()  # muted, or not soloed while another voice is
        self.bar_lines: list[int] = []
        self.planned_bar = -1
        self.frames = 0
        self._no_pen = QPen(Qt.PenStyle.NoPen)
        self._outline = QPen(QColor("#ffffff"), 1)
        self.setMinimumHeight(160)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(16)  # display rate; painting never touches the engine

    def _tick(self) -> None:
        """Repaint while something is on the roll; an idle roll costs nothing."""
        if self.notes or self.bar_lines:
            self.update()

    def clear(self) -> None:
        """Forget everything."""
        self.notes.clear()
        self.bar_lines.clear()
        self.planned_bar = -1

    def player_on(self, pitch: int, time_ns: int) -> None:
        """The player pressed a key."""
        self.notes.append(RollNote(pitch, time_ns, None, False))

    def player_off(self, pitch: int, time_ns: int) -> None:
        """The player released a key."""
        for note in reversed(self.notes):
            if not note.band and note.pitch == pitch and note.end is None:
                note.end = time_ns
                return

    def band_planned(self, bar: int, notes: list) -> None:
        """The band's next bar is decided: draw it ahead of the playhead."""
        self.planned_bar = max(self.planned_bar, bar)
        self.notes.extend(RollNote(n.pitch, n.on_ns, n.off_ns, True, bar, n.channel, n.voice)
                          for n in notes)

    def bar_line(self, time_ns: int) -> None:
        """A bar line passed or is known."""
        self.bar_lines.append(time_ns)

    def band_notes_count(self) -> int:
        """How many band notes the roll holds (tests and status)."""
        return sum(1 for n in self.notes if n.band)

    def _prune(self, now: int) -> None:
        oldest = now - self.span_ns
        self.notes = [n for n in self.notes if n.end is None or n.end >= oldest]
        self.bar_lines = [t for t in self.bar_lines if t >= oldest][-64:]

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        """Draw grid, notes and playhead."""
        now = self.now_ns()
        self.frames += 1
        self._prune(now)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        width, height = self.width(), self.height()
        painter.fillRect(self.rect(), QColor("#1b1f24"))
        x_of = self._x_mapper(now, width)
        row = height / (HIGH - LOW + 1)
        self._draw_grid(painter, x_of, row, width, height)
        for note in self.notes:
            self._draw_note(painter, note, x_of, row, now)
        painter.setPen(QPen(PLAYHEAD, 2))
        painter.drawLine(int(width * 0.6), 0, int(width * 0.6), height)
        painter.end()

    def _x_mapper(self, now: int, width: int):
        head = width * 0.6
        scale = width / self.span_ns

        def x_of(t: int) -> float:
            return head + (t - now) * scale

        return x_of

    def _draw_grid(self, painter: QPainter, x_of, row: float, width: int, height: int) -> None:
        painter.setPen(QPen(GRID, 1))
        for pitch in range(LOW, HIGH + 1):
            if pitch % 12 == 0:
                y = height - (pitch - LOW + 1) * row
                painter.drawLine(0, int(y), width, int(y))
        for t in self.bar_lines:
            x = x_of(t)
            painter.drawLine(int(x), 0, int(x), height)

    def _draw_note(self, painter: QPainter, note: RollNote, x_of, row: float, now: int) -> None:
        if not LOW <= note.pitch <= HIGH:
            return
        end = note.end if note.end is not None else now
        x0, x1 = x_of(note.start), x_of(end)
        y = self.height() - (note.pitch - LOW + 1) * row
        planned = note.band and note.start > now
        color = QColor(PLAYER if not note.band else VOICE_COLORS[note.voice % len(VOICE_COLORS)])
        if planned:
            color = color.lighter(PLANNED_LIGHTER)
        if note.band and note.channel in self.silent_channels:
            color.setAlpha(MUTED_ALPHA)
        painter.setPen(self._outline if planned else self._no_pen)
        painter.setBrush(color)
        painter.drawRoundedRect(QRectF(x0, y, max(2.0, x1 - x0), max(2.0, row - 1)), 2, 2)
