"""The chord board: the band's chord now and the one that sounds next (a change inside the bar
too), large enough to read from a metre away; the next one shows as soon as the band previews
it, grey until it is decided."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

NO_CHORD_SHOWN = "–"
CHORD_PIXELS = 40  # about 1 cm on a laptop screen: readable from a metre away


class ChordBoard(QWidget):
    """Now and next chord names (GUI thread only)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.chords: dict[int, tuple[str, bool]] = {}  # bar -> (name, provisional)
        self.bar: int | None = None
        self.coming: tuple[str, bool] | None = None  # what the band said sounds next
        self.now = self._label("chordNow", "the band's chord in this bar")
        self.next = self._label("chordNext", "the chord that sounds next, in this bar or "
                                "the next (grey: previewed, white: decided)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for caption, label in (("now", self.now), ("next", self.next)):
            title = QLabel(caption)
            title.setObjectName("chordCaption")
            layout.addWidget(title, 0, Qt.AlignmentFlag.AlignBottom)
            layout.addWidget(label)
        layout.addStretch(1)
        self.clear()

    def _label(self, name: str, tip: str) -> QLabel:
        label = QLabel(NO_CHORD_SHOWN)
        label.setObjectName(name)
        # the label's own style sheet: the app's theme cannot shrink it
        label.setStyleSheet(f"font-size: {CHORD_PIXELS}px; font-weight: bold;")
        label.setToolTip(tip)
        label.setMinimumWidth(140)
        return label

    def clear(self) -> None:
        """Forget every chord (a new jam)."""
        self.chords.clear()
        self.bar, self.coming = None, None
        self._show()

    def chord(self, bar: int, name: str, provisional: bool) -> None:
        """The band previewed or decided the chord of ``bar``."""
        if provisional and bar in self.chords and not self.chords[bar][1]:
            return  # already decided
        self.chords[bar] = (name, provisional)
        for old in [b for b in self.chords if b < bar - 4]:
            del self.chords[old]
        self._show()

    def next_chord(self, name: str, _at_ns: int, provisional: bool) -> None:
        """The band told which chord sounds next ("" when none is known)."""
        self.coming = (name, provisional) if name else None
        self._show()

    def bar_line(self, bar: int) -> None:
        """A bar line passed."""
        self.bar = bar
        self._show()

    def _show(self) -> None:
        now = self.chords.get(self.bar) if self.bar is not None else None
        coming = self.coming
        self.now.setText(now[0] if now else NO_CHORD_SHOWN)
        self.next.setText(coming[0] if coming else NO_CHORD_SHOWN)
        self.next.setProperty("provisional", bool(coming and coming[1]))
        self.next.style().unpolish(self.next)
        self.next.style().polish(self.next)
