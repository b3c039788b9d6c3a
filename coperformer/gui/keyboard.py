"""A small on-screen keyboard that shows the keys being played, and plays when clicked."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

BLACK = {1, 3, 6, 8, 10}
BLACK_HEIGHT = 0.6  # black keys cover the top 60 % of the keyboard
BLACK_OFFSET, BLACK_WIDTH = 0.65, 0.7  # in white-key widths
CLICK_VELOCITY = 90


class OnScreenKeyboard(QWidget):
    """Draws ``octaves`` octaves from ``low``; pressed keys light up; a click plays a key."""

    clicked = Signal(int, int)  # pitch, velocity (0: released)

    def __init__(self, low: int = 48, octaves: int = 3, parent=None):
        super().__init__(parent)
        self.low, self.octaves = low, octaves
        self.down: set[int] = set()
        self.held: int | None = None  # the key the mouse holds down
        self.setMinimumHeight(48)
        self.setMaximumHeight(72)

    def set_low(self, low: int) -> None:
        """Follow the QWERTY octave."""
        self.low = low
        self.update()

    def press(self, pitch: int) -> None:
        """Light a key."""
        self.down.add(pitch)
        self.update()

    def release(self, pitch: int) -> None:
        """Darken a key."""
        self.down.discard(pitch)
        self.update()

    def pitch_at(self, x: float, y: float) -> int | None:
        """The key under a point (black keys first, as they lie on top)."""
        whites = self._whites()
        if not whites or not 0 <= x < self.width():
            return None
        key_w = self.width() / len(whites)
        index = int(x // key_w)
        if y < self.height() * BLACK_HEIGHT:
            for i in (index - 1, index):
                black = whites[i] + 1 if 0 <= i < len(whites) else None
                left = (i + BLACK_OFFSET) * key_w
                if black is not None and black % 12 in BLACK and black <= whites[-1] \
                        and left <= x < left + BLACK_WIDTH * key_w:
                    return black
        return whites[min(index, len(whites) - 1)]

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Play the clicked key."""
        pitch = self.pitch_at(event.position().x(), event.position().y())
        if pitch is not None:
            self.held = pitch
            self.clicked.emit(pitch, CLICK_VELOCITY)

    def mouseReleaseEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        """End the clicked key."""
        if self.held is not None:
            self.clicked.emit(self.held, 0)
            self.held = None

    def _whites(self) -> list[int]:
        return [p for p in range(self.low, self.low + 12 * self.octaves + 1) if p % 12 not in BLACK]

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        """Draw white keys, then black keys on top."""
        painter = QPainter(self)
        pitches = range(self.low, self.low + 12 * self.octaves + 1)
        whites = self._whites()
        key_w = self.width() / len(whites)
        painter.setPen(QPen(QColor("#263238"), 1))
        for i, pitch in enumerate(whites):
            painter.setBrush(QColor("#4fc3f7") if pitch in self.down else QColor("#eceff1"))
            painter.drawRect(QRectF(i * key_w, 0, key_w, self.height() - 1))
        for i, pitch in enumerate(whites):
            black = pitch + 1
            if black % 12 in BLACK and black in pitches:
                painter.setBrush(QColor("#0288d1") if black in self.down else QColor("#212121"))
                painter.drawRect(QRectF((i + BLACK_OFFSET) * key_w, 0, key_w * BLACK_WIDTH,
                                        self.height() * BLACK_HEIGHT))
        painter.end()
