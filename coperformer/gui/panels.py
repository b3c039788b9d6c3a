"""The window's panels: input, sound, transport, band and recording controls."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coperformer.common.paths import ui_file
from coperformer.engine.session_config import DEFAULT_MARGIN_MS, MARGIN_RANGE_MS
from coperformer.engine.sinks import BAND_CHANNELS
from coperformer.engine.transport import DEFAULT_BPM, MAX_BPM, MIN_BPM
from coperformer.gui.chart_row import ChartRow
from coperformer.gui.drums import DrumRow
from coperformer.gui.labels import ElidedLabel
from coperformer.gui.midi_out_row import MidiOutRow
from coperformer.gui.status_text import FOLLOW_ME, NO_POSITION, follow_label
from coperformer.gui.strips import VoiceStrip
from coperformer.jam.options import QWERTY, JamOptions
from coperformer.music.beat_tracker import FERMATA
from coperformer.music.chord_names import note_name
from coperformer.music.endings import key_name
from coperformer.music.harmony import Key
from coperformer.music.listening import CHANGE_EVERY, DEFAULT_ADVENTURE, FLOATING_VOICES
from coperformer.music.meter import SUPPORTED_METERS
from coperformer.synth.fluid import LIVE_SAMPLE_RATE
from coperformer.synth.jack_server import jack_period
from coperformer.synth.live_synth import driver_latency_ms

QWERTY_LABEL = "Computer keyboard (QWERTY)"
FILE_PREFIX = "File: "
PORT_CHARS = 30  # the input list shows this many characters at least, the rest in its tip
POPUP_PADDING = 40  # px beside the widest name in the open list (its scroll bar, margins)
PERIOD_SIZES = ("64", "128", "256", "512")
DEFAULT_METER = "4/4"


class InputPanel(QGroupBox):
    """MIDI input picker with its connection state, and the MIDI-file player."""

    def __init__(self, parent=None):
        super().__init__("Input", parent)
        grid = QGridLayout(self)
        self.picker = QComboBox()
        self.picker.setObjectName("inputPicker")
        self.picker.setMinimumWidth(220)
        self.picker.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(PORT_CHARS)  # a longer name never widens the window
        self.picker.currentTextChanged.connect(self.picker.setToolTip)  # the whole name
        self.state = QLabel("○ not connected")
        self.state.setObjectName("connectionState")
        self.ports: list[str] | None = None  # the input ports listed last
        self.file_button = QPushButton("MIDI file…")
        grid.addWidget(self.picker, 0, 0, 1, 2)
        grid.addWidget(self.state, 1, 0)
        grid.addWidget(self.file_button, 1, 1)

    def update_choices(self, ports: list[str], file_input: str | None) -> None:
        """Offer QWERTY, the ports and the file, keeping the current choice by name (a port
        unplugged stays chosen: it is used again when it comes back)."""
        current = self.picker.currentText()
        kept = [current] if is_port(current) and current not in ports else []
        wanted = [QWERTY_LABEL] + ports + kept + ([FILE_PREFIX + file_input] if file_input
                                                   else [])
        if [self.picker.itemText(i) for i in range(self.picker.count())] != wanted:
            self.picker.blockSignals(True)
            self.picker.clear()
            self.picker.addItems(wanted)
            self.picker.setCurrentIndex(max(0, self.picker.findText(current)))
            self.picker.blockSignals(False)
            self.picker.setToolTip(self.picker.currentText())
            widest = max(self.picker.fontMetrics().horizontalAdvance(name) for name in wanted)
            self.picker.view().setMinimumWidth(widest + POPUP_PADDING)  # the list: every name
        self.show_connection(ports)

    def choose(self, label: str) -> None:
        """Select a saved choice; a port that is not plugged in now is listed all the same."""
        if is_port(label) and self.picker.findText(label) < 0:
            self.picker.addItem(label)
        self.picker.setCurrentText(label)

    def unplugged(self) -> str | None:
        """The chosen port when it is not among the ports listed last, else None."""
        text = self.picker.currentText()
        return text if is_port(text) and self.ports is not None and text not in self.ports \
            else None

    def choose_file(self, path: str) -> None:
        """Select a MIDI file as the input (it must be among the choices)."""
        self.picker.setCurrentText(FILE_PREFIX + path)

    def selected(self) -> str:
        """What to play from: a port name, a file path, or 'qwerty'."""
        text = self.picker.currentText()
        if text.startswith(FILE_PREFIX):
            return text[len(FILE_PREFIX):]
        return QWERTY if text in ("", QWERTY_LABEL) else text

    def show_connection(self, ports: list[str] | None = None) -> None:
        """Ready (QWERTY, file), connected, or unplugged (the ports listed last, or these)."""
        self.ports = self.ports if ports is None else list(ports)
        if not is_port(self.picker.currentText()):
            self.state.setText("● ready")
        elif self.unplugged():
            self.state.setText("⚠ unplugged: waiting for it")
        else:
            self.state.setText("● connected")


def is_port(label: str) -> bool:
    """Whether an input choice names a MIDI port (not QWERTY, not a file)."""
    return bool(label) and label != QWERTY_LABEL and not label.startswith(FILE_PREFIX)


class SoundPanel(QGroupBox):
    """Audio driver, soundfont and the latency they give."""

    def __init__(self, drivers: list[str], parent=None):
        super().__init__("Sound", parent)
        grid = QGridLayout(self)
        self.driver = QComboBox()
        self.driver.addItems(["none"] + drivers)
        self.period = QComboBox()
        self.period.addItems(PERIOD_SIZES)
        self.period.setCurrentText(str(JamOptions.period_size))
        self.soundfont = ElidedLabel("(system GM soundfont)")  # a long path: cut, in its tip
        self.soundfont_button = QPushButton("Soundfont…")
        self.latency = QLabel("")
        grid.addWidget(QLabel("Driver"), 0, 0)
        grid.addWidget(self.driver, 0, 1)
        grid.addWidget(QLabel("Buffer"), 0, 2)
        grid.addWidget(self.period, 0, 3)
        grid.addWidget(self.soundfont, 1, 0, 1, 3)
        grid.addWidget(self.soundfont_button, 1, 3)
        grid.addWidget(self.latency, 2, 0, 1, 4)
        self.midi_out = MidiOutRow()
        grid.addWidget(self.midi_out, 3, 0, 1, 4)
        grid.addWidget(QLabel("Margin"), 4, 0)
        grid.addWidget(self._margin_box(), 4, 1)

    def _margin_box(self) -> QSpinBox:
        self.margin = QSpinBox()
        self.margin.setRange(*(round(ms) for ms in MARGIN_RANGE_MS))
        self.margin.setValue(round(DEFAULT_MARGIN_MS))
        self.margin.setSuffix(" ms")
        self.margin.setToolTip("The decision margin: the band decides each bar this long before "
                               "its downbeat. Larger if the model is too slow for your machine "
                               "(bars come late); your notes up to then are heard")
        return self.margin

    def update_latency(self) -> None:
        """Show the buffer latency of the chosen driver and period."""
        if self.driver.currentText() == "none":
            self.latency.setText("no audio device (silent; use --audio-driver for sound)")
            return
        driver = self.driver.currentText()
        ms = driver_latency_ms(driver, int(self.period.currentText()), JamOptions.periods,
                               LIVE_SAMPLE_RATE)
        server = jack_period() if driver == "jack" else None
        where = (f" (the JACK server: {server[0]} frames at {server[1] / 1000:g} kHz)"
                 if server else " (no JACK server running)" if driver == "jack" else "")
        self.latency.setText(f"audio buffer latency {ms:.1f} ms{where}")


NO_INTRO = "no intro"
INTRO_KEYS = [f"intro {key_name(Key(tonic, minor))}" for minor in (False, True)
              for tonic in range(12)]  # every major key, then every minor one


class TransportPanel(QGroupBox):
    """Play/stop, tempo with tap tempo, meter, count-in, metronome, sync start, position."""

    def __init__(self, parent=None):
        super().__init__("Transport", parent)
        layout = QHBoxLayout(self)
        self.play = QPushButton("▶ Play")
        self.play.setObjectName("playButton")
        self.play.setCheckable(True)
        self.tempo = QDoubleSpinBox()
        self.tempo.setRange(MIN_BPM, MAX_BPM)
        self.tempo.setDecimals(0)
        self.tempo.setValue(DEFAULT_BPM)
        self.tempo.setSuffix(" BPM")
        self.tap = QPushButton("Tap")
        self.meter = QComboBox()
        self.meter.addItems(SUPPORTED_METERS)
        self.meter.setCurrentText(DEFAULT_METER)
        self.count_in = QSpinBox()
        self.count_in.setRange(0, 4)
        self.count_in.setValue(JamOptions.count_in)
        self.count_in.setPrefix("count-in ")
        self.metronome = QCheckBox("Metronome")
        self.metronome.setChecked(True)
        self.follow = QCheckBox(FOLLOW_ME)
        self.follow.setToolTip("The band follows your tempo (no click after the count-in); "
                               "the position shows the tempo it hears, the switch how sure it "
                               "is of your beat (lost: the band holds its chord until it finds "
                               "the beat again; fermata: it waits for you)")
        widest = self.follow.fontMetrics().horizontalAdvance(follow_label((FERMATA, 1.0)))
        self.follow.setMinimumWidth(widest + 2 * self.follow.fontMetrics().height())
        self.sync_start = QCheckBox("Sync start")
        self.sync_start.setToolTip(
            "Keyboard: your first note is bar 1's downbeat (no count-in); with Follow me, "
            "play four beats (any key; two bars of 3/4 or 6/8): bar 1 starts on the next beat "
            "at your tempo; with count-in 0 start the tune: the band finds your tempo, in on "
            "bar 2.\nFile: it starts at the bar of its first note, after the count-in, in time")
        self.sync_stop = QCheckBox("Sync stop")
        self.sync_stop.setToolTip("When you stop playing for a bar, the band ends with a "
                                  "final chord on the tonic")
        self.intro = QComboBox()
        self.intro.addItems([NO_INTRO, *INTRO_KEYS])
        self.intro.setToolTip("The band plays this key's tonic chord through the count-in "
                              "and the first bar, before you come in")
        self.ending = QPushButton("Ending")
        self.ending.setToolTip("End the tune: the band plays its final chord next bar")
        self.position = QLabel(NO_POSITION)
        self.position.setObjectName("position")
        self.position.setToolTip("Bar:beat (negative in the count-in; –:– while stopped or "
                                 "waiting for your first note; count-in 2/4 while you count "
                                 "yourself in, with Follow me and Sync start)")
        for widget, tip in ((self.play, "Start or stop the jam (Space)"),
                            (self.tempo, "Beats per minute; a change applies from the next "
                                         "bar the band has not planned yet"),
                            (self.tap, "Tap four times in time to set the tempo"),
                            (self.meter, "Beats in a bar; changed while playing, it takes "
                                         "effect at the next bar line"),
                            (self.count_in, "Bars of clicks before bar 1 (with Follow me and Sync "
                                           "start: the bars you play, four beats at least)"),
                            (self.metronome, "Clicks on every beat while you play (never in "
                                             "exports unless you ask)")):
            widget.setToolTip(tip)
        for widget in (self.play, self.tempo, self.tap, self.meter, self.count_in,
                       self.metronome, self.follow, self.sync_start, self.sync_stop, self.intro,
                       self.ending, self.position):
            layout.addWidget(widget)

    def intro_key(self) -> str | None:
        """The key the intro is in ('G', 'Am'), or None for no intro."""
        text = self.intro.currentText()
        return None if text == NO_INTRO else text.removeprefix("intro ")

    def show_playing(self, playing: bool) -> None:
        """The play button's text for a running or stopped jam."""
        self.play.setText("■ Stop" if playing else "▶ Play")


HARMONIC_RHYTHMS = ("a chord a beat", "a chord a half bar", "a chord a bar")  # CHANGE_EVERY's
NO_SPLIT = "no left-hand chords"
SPLIT_LOW, SPLIT_HIGH = 36, 84  # C2 .. C6: a split point on every C and F# between
SPLITS = [f"chords below {note_name(pitch)}" for pitch in range(SPLIT_LOW, SPLIT_HIGH + 1, 6)]


class BandPanel(QGroupBox):
    """The style (model), its card, and the mixer strips: the player's, then one per voice of
    the model."""

    def __init__(self, parent=None):
        super().__init__("Band", parent)
        self.layout_ = QVBoxLayout(self)
        top = QHBoxLayout()
        self.model = QComboBox()
        self.card = QPushButton("Model card…")
        self.open_model = QPushButton("Open…")
        self.open_model.setToolTip("Play a model file from elsewhere (you are asked to trust "
                                   "it: a model is code)")
        self.train = QPushButton("Train…")
        self.train.setToolTip("Train a style from a folder of your own MIDI files")
        top.addWidget(QLabel("Style"))
        top.addWidget(self.model, 1)
        top.addWidget(self.card)
        top.addWidget(self.open_model)
        top.addWidget(self.train)
        self.layout_.addLayout(top)
        self.layout_.addLayout(self._harmony_row())
        self.chart = ChartRow()
        self.chart.changed.connect(lambda: self.split.setEnabled(not self.chart.playing()))
        self.layout_.addWidget(self.chart)
        self.strips_box = QWidget()
        self.strips_layout = QVBoxLayout(self.strips_box)
        self.strips_layout.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.strips_box)
        self.strips: list[VoiceStrip] = []
        self.drums = DrumRow()
        self.drum_feel, self.phrase = self.drums.feel, self.drums.phrase
        self.layout_.addWidget(self.drums)

    def _harmony_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.adventure = QSlider(Qt.Horizontal)
        self.adventure.setRange(0, 100)
        self.adventure.setValue(round(DEFAULT_ADVENTURE * 100))
        self.adventure.setFocusPolicy(Qt.NoFocus)  # the computer keyboard keeps playing notes
        self.adventure.setToolTip("The listening band's chords: safe keeps to the likeliest, "
                                  "adventurous draws among the plausible ones")
        row.addWidget(QLabel("Harmony: safe"))
        row.addWidget(self.adventure, 1)
        row.addWidget(QLabel("adventurous"))
        self.rhythm = QComboBox()
        self.rhythm.addItems(HARMONIC_RHYTHMS)
        self.rhythm.setCurrentIndex(CHANGE_EVERY.index(JamOptions.chords_every))
        self.rhythm.setFocusPolicy(Qt.NoFocus)
        self.rhythm.setToolTip("How often the listening band may change chord, from what "
                               "it heard: at any beat, at a bar's middle beat, once a bar")
        row.addWidget(self.rhythm)
        self.split = QComboBox()
        self.split.addItems([NO_SPLIT, *SPLITS])
        self.split.setToolTip("Steer the band with your left hand: a chord held below the split "
                              "point is the chord the band plays from its next bar")
        row.addWidget(self.split)
        return row

    def split_note(self) -> str | None:
        """The split point ('F#3'), or None when the left hand plays melody too (or a chord
        chart is played instead)."""
        text = self.split.currentText()
        if text == NO_SPLIT or self.chart.playing():
            return None
        return text.removeprefix("chords below ")

    def chords_every(self) -> str:
        """How often the listening band may change chord (listening.CHANGE_EVERY)."""
        return CHANGE_EVERY[self.rhythm.currentIndex()]

    def adventure_value(self) -> float:
        """The safe (0) .. adventurous (1) setting of the slider."""
        return self.adventure.value() / 100

    def voices(self) -> list[tuple[str, int]]:
        """(name, channel) of every strip shown."""
        return [(strip.label.text(), strip.channel) for strip in self.strips]

    def show_voices(self, voices: list[tuple[str, int, int]], program_names: list[str],
                    keep: int = 0, style: str = "") -> list[VoiceStrip]:
        """Keep the first ``keep`` strips, replace the others with one per (name, channel,
        program) of ``style``; returns the new ones."""
        for strip in self.strips[keep:]:
            self.strips_layout.removeWidget(strip)
            strip.deleteLater()
        floating = {BAND_CHANNELS[voice] for voice in FLOATING_VOICES}
        new = [VoiceStrip(name, channel, program, program_names, style=style,
                          floats=channel in floating) for name, channel, program in voices]
        self.strips = self.strips[:keep] + new
        for strip in new:
            self.strips_layout.addWidget(strip)
        return new


COMPACT_MARGINS = (6, 2, 6, 2)  # px around the recording's one row of buttons


class RecordPanel:
    """Record (armed until stop), export WAV, panic: the Qt Designer form ui/record_panel.ui."""

    def __init__(self, parent=None):
        from PySide6.QtCore import QFile
        from PySide6.QtUiTools import QUiLoader

        form = QFile(str(ui_file("record_panel.ui")))
        form.open(QFile.ReadOnly)
        self.widget = QUiLoader().load(form, parent)
        form.close()
        self.record = self.widget.findChild(QPushButton, "recordButton")
        self.export = self.widget.findChild(QPushButton, "exportButton")
        self.panic = self.widget.findChild(QPushButton, "panicButton")
        self.export_click = QCheckBox("click in WAV")
        self.export_click.setToolTip("Export WAV… puts the metronome in the audio (never in "
                                     "the take)")
        self.takes = QPushButton("Takes…")
        self.takes.setToolTip("Recent takes: play one back, export it, open its folder")
        for widget in (self.export_click, self.takes):
            self.widget.layout().addWidget(widget)
        self.widget.layout().setContentsMargins(*COMPACT_MARGINS)  # as low as the chord board
