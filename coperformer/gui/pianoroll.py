"""The live piano roll: the player's notes, the band's, and the next bar planned ahead:
provisionally at each beat (dashed), then decided (outlined)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

PLAYER = QColor("#4fc3f7")
VOICE_COLORS = (QColor("#ffb74d"), QColor("#aed581"), QColor("#ba68c8"))  # alto, tenor, bass
PLANNED_LIGHTER = 140  # a planned bar's notes: their voice's colour, lighter, outlined
PROVISIONAL_ALPHA = 120  # a provisional plan: see-through, a dashed outline of its colour
MUTED_ALPHA = 60  # a muted voice (or one silenced by a solo) is drawn faint
GRID = QColor("#37404a")
PLAYHEAD = QColor("#eceff1")
LABEL = QColor("#90a4ae")
MIN_HEIGHT = 120  # px: with the panels above, the window fits 1366x768 without scrolling
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
    provisional: bool = False


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
        self.frozen_ns: int | None = None  # the time shown after Stop (the take stays)
        self.frames = 0
        self._no_pen = QPen(Qt.PenStyle.NoPen)
        self._outline = QPen(QColor("#ffffff"), 1)
        self.setMinimumHeight(MIN_HEIGHT)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(16)  # display rate; painting never touches the engine

    def _tick(self) -> None:
        """Repaint while something moves on the roll; an idle or frozen roll costs nothing."""
        if (self.notes or self.bar_lines) and self.frozen_ns is None:
            self.update()

    def clear(self) -> None:
        """Forget everything (a new jam)."""
        self.notes.clear()
        self.bar_lines.clear()
        self.planned_bar = -1
        self.frozen_ns = None

    def freeze(self) -> None:
        """The jam stopped: keep showing its last seconds, drop plans never played."""
        if self.frozen_ns is None:
            self.frozen_ns = self.now_ns()
            self.notes = [n for n in self.notes if n.start <= self.frozen_ns]
            self.update()

    def _now(self) -> int:
        return self.frozen_ns if self.frozen_ns is not None else self.now_ns()

    def player_on(self, pitch: int, time_ns: int) -> None:
        """The player pressed a key."""
        self.notes.append(RollNote(pitch, time_ns, None, False))

    def player_off(self, pitch: int, time_ns: int) -> None:
        """The player released a key."""
        for note in reversed(self.notes):
            if not note.band and note.pitch == pitch and note.end is None:
                note.end = time_ns
                return

    def band_provisional(self, bar: int, notes: list) -> None:
        """The band's likely notes of a coming bar: they replace its previous plan."""
        if bar <= self.planned_bar or self.frozen_ns is not None:
            return  # decided already (a late signal), or the jam stopped
        self._drop_provisional(bar)
        self.notes.extend(RollNote(n.pitch, n.on_ns, n.off_ns, True, bar, n.channel, n.voice,
                                   provisional=True) for n in notes)

    def band_planned(self, bar: int, notes: list) -> None:
        """The band's next bar is decided: draw it ahead of the playhead."""
        self.planned_bar = max(self.planned_bar, bar)
        self._drop_provisional(bar)
        self.notes.extend(RollNote(n.pitch, n.on_ns, n.off_ns, True, bar, n.channel, n.voice)
                          for n in notes)

    def band_replanned(self, bar: int, from_ns: int, kept, notes: list) -> None:
        """The bar being played changes from ``from_ns`` (the left hand's new chord): its
        notes after that go, those sounding across it end there (but the ``kept`` ones)."""
        kept = set(kept)
        out = []
        for note in self.notes:
            if note.band and note.bar == bar and not note.provisional:
                if note.start >= from_ns:
                    continue
                if note.end is not None and note.end > from_ns \
                        and (note.channel, note.pitch) not in kept:
                    note.end = from_ns
            out.append(note)
        self.notes = out
        self.notes.extend(RollNote(n.pitch, n.on_ns, n.off_ns, True, bar, n.channel, n.voice)
                          for n in notes)

    def _drop_provisional(self, bar: int) -> None:
        self.notes = [n for n in self.notes if not (n.provisional and n.bar == bar)]

    def provisional_notes(self, bar: int) -> list[RollNote]:
        """The provisional plan of ``bar`` on the roll (tests and status)."""
        return [n for n in self.notes if n.provisional and n.bar == bar]

    def bar_line(self, time_ns: int) -> None:
        """A bar line passed or is known."""
        self.bar_lines.append(time_ns)

    def band_notes_count(self) -> int:
        """How many band notes the roll holds (tests and status)."""
        return sum(1 for n in self.notes if n.band and not n.provisional)

    def _prune(self, now: int) -> None:
        oldest = now - self.span_ns
        self.notes = [n for n in self.notes if n.end is None or n.end >= oldest]
        self.bar_lines = [t for t in self.bar_lines if t >= oldest][-64:]

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        """Draw grid, notes and playhead."""
        now = self._now()
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
        for pitch in range(LOW, HIGH + 1):
            if pitch % 12 == 0:
                y = height - (pitch - LOW + 1) * row
                painter.setPen(QPen(GRID, 1))
                painter.drawLine(0, int(y), width, int(y))
                painter.setPen(LABEL)
                painter.drawText(QRectF(2, y, 40, row + 12), f"C{pitch // 12 - 1}")
        painter.setPen(QPen(GRID, 1))
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
        if note.provisional:
            color.setAlpha(PROVISIONAL_ALPHA)
        if note.band and note.channel in self.silent_channels:
            color.setAlpha(MUTED_ALPHA)
        if note.provisional:  # dashed in the voice's own colour: likely, not decided
            painter.setPen(QPen(color.lighter(PLANNED_LIGHTER), 1, Qt.PenStyle.DashLine))
        else:
            painter.setPen(self._outline if planned else self._no_pen)
        painter.setBrush(color)
        painter.drawRoundedRect(QRectF(x0, y, max(2.0, x1 - x0), max(2.0, row - 1)), 2, 2)
