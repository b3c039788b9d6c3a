"""A small on-screen keyboard that shows the keys being played."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

BLACK = {1, 3, 6, 8, 10}


class OnScreenKeyboard(QWidget):
    """Draws ``octaves`` octaves from ``low``; pressed keys light up."""

    def __init__(self, low: int = 48, octaves: int = 3, parent=None):
        super().__init__(parent)
        self.low, self.octaves = low, octaves
        self.down: set[int] = set()
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

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        """Draw white keys, then black keys on top."""
        painter = QPainter(self)
        pitches = range(self.low, self.low + 12 * self.octaves + 1)
        whites = [p for p in pitches if p % 12 not in BLACK]
        key_w = self.width() / len(whites)
        painter.setPen(QPen(QColor("#263238"), 1))
        for i, pitch in enumerate(whites):
            painter.setBrush(QColor("#4fc3f7") if pitch in self.down else QColor("#eceff1"))
            painter.drawRect(QRectF(i * key_w, 0, key_w, self.height() - 1))
        for i, pitch in enumerate(whites):
            black = pitch + 1
            if black % 12 in BLACK and black in pitches:
                painter.setBrush(QColor("#0288d1") if black in self.down else QColor("#212121"))
                painter.drawRect(QRectF((i + 0.65) * key_w, 0, key_w * 0.7, self.height() * 0.6))
        painter.end()
