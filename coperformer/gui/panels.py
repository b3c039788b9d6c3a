"""The window's panels: input, sound, transport, band and recording controls."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

QWERTY_LABEL = "Computer keyboard (QWERTY)"


class InputPanel(QGroupBox):
    """MIDI input picker with its connection state, and the MIDI-file player."""

    def __init__(self, parent=None):
        super().__init__("Input", parent)
        grid = QGridLayout(self)
        self.picker = QComboBox()
        self.picker.setObjectName("inputPicker")
        self.picker.setMinimumWidth(220)
        self.state = QLabel("○ not connected")
        self.state.setObjectName("connectionState")
        self.file_button = QPushButton("MIDI file…")
        grid.addWidget(self.picker, 0, 0, 1, 2)
        grid.addWidget(self.state, 1, 0)
        grid.addWidget(self.file_button, 1, 1)


class SoundPanel(QGroupBox):
    """Audio driver, soundfont and the latency they give."""

    def __init__(self, drivers: list[str], parent=None):
        super().__init__("Sound", parent)
        grid = QGridLayout(self)
        self.driver = QComboBox()
        self.driver.addItems(["none"] + drivers)
        self.period = QComboBox()
        self.period.addItems(["64", "128", "256", "512"])
        self.period.setCurrentText("128")
        self.soundfont = QLabel("(system GM soundfont)")
        self.soundfont.setWordWrap(True)
        self.soundfont_button = QPushButton("Soundfont…")
        self.latency = QLabel("")
        grid.addWidget(QLabel("Driver"), 0, 0)
        grid.addWidget(self.driver, 0, 1)
        grid.addWidget(QLabel("Buffer"), 0, 2)
        grid.addWidget(self.period, 0, 3)
        grid.addWidget(self.soundfont, 1, 0, 1, 3)
        grid.addWidget(self.soundfont_button, 1, 3)
        grid.addWidget(self.latency, 2, 0, 1, 4)

    def update_latency(self) -> None:
        """Show the buffer latency of the chosen driver and period."""
        if self.driver.currentText() == "none":
            self.latency.setText("no audio device (silent; use --audio-driver for sound)")
            return
        from coperformer.synth.fluid import LIVE_SAMPLE_RATE

        ms = 1000.0 * int(self.period.currentText()) * 2 / LIVE_SAMPLE_RATE
        self.latency.setText(f"audio buffer latency {ms:.1f} ms")


class TransportPanel(QGroupBox):
    """Play/stop, tempo with tap tempo, meter, count-in, metronome, sync start, position."""

    def __init__(self, parent=None):
        super().__init__("Transport", parent)
        layout = QHBoxLayout(self)
        self.play = QPushButton("▶ Play")
        self.play.setObjectName("playButton")
        self.play.setCheckable(True)
        self.tempo = QDoubleSpinBox()
        self.tempo.setRange(40, 240)
        self.tempo.setDecimals(0)
        self.tempo.setValue(120)
        self.tempo.setSuffix(" BPM")
        self.tap = QPushButton("Tap")
        self.meter = QComboBox()
        self.meter.addItems(["4/4", "3/4", "6/8"])
        self.count_in = QSpinBox()
        self.count_in.setRange(0, 4)
        self.count_in.setValue(1)
        self.count_in.setPrefix("count-in ")
        self.metronome = QCheckBox("Metronome")
        self.metronome.setChecked(True)
        self.sync_start = QCheckBox("Sync start")
        self.position = QLabel("–:–")
        self.position.setObjectName("position")
        for widget in (self.play, self.tempo, self.tap, self.meter, self.count_in,
                       self.metronome, self.sync_start, self.position):
            layout.addWidget(widget)


class BandPanel(QGroupBox):
    """The style (model), its card, and the mixer strips."""

    def __init__(self, parent=None):
        super().__init__("Band", parent)
        self.layout_ = QVBoxLayout(self)
        top = QHBoxLayout()
        self.model = QComboBox()
        self.card = QPushButton("Model card…")
        top.addWidget(QLabel("Style"))
        top.addWidget(self.model, 1)
        top.addWidget(self.card)
        self.layout_.addLayout(top)
        self.strips = QWidget()
        self.strips_layout = QVBoxLayout(self.strips)
        self.strips_layout.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.strips)


class RecordPanel:
    """Record (armed until stop), export WAV, panic: the Qt Designer form ui/record_panel.ui."""

    def __init__(self, parent=None):
        from pathlib import Path

        from PySide6.QtCore import QFile
        from PySide6.QtUiTools import QUiLoader

        form = QFile(str(Path(__file__).resolve().parents[2] / "ui" / "record_panel.ui"))
        form.open(QFile.ReadOnly)
        self.widget = QUiLoader().load(form, parent)
        form.close()
        self.record = self.widget.findChild(QPushButton, "recordButton")
        self.export = self.widget.findChild(QPushButton, "exportButton")
        self.panic = self.widget.findChild(QPushButton, "panicButton")
