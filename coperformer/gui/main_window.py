"""The main window: wires the panels, the piano roll and the jam controller together."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from coperformer.common.errors import CoperformerError
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.qwerty import QwertyKeyboard
from coperformer.engine.sinks import BAND_CHANNELS, PLAYER_CHANNEL
from coperformer.engine.transport import MAX_BPM, MIN_BPM
from coperformer.gui.band_controls import BandControls
from coperformer.gui.bridge import SessionBridge
from coperformer.gui.card_view import card_text
from coperformer.gui.chords import ChordBoard
from coperformer.gui.controller import JamController, take_target
from coperformer.gui.devices import Devices
from coperformer.gui.exporter import WavExporter
from coperformer.gui.idle_synth import IdleSynth, SoundChoice
from coperformer.gui.keyboard import OnScreenKeyboard
from coperformer.gui.labels import Banner
from coperformer.gui.model_loader import ModelLoader
from coperformer.gui.note_keys import NoteKeys
from coperformer.gui.panels import BandPanel, InputPanel, RecordPanel, SoundPanel, TransportPanel
from coperformer.gui.pianoroll import PianoRoll
from coperformer.gui.settings import (
    autosave,
    load_settings,
    save_settings,
)
from coperformer.gui.status_text import follow_label, position_text
from coperformer.gui.strips import VoiceStrip, soundfont_program_names
from coperformer.gui.takes import TakeControls
from coperformer.gui.train_dialog import TrainDialog
from coperformer.jam.inputs import file_timing
from coperformer.jam.options import QWERTY, JamOptions

PLAYER_NAME, PLAYER_PROGRAM = "Player", 0


class MainWindow(BandControls, TakeControls, QMainWindow):
    """The jam window (GUI thread only)."""

    def __init__(self, list_inputs: Callable[[], list[str]], drivers: list[str],
                 models: list[str], settings: QSettings):
        super().__init__()
        self.setWindowTitle("coperformer")
        self.list_inputs, self.settings = list_inputs, settings
        self.bridge = SessionBridge(self)
        self.controller = JamController(self.bridge, self)
        self.controller.idle = IdleSynth(self.sound_choice)
        self.loader = ModelLoader(self, quiet=self.controller.quiet)
        self.train_dialog: TrainDialog | None = None
        self.qwerty = QwertyKeyboard()
        self.file_input: str | None = None
        self.soundfont: str | None = None
        self.program_names = soundfont_program_names(None)
        self.last_saved: Path | None = None
        self.taps: list[float] = []
        self.exporter = WavExporter(self)
        self.autosave_timer: QTimer | None = None
        self._build(drivers, models)
        self._wire()
        load_settings(self, settings)
        self.autosave_timer = autosave(self, settings)
        self.refresh_inputs()
        self._timers()
        self.devices = Devices(self)  # the chosen keyboard heard while stopped; unplugging
        self.preload_model()

    @property
    def strips(self) -> list[VoiceStrip]:
        """The mixer strips: the player's, then the band's voices once the model is loaded."""
        return self.band.strips

    @property
    def mixer_strips(self) -> list[VoiceStrip]:
        """Every mixer strip: the player's, the band's voices, then the drum kit's."""
        return self.band.strips + [self.band.drums.strip]

    # --- layout --------------------------------------------------------------------------
    def _build(self, drivers: list[str], models: list[str]) -> None:
        self.input_panel, self.sound = InputPanel(), SoundPanel(drivers)
        self.transport, self.band = TransportPanel(), BandPanel()
        self.recording = RecordPanel()
        self.band.model.addItems(models)
        for index, name in enumerate(models):
            self.band.model.setItemData(index, card_text(name), Qt.ToolTipRole)
        self._add_strips([(PLAYER_NAME, PLAYER_CHANNEL, PLAYER_PROGRAM)])
        self.roll = PianoRoll(time.perf_counter_ns)
        self.banner = Banner(self.roll)  # over the roll: it never pushes a control down
        self.chords = ChordBoard()
        self.keys = OnScreenKeyboard(self.qwerty.base)
        self.keys.clicked.connect(lambda pitch, velocity: self.controller.key(pitch, velocity))
        left = QVBoxLayout()  # beside the band's tall panel: 1366x768 needs no scroll bar
        for panel in (self.input_panel, self.sound):
            left.addWidget(panel)
        top = QHBoxLayout()
        top.addLayout(left)
        top.addWidget(self.band, 1)
        chords_row = QHBoxLayout()  # the recording's buttons beside the chord board
        chords_row.addWidget(self.chords, 1)
        chords_row.addWidget(self.recording.widget, 0, Qt.AlignBottom)
        body = QVBoxLayout()
        body.addLayout(top)
        body.addWidget(self.transport)
        body.addLayout(chords_row)
        body.addWidget(self.roll, 1)
        body.addWidget(self.keys)
        central = QWidget()
        central.setLayout(body)
        scroller = QScrollArea()  # a small screen (1024x600) scrolls instead of clipping
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.NoFrame)
        scroller.setWidget(central)
        self.setCentralWidget(scroller)
        self.stats_label = QLabel("")
        self.statusBar().addPermanentWidget(self.stats_label)
        self.sound.update_latency()

    def _wire(self) -> None:
        t, r, c = self.transport, self.recording, self.controller
        t.play.toggled.connect(self.toggle_play)
        t.tap.clicked.connect(self.tap_tempo)
        t.tempo.valueChanged.connect(c.set_tempo)
        t.meter.currentTextChanged.connect(c.set_meter)
        self.band.adventure.valueChanged.connect(
            lambda _v: c.set_adventure(self.band.adventure_value()))
        self.band.rhythm.currentTextChanged.connect(
            lambda _t: c.set_chords_every(self.band.chords_every()))
        self.band.chart.edit.editingFinished.connect(lambda: c.set_chart(self.band.chart.text()))
        r.panic.clicked.connect(c.panic)
        self.transport.ending.clicked.connect(c.end)
        r.export.clicked.connect(lambda: self.export_wav())
        r.takes.clicked.connect(self.show_takes)
        self.input_panel.file_button.clicked.connect(self.choose_file)
        self.input_panel.picker.currentIndexChanged.connect(
            lambda _i: self.input_panel.show_connection())
        for box in (self.sound.driver, self.sound.period):  # the idle synth reopens with it
            box.currentIndexChanged.connect(lambda _i: (self.sound.update_latency(),
                                                        self.controller.idle.close()))
        self.sound.soundfont_button.clicked.connect(self.choose_soundfont)
        self.band.card.clicked.connect(self.show_card)
        self.band.train.clicked.connect(self.open_training)
        self.band.open_model.clicked.connect(self.open_model_file)
        self.band.model.currentIndexChanged.connect(lambda _i: self.preload_model())
        self.loader.loaded.connect(self._on_model_loaded)
        self._connect_strip(self.band.drums.strip)
        self.band.drum_feel.currentIndexChanged.connect(
            lambda _i: c.set_groove(self.band.drums.chosen_feel()))
        c.error.connect(self.show_error)
        self._wire_bridge()
        self.note_keys = NoteKeys(self)  # note keys and Space, whatever has the focus
        for keys, slot in ((Qt.Key_R, r.record.toggle), (Qt.Key_Escape, c.panic)):
            QShortcut(QKeySequence(keys), self, activated=slot)

    def _wire_bridge(self) -> None:
        b = self.bridge
        b.started.connect(lambda _bar0: self.statusBar().showMessage("playing", 3000))
        b.bar.connect(lambda _bar, t_ns: self.roll.bar_line(t_ns))
        b.bar.connect(lambda bar, _t_ns: self.chords.bar_line(bar))
        b.planned.connect(self.roll.band_planned)
        b.provisional.connect(self.roll.band_provisional)
        b.replanned.connect(self.roll.band_replanned)
        b.stopped.connect(self.roll.freeze)
        b.chord.connect(self.chords.chord)
        b.next_chord.connect(self.chords.next_chord)
        b.played.connect(self._on_played)
        b.port_lost.connect(lambda: self.input_panel.state.setText("⚠ keyboard unplugged: waiting"))
        b.port_back.connect(lambda: self.input_panel.state.setText("● connected (reconnected)"))
        b.finished.connect(self._on_jam_ended)
        b.failed.connect(self._on_failed)
        b.warning.connect(self.show_error)
        b.stopped.connect(self._on_jam_ended)

    def _timers(self) -> None:
        self.device_timer = QTimer(self)
        self.device_timer.timeout.connect(self.refresh_inputs)
        self.device_timer.start(1000)
        self.status_timer = QTimer(self)
        self.status_timer.timeout.connect(self._update_status)
        self.status_timer.start(250)

    # --- input ---------------------------------------------------------------------------
    def refresh_inputs(self) -> None:
        """Follow keyboards being plugged in and out (keeps the current choice by name)."""
        try:
            ports = self.list_inputs()
        except Exception:  # noqa: BLE001 - no MIDI system: QWERTY and files still work
            ports = []
        self.input_panel.update_choices(ports, self.file_input)

    def selected_input(self) -> str:
        """What to play from: a port name, a file path, or 'qwerty'."""
        return self.input_panel.selected()

    def use_file(self, path: str) -> None:
        """Make a MIDI file the player (the input); its tempo and meter come with it."""
        self.file_input = path
        self.refresh_inputs()
        self.input_panel.choose_file(path)
        try:
            bpm, meter = file_timing(path)
        except CoperformerError as exc:
            self.show_error(str(exc))
            return
        if bpm:
            self.transport.tempo.setValue(min(max(bpm, MIN_BPM), MAX_BPM))
        if meter:
            self.transport.meter.setCurrentText(str(meter))

    def play_file(self, path: str) -> None:
        """Play a MIDI file as the player at once."""
        self.use_file(path)
        self.transport.play.setChecked(True)

    def choose_file(self) -> None:
        """Pick a MIDI file to play the melody."""
        path, _ = QFileDialog.getOpenFileName(self, "MIDI file as the player", "",
                                              "MIDI files (*.mid *.midi)")
        if path:
            self.use_file(path)

    def choose_soundfont(self) -> None:
        """Pick a soundfont; the strips show its program names."""
        path, _ = QFileDialog.getOpenFileName(self, "Soundfont", "", "SoundFont (*.sf2)")
        if path:
            self.set_soundfont(path)

    def set_soundfont(self, path: str | None) -> None:
        """Use this soundfont (None: the system one)."""
        self.soundfont = path
        self.controller.idle.close()  # reopened with this soundfont when next needed
        self.sound.soundfont.setText(path or "(system GM soundfont)")
        if self.autosave_timer is not None:
            self.autosave_timer.start()
        self.program_names = soundfont_program_names(path)
        for strip in self.strips:
            strip.set_program_names(self.program_names)

    # --- transport -----------------------------------------------------------------------
    def options(self) -> JamOptions:
        """The jam the window asks for: the same options `coperformer play` fills."""
        t = self.transport
        mix = {strip.channel: strip.setting() for strip in self.mixer_strips}
        return JamOptions(
            input=self.selected_input(), model=self.band.model.currentText() or None,
            soundfont=self.soundfont, audio_driver=self.sound.driver.currentText(),
            driver_fallback=True, period_size=int(self.sound.period.currentText()),
            margin_ms=self.sound.margin.value(), midi_out=self.sound.midi_out.selected(),
            midi_clock=self.sound.midi_out.clock.isChecked(), wait_for_input=True,
            tempo=t.tempo.value(), meter=t.meter.currentText(), count_in=t.count_in.value(),
            metronome=t.metronome.isChecked(), sync_start=t.sync_start.isChecked(),
            sync_stop=t.sync_stop.isChecked(), intro=t.intro_key(), follow=t.follow.isChecked(),
            split=self.band.split_note(), chords=self.band.chart.text(),
            floating=frozenset(BAND_CHANNELS.index(s.channel) for s in self.strips
                               if s.floating()),
            adventure=self.band.adventure_value(), chords_every=self.band.chords_every(),
            drums=self.band.drums.chosen_feel(),
            phrase_bars=self.band.drums.phrase_bars(),
            record=take_target() if self.recording.record.isChecked() else None,
            save_take=False,
            programs={ch: s[0] for ch, s in mix.items()},
            volumes={ch: s[1] for ch, s in mix.items()},
            muted=frozenset(ch for ch, s in mix.items() if s[2]),
            soloed=frozenset(ch for ch, s in mix.items() if s[3]))

    def toggle_play(self, playing: bool) -> None:
        """Start or stop the jam."""
        if playing and not self.controller.running:
            self.banner.hide()
            self.roll.clear()
            self.chords.clear()
            if not self.controller.start(self.options()):
                self.transport.play.setChecked(False)
                return
            self.transport.show_playing(True)
        elif not playing and self.controller.running:
            report = self.controller.stop()
            self.transport.show_playing(False)
            self.statusBar().showMessage(report, 10000)
            if self.controller.recorded():  # armed when Play was pressed, not later
                self.save_recording()

    def _on_jam_ended(self) -> None:
        """The worker stopped by itself (the file ended, or it failed): back to Play."""
        if self.controller.running and self.controller.ended():
            self.transport.play.setChecked(False)

    def _on_failed(self, message: str) -> None:
        self.show_error(f"The band stopped after an error: {message}")
        self._on_jam_ended()

    def tap_tempo(self) -> None:
        """Tempo from the last taps."""
        now = time.monotonic()
        self.taps = [t for t in self.taps if now - t < 3.0] + [now]
        if len(self.taps) >= 2:
            gaps = [b - a for a, b in zip(self.taps, self.taps[1:], strict=False)]
            bpm = 60.0 / (sum(gaps) / len(gaps))
            self.transport.tempo.setValue(max(MIN_BPM, min(MAX_BPM, round(bpm))))

    # --- recording -----------------------------------------------------------------------
    # --- events --------------------------------------------------------------------------
    def _on_played(self, event: InputEvent) -> None:
        if event.kind == NOTE_ON:
            self.roll.player_on(event.pitch, event.time_ns)
            self.keys.press(event.pitch)
        elif event.kind == NOTE_OFF:
            self.roll.player_off(event.pitch, event.time_ns)
            self.keys.release(event.pitch)

    def plays_qwerty(self) -> bool:
        """Whether the computer keyboard is the player's instrument."""
        return self.selected_input() == QWERTY

    def qwerty_press(self, key: str) -> None:
        """A note key went down (from the application-wide key filter)."""
        note = self.qwerty.press(key)
        self.keys.set_low(self.qwerty.base)
        if note:
            self.controller.key(*note)

    def qwerty_release(self, key: str) -> None:
        """A note key went up."""
        pitch = self.qwerty.release(key)
        if pitch is not None:
            self.controller.key(pitch, 0)

    def release_qwerty(self) -> None:
        """The window lost the focus: no key may stay down."""
        for pitch in self.qwerty.release_all():
            self.controller.key(pitch, 0)

    def show_error(self, message: str) -> None:
        """A clear message in the window (never a traceback), and on the terminal if any."""
        print(f"coperformer: {message}", file=sys.stderr, flush=True)
        self.banner.say(message)
        self.statusBar().showMessage(message, 15000)

    def _update_status(self) -> None:
        snapshot = self.controller.snapshot()
        if snapshot is None or snapshot.finished:
            self.transport.follow.setText(follow_label(None))
        if snapshot is None:
            return
        self.transport.position.setText(position_text(snapshot, time.perf_counter_ns(),
                                                      self.transport.follow.isChecked()))
        if not snapshot.finished:
            self.transport.follow.setText(follow_label(snapshot.follow))
        s = snapshot.stats
        inference = s["inference_ms"]
        late = s["missed_deadlines"]
        self.stats_label.setText(
            f"{late} late band bar{'' if late == 1 else 's'} · the band decides a bar in "
            f"{inference['p50']:.1f} ms (slowest {inference['max']:.1f}) · sound delay "
            f"{self.controller.audio_latency_ms():.1f} ms")
        self.stats_label.setToolTip("Late bars: band bars decided after their downbeat (their "
                                    "first notes are dropped). Sound delay: the audio buffer.")

    def sound_choice(self) -> SoundChoice:
        """The sound the window asks for, for its synth while stopped."""
        return SoundChoice(self.soundfont, self.sound.driver.currentText(),
                           int(self.sound.period.currentText()),
                           {s.channel: s.setting()[0] for s in self.mixer_strips})

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Stop cleanly, free the port listers' MIDI clients, remember the settings."""
        self.controller.shutdown()
        self.device_timer.stop()
        for close in (getattr(self.list_inputs, "close", None), self.sound.midi_out.close_lister):
            if close is not None:
                close()
        save_settings(self, self.settings)
        super().closeEvent(event)
