"""The main window: wires the panels, the piano roll and the controller together."""

from __future__ import annotations

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
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from coperformer.engine.events import NOTE_OFF, NOTE_ON
from coperformer.engine.qwerty import QwertyKeyboard
from coperformer.gui.bridge import SessionBridge
from coperformer.gui.controller import JamController, JamOptions
from coperformer.gui.exporter import WavExporter
from coperformer.gui.keyboard import OnScreenKeyboard
from coperformer.gui.panels import (
    QWERTY_LABEL,
    BandPanel,
    InputPanel,
    RecordPanel,
    SoundPanel,
    TransportPanel,
)
from coperformer.gui.pianoroll import PianoRoll
from coperformer.gui.settings import load_settings, save_settings
from coperformer.gui.strips import VoiceStrip, soundfont_program_names

BAND_NAMES, BAND_PROGRAMS = ("Alto", "Tenor", "Bass"), (48, 48, 42)


class MainWindow(QMainWindow):
    """The jam window."""

    def __init__(self, list_inputs: Callable[[], list[str]], drivers: list[str],
                 models: list[str], settings: QSettings):
        super().__init__()
        self.setWindowTitle("coperformer")
        self.list_inputs, self.settings = list_inputs, settings
        self.bridge = SessionBridge(self)
        self.controller = JamController(self.bridge, self)
        self.qwerty = QwertyKeyboard()
        self.file_input: str | None = None
        self.soundfont: str | None = None
        self.last_saved: Path | None = None
        self.taps: list[float] = []
        self.exporter = WavExporter(self)
        self._build(drivers, models)
        self._wire()
        load_settings(self, settings)
        self.refresh_inputs()
        self._timers()
        self.preload_model()

    # --- layout --------------------------------------------------------------------------
    def _build(self, drivers: list[str], models: list[str]) -> None:
        self.banner = QLabel("")
        self.banner.setObjectName("errorBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.input_panel, self.sound = InputPanel(), SoundPanel(drivers)
        self.transport, self.band = TransportPanel(), BandPanel()
        self.recording = RecordPanel()
        self.band.model.addItems(models)
        names = soundfont_program_names(None)
        self.strips = [VoiceStrip(n, ch, p, names)
                       for ch, (n, p) in enumerate(zip(("Player",) + BAND_NAMES,
                                                       (0,) + BAND_PROGRAMS, strict=True))]
        for strip in self.strips:
            self.band.strips_layout.addWidget(strip)
        self.roll = PianoRoll(time.perf_counter_ns)
        self.keys = OnScreenKeyboard(self.qwerty.base)
        top = QHBoxLayout()
        for panel in (self.input_panel, self.sound, self.band):
            top.addWidget(panel)
        body = QVBoxLayout()
        body.addWidget(self.banner)
        body.addLayout(top)
        body.addWidget(self.transport)
        body.addWidget(self.roll, 1)
        body.addWidget(self.keys)
        body.addWidget(self.recording.widget)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)
        self.stats_label = QLabel("")
        self.statusBar().addPermanentWidget(self.stats_label)
        self.sound.update_latency()

    def _wire(self) -> None:
        t, r = self.transport, self.recording
        t.play.toggled.connect(self.toggle_play)
        t.tap.clicked.connect(self.tap_tempo)
        t.tempo.valueChanged.connect(self.controller.set_tempo)
        r.panic.clicked.connect(self.controller.panic)
        r.export.clicked.connect(self.export_wav)
        self.input_panel.file_button.clicked.connect(self.choose_file)
        self.input_panel.picker.currentIndexChanged.connect(lambda _i: self._show_connection())
        self.sound.driver.currentIndexChanged.connect(lambda _i: self.sound.update_latency())
        self.sound.period.currentIndexChanged.connect(lambda _i: self.sound.update_latency())
        self.sound.soundfont_button.clicked.connect(self.choose_soundfont)
        self.band.card.clicked.connect(self.show_card)
        self.band.model.currentIndexChanged.connect(lambda _i: self.preload_model())
        for strip in self.strips:
            strip.program_changed.connect(self.controller.set_program)
            strip.volume_changed.connect(self.controller.set_volume)
            strip.mute_changed.connect(self.controller.set_mute)
            strip.solo_changed.connect(self.controller.set_solo)
        self.controller.error.connect(self.show_error)
        self.bridge.planned.connect(self.roll.band_planned)
        self.bridge.bar.connect(lambda _bar, t_ns: self.roll.bar_line(t_ns))
        self.bridge.played.connect(self._on_played)
        self.bridge.port_lost.connect(lambda: self._set_state("⚠ keyboard unplugged: waiting"))
        self.bridge.port_back.connect(lambda: self._set_state("● connected (reconnected)"))
        self.bridge.finished.connect(lambda: self.transport.play.setChecked(False))
        for keys, slot in ((Qt.Key_Space, t.play.toggle), (Qt.Key_R, r.record.toggle),
                           (Qt.Key_Escape, self.controller.panic)):
            QShortcut(QKeySequence(keys), self, activated=slot)

    def _timers(self) -> None:
        self.device_timer = QTimer(self)
        self.device_timer.timeout.connect(self.refresh_inputs)
        self.device_timer.start(1000)
        self.status_timer = QTimer(self)
        self.status_timer.timeout.connect(self._update_status)
        self.status_timer.start(250)

    def preload_model(self) -> None:
        """Load the chosen model off the GUI thread, so Play does not wait for it."""
        import threading

        from coperformer.cli import UserError
        from coperformer.commands import load_model

        name = self.band.model.currentText() or None

        def load() -> None:
            try:
                load_model(name)
            except UserError:
                pass  # Play reports it in the window

        threading.Thread(target=load, name="model-preload", daemon=True).start()

    # --- input ---------------------------------------------------------------------------
    def refresh_inputs(self) -> None:
        """Follow keyboards being plugged in and out (keeps the current choice by name)."""
        try:
            ports = self.list_inputs()
        except Exception:  # noqa: BLE001 - no MIDI system: QWERTY and files still work
            ports = []
        picker = self.input_panel.picker
        current = picker.currentText()
        wanted = [QWERTY_LABEL] + ports + ([f"File: {self.file_input}"] if self.file_input else [])
        if [picker.itemText(i) for i in range(picker.count())] != wanted:
            picker.blockSignals(True)
            picker.clear()
            picker.addItems(wanted)
            picker.setCurrentIndex(max(0, picker.findText(current)))
            picker.blockSignals(False)
        self._show_connection(ports)

    def _show_connection(self, ports: list[str] | None = None) -> None:
        text = self.input_panel.picker.currentText()
        if text == QWERTY_LABEL or text.startswith("File: "):
            self._set_state("● ready")
        elif ports is None or text in ports:
            self._set_state("● connected")
        else:
            self._set_state("○ not connected")

    def _set_state(self, text: str) -> None:
        self.input_panel.state.setText(text)

    def selected_input(self) -> str:
        """What to play from: a port name, a file path, or 'qwerty'."""
        text = self.input_panel.picker.currentText()
        if text.startswith("File: "):
            return text[len("File: "):]
        return "qwerty" if text in ("", QWERTY_LABEL) else text

    def choose_file(self) -> None:
        """Pick a MIDI file to play the melody."""
        path, _ = QFileDialog.getOpenFileName(self, "MIDI file as the player", "",
                                              "MIDI files (*.mid *.midi)")
        if path:
            self.file_input = path
            self.refresh_inputs()
            self.input_panel.picker.setCurrentText(f"File: {path}")

    def choose_soundfont(self) -> None:
        """Pick a soundfont; the strips show its program names."""
        path, _ = QFileDialog.getOpenFileName(self, "Soundfont", "", "SoundFont (*.sf2)")
        if path:
            self.set_soundfont(path)

    def set_soundfont(self, path: str | None) -> None:
        """Use this soundfont (None: the system one)."""
        self.soundfont = path
        self.sound.soundfont.setText(path or "(system GM soundfont)")
        names = soundfont_program_names(path)
        for strip in self.strips:
            strip.set_program_names(names)

    # --- transport -----------------------------------------------------------------------
    def options(self) -> JamOptions:
        """The jam the window asks for."""
        t = self.transport
        model = self.band.model.currentText() or None
        return JamOptions(self.selected_input(), model, self.soundfont,
                          self.sound.driver.currentText(), t.tempo.value(), t.meter.currentText(),
                          t.count_in.value(), t.metronome.isChecked(), t.sync_start.isChecked(),
                          self.recording.record.isChecked(), int(self.sound.period.currentText()))

    def toggle_play(self, playing: bool) -> None:
        """Start or stop the jam."""
        if playing and not self.controller.running:
            self.banner.hide()
            self.roll.clear()
            if not self.controller.start(self.options()):
                self.transport.play.setChecked(False)
                return
            for strip in self.strips:
                self.controller.set_program(strip.channel, strip.program.currentIndex())
            self.transport.play.setText("■ Stop")
        elif not playing and self.controller.running:
            report = self.controller.stop()
            self.transport.play.setText("▶ Play")
            self.statusBar().showMessage(report, 10000)
            if self.recording.record.isChecked():
                self.save_recording()

    def tap_tempo(self) -> None:
        """Tempo from the last taps."""
        now = time.monotonic()
        self.taps = [t for t in self.taps if now - t < 3.0] + [now]
        if len(self.taps) >= 2:
            gaps = [b - a for a, b in zip(self.taps, self.taps[1:], strict=False)]
            bpm = 60.0 / (sum(gaps) / len(gaps))
            self.transport.tempo.setValue(max(40.0, min(240.0, round(bpm))))

    # --- recording -----------------------------------------------------------------------
    def save_recording(self) -> None:
        """Ask where to save the take; a cancelled dialog leaves the journal to recover."""
        path, _ = QFileDialog.getSaveFileName(self, "Save the recording", "jam.mid",
                                              "MIDI files (*.mid)")
        if not path:
            self.statusBar().showMessage("recording kept in its journal (recover at start-up)")
            return
        try:
            self.last_saved = self.controller.save_recording(path)
            self.statusBar().showMessage(f"saved {path}", 10000)
        except (OSError, ValueError) as exc:
            self.show_error(f"cannot save the recording: {exc}")

    def export_wav(self) -> None:
        """Render the last saved recording to WAV, with a progress bar."""
        if self.last_saved is None:
            self.show_error("record and save a take first, then export it")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export WAV", "jam.wav", "WAV (*.wav)")
        if path:
            self.exporter.export(self.last_saved, Path(path), self.soundfont)

    # --- events --------------------------------------------------------------------------
    def _on_played(self, event) -> None:
        if event.kind == NOTE_ON:
            self.roll.player_on(event.pitch, event.time_ns)
            self.keys.press(event.pitch)
        elif event.kind == NOTE_OFF:
            self.roll.player_off(event.pitch, event.time_ns)
            self.keys.release(event.pitch)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """QWERTY notes while the window has focus."""
        if event.isAutoRepeat() or self.selected_input() != "qwerty":
            return super().keyPressEvent(event)
        note = self.qwerty.press(event.text())
        self.keys.set_low(self.qwerty.base)
        if note:
            self.controller.key(*note)
        return None

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """End the QWERTY note the key started."""
        if event.isAutoRepeat():
            return None
        pitch = self.qwerty.release(event.text())
        if pitch is not None:
            self.controller.key(pitch, 0)
        return None

    def show_error(self, message: str) -> None:
        """A clear message in the window (never a traceback)."""
        self.banner.setText(message)
        self.banner.show()
        self.statusBar().showMessage(message, 15000)

    def show_card(self) -> None:
        """The style's model card: data and measured figures."""
        from coperformer.gui.card_view import card_text

        QMessageBox.information(self, "Model card", card_text(self.band.model.currentText()))

    def _update_status(self) -> None:
        s = self.controller.stats()
        if self.controller.running:
            position = self.controller.setup.session.transport.position(time.perf_counter_ns())
            self.transport.position.setText(f"{position[0]}:{position[1]}")
        if s:
            inference = s["inference_ms"]
            self.stats_label.setText(
                f"bar decision {inference['p50']:.2f}/{inference['p99']:.2f} ms (p50/p99) · "
                f"misses {s['missed_deadlines']} · audio {s['audio_latency_ms']:.1f} ms")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Stop cleanly and remember the settings."""
        if self.controller.running:
            self.controller.stop()
        save_settings(self, self.settings)
        super().closeEvent(event)
