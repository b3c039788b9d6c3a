"""Mixer strips: one per band voice and one for the player (program, volume, mute, solo)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QWidget,
)

from coperformer.engine.mixer import DEFAULT_VOLUME

LABEL_WIDTH, VOLUME_WIDTH = 64, 120  # the mixer's columns, the same on every strip (px)
PROGRAM_CHARS = 16  # the program list asks for this many characters (it takes what is left)


class VoiceStrip(QWidget):
    """Name, GM program by name, volume, mute and solo for one channel."""

    program_changed = Signal(int, int)  # channel, program
    volume_changed = Signal(int, int)
    mute_changed = Signal(int, bool)
    solo_changed = Signal(int, bool)
    float_changed = Signal(int, bool)  # channel, keeps above the player

    def __init__(self, name: str, channel: int, program: int, program_names: list[str],
                 parent=None, style: str = "", programs: list[int] | None = None,
                 floats: bool = False):
        super().__init__(parent)
        self.channel = channel
        self.style = style  # a band voice's style: its program is remembered per style
        self.programs = programs  # the program each entry stands for (None: entry i = i)
        self.setObjectName(f"strip-{name}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(name)
        self.label.setFixedWidth(LABEL_WIDTH)
        self.label.setToolTip(name)
        self.program = QComboBox()
        self.program.addItems(program_names if programs else
                              [f"{i + 1:3d} {n}" for i, n in enumerate(program_names)])
        self.program.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.program.setMinimumContentsLength(PROGRAM_CHARS)
        self.program.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.select_program(program)
        self.volume = QSlider(Qt.Horizontal)
        self.volume.setRange(0, 127)
        self.volume.setValue(DEFAULT_VOLUME)
        self.volume.setFixedWidth(VOLUME_WIDTH)
        self.mute = QCheckBox("M")
        self.mute.setToolTip("mute")
        self.solo = QCheckBox("S")
        self.solo.setToolTip("solo")
        self.above = QCheckBox("↑") if floats else None  # upper band voices only
        slot = self.above or QCheckBox("↑")  # the same column on every strip: columns line up
        policy = slot.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        slot.setSizePolicy(policy)
        for widget in (self.label, self.program, self.volume, self.mute, self.solo, slot):
            layout.addWidget(widget)
        slot.setHidden(not floats)
        if self.above is not None:
            self.above.setToolTip("float above: this voice keeps above your melody "
                                  "(unchecked: it keeps under it)")
            self.above.toggled.connect(lambda on: self.float_changed.emit(channel, on))
        self.program.currentIndexChanged.connect(
            lambda i: self.program_changed.emit(channel, self.program_of(i)))
        self.volume.valueChanged.connect(lambda v: self.volume_changed.emit(channel, v))
        self.mute.toggled.connect(lambda on: self.mute_changed.emit(channel, on))
        self.solo.toggled.connect(lambda on: self.solo_changed.emit(channel, on))

    def program_of(self, index: int) -> int:
        """The GM program of a list entry."""
        return self.programs[index] if self.programs else index

    def select_program(self, program: int) -> None:
        """Show this GM program as the choice (one the list lacks is left as it is)."""
        if self.programs is None:
            self.program.setCurrentIndex(program)
        elif program in self.programs:
            self.program.setCurrentIndex(self.programs.index(program))

    def floating(self) -> bool:
        """True when this voice keeps above the player."""
        return self.above is not None and self.above.isChecked()

    def setting(self) -> tuple[int, int, bool, bool]:
        """(program, volume, muted, soloed) as the strip shows them."""
        return (self.program_of(self.program.currentIndex()), self.volume.value(),
                self.mute.isChecked(), self.solo.isChecked())

    def set_program_names(self, names: list[str]) -> None:
        """Refill the program list (another soundfont), keeping the choice; a strip with its
        own list (the drum kits) keeps it."""
        if self.programs is not None:
            return
        current = self.program.currentIndex()
        self.program.blockSignals(True)
        self.program.clear()
        self.program.addItems([f"{i + 1:3d} {n}" for i, n in enumerate(names)])
        self.program.setCurrentIndex(current)
        self.program.blockSignals(False)


def soundfont_program_names(soundfont: str | None) -> list[str]:
    """GM program names as the soundfont calls them ('Program N' where it has none)."""
    from coperformer.synth.fluid import FluidSynth, SynthError
    from coperformer.synth.soundfont import SoundfontError, find_soundfont

    try:
        synth = FluidSynth(find_soundfont(soundfont))
    except (SoundfontError, SynthError):
        return [f"Program {i + 1}" for i in range(128)]
    try:
        return [synth.preset_name(i) or f"Program {i + 1}" for i in range(128)]
    finally:
        synth.close()
