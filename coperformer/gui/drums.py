"""The drum row of the band panel: the groove's feel and phrase, and its mixer strip (kit,
volume, mute, solo). Labelled for what it is: hand-written patterns, not AI."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from coperformer.gui.strips import VoiceStrip
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.groove import DRUM_KITS, FEELS, PHRASE_BARS

NO_DRUMS = "off"
DRUMS_LABEL = "Drums (patterns, not AI)"


class DrumRow(QWidget):
    """Feel (or off), fill every 4 or 8 bars, and the kit strip on the percussion channel."""

    def __init__(self, parent=None):
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.feel = QComboBox()
        self.feel.addItems([NO_DRUMS, *FEELS])
        self.feel.setFocusPolicy(Qt.NoFocus)  # the computer keyboard keeps playing notes
        self.feel.setToolTip("A drum groove from hand-written patterns (a variation every "
                             "other bar, a fill before each phrase end); it is not learned")
        self.phrase = QComboBox()
        self.phrase.addItems([f"fill every {bars} bars" for bars in PHRASE_BARS])
        self.phrase.setFocusPolicy(Qt.NoFocus)
        row.addWidget(QLabel(DRUMS_LABEL))
        row.addWidget(self.feel, 1)
        row.addWidget(self.phrase)
        column.addLayout(row)
        self.strip = VoiceStrip("Kit", DRUM_CHANNEL, DRUM_KITS["Standard"], list(DRUM_KITS),
                                programs=list(DRUM_KITS.values()))
        self.strip.setObjectName("strip-Drums")
        column.addWidget(self.strip)

    def chosen_feel(self) -> str | None:
        """The groove's feel, or None when the drums are off."""
        text = self.feel.currentText()
        return None if text == NO_DRUMS else text

    def phrase_bars(self) -> int:
        """Bars per phrase (a fill ends each)."""
        return PHRASE_BARS[self.phrase.currentIndex()]
