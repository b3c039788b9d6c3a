"""The window's side of a jam: starts it from JamOptions, relays intents, ends it. Never takes
an engine lock nor touches session state: intents go through the jam's inbox, state comes
back as the worker's snapshot and the bridge's signals."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from coperformer.common.errors import CoperformerError
from coperformer.common.paths import recordings_dir
from coperformer.engine.sinks import BAND_CHANNELS
from coperformer.engine.snapshot import SessionSnapshot
from coperformer.gui.bridge import SessionBridge
from coperformer.gui.idle_synth import IdleSynth
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions

TAKE_NAME = "jam-%Y%m%d-%H%M%S.mid"  # a take's file name: when it was recorded


def take_name() -> str:
    """A file name for a take recorded now (never the same twice a second apart)."""
    return time.strftime(TAKE_NAME)


def take_target() -> Path:
    """A fresh file name in the recordings folder for an armed recording's journal."""
    folder = recordings_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / take_name()


class JamController(QObject):
    """Holds the jam the window started (GUI thread); every control goes through here."""

    error = Signal(str)  # a message for the window's banner

    def __init__(self, bridge: SessionBridge, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.jam: Jam | None = None
        self.last: Jam | None = None  # the last jam, kept for saving its take
        self.idle: IdleSynth | None = None  # the window's synth while no jam runs
        self.quiet = threading.Event()  # set while no jam runs (heavy helper work waits)
        self.quiet.set()

    @property
    def running(self) -> bool:
        """True from a successful start until stop() (the worker may have ended already)."""
        return self.jam is not None

    def start(self, options: JamOptions) -> bool:
        """Build and start a jam; False (and an error signal) if something is wrong."""
        if self.jam is not None:
            self.stop()
        if self.idle is not None:
            self.idle.close()  # the jam's synth takes the audio device
        self.quiet.clear()
        try:
            jam = Jam.build(options, self.bridge)
        except CoperformerError as exc:
            self.quiet.set()
            self.error.emit(str(exc))
            return False
        for warning in jam.warnings:  # only the audio driver's is about the driver
            driver = "playing without sound" in warning
            self.error.emit(f"{warning} (choose another driver in Sound)" if driver else warning)
        self.jam = jam
        jam.start()
        return True

    def stop(self) -> str:
        """End the jam (everything silent); returns its one-line report. An armed recording
        waits in its journal until save_recording()."""
        if self.jam is None:
            return ""
        jam, self.jam, self.last = self.jam, None, self.jam
        try:
            return jam.finish().summary()
        finally:
            self.quiet.set()

    def shutdown(self) -> None:
        """The window closes: end the jam, stop any playback, give the audio device back."""
        self.stop()
        if self.idle is not None:
            self.idle.close()

    def ended(self) -> bool:
        """True when the running jam's worker has stopped by itself (input end, failure)."""
        snapshot = self.snapshot()
        return snapshot is not None and snapshot.finished

    def snapshot(self) -> SessionSnapshot | None:
        """The running jam as its worker last published it (None without one)."""
        return self.jam.snapshot() if self.jam is not None else None

    def audio_latency_ms(self) -> float:
        """The running jam's audio buffer latency (0 without one)."""
        return self.jam.audio_latency_ms if self.jam is not None else 0.0

    def recorded(self) -> bool:
        """Whether the last jam journaled a take that waits to be saved."""
        return self.last is not None and self.last.options.record is not None

    def save_recording(self, path: str | Path) -> Path:
        """Write the last jam's armed recording to ``path`` (its journal is then removed)."""
        if self.last is None:
            raise ValueError("nothing was recorded")
        return self.last.save_take(path)

    def key(self, pitch: int, velocity: int) -> None:
        """A QWERTY note (velocity 0 ends it); it sounds while stopped too."""
        if self.jam is not None:
            self.jam.key(pitch, velocity)
        elif self.idle is not None:
            self.idle.key(pitch, velocity)

    def set_style(self, name: str) -> None:
        """Play another style from the next bar (the model is loaded already, or now)."""
        if self.jam is None:
            return
        from coperformer.model.store import load_model

        try:
            self.jam.set_style(load_model(name or None))
        except CoperformerError as exc:
            self.error.emit(str(exc))

    def set_groove(self, feel: str | None) -> None:
        """Drums in this feel from the next bar, or out (None)."""
        if self.jam is not None:
            self.jam.set_groove(feel)

    def set_adventure(self, value: float) -> None:
        """The listening band's safe (0) .. adventurous (1) setting, from the next bar."""
        if self.jam is not None:
            self.jam.set_adventure(value)

    def set_chords_every(self, every: str) -> None:
        """How often the listening band may change chord: each beat, half bar or bar."""
        if self.jam is not None:
            self.jam.set_chords_every(every)

    def set_chart(self, text: str | None) -> None:
        """Play this chord chart from the next bar (None: the band plans again); a chart that
        cannot be played says why in the banner."""
        if self.jam is not None:
            try:
                self.jam.set_chart(text)
            except CoperformerError as exc:
                self.error.emit(str(exc))

    def set_tempo(self, bpm: float) -> None:
        """Change the tempo at the next bar line that is not planned yet."""
        if self.jam is not None:
            self.jam.set_tempo(bpm)

    def set_floating(self, channel: int, floating: bool) -> None:
        """Keep the band voice on ``channel`` above the player (or under it) from the next
        bar."""
        if self.jam is not None:
            self.jam.set_floating(BAND_CHANNELS.index(channel), floating)

    def set_meter(self, meter: str) -> None:
        """Change the meter at the next bar line that is not planned yet."""
        if self.jam is not None:
            self.jam.set_meter(meter)

    def set_program(self, channel: int, program: int) -> None:
        """Choose a GM program for a channel (0 is the player)."""
        if self.jam is not None:
            self.jam.set_program(channel, program)
        elif self.idle is not None:
            self.idle.set_program(channel, program)

    def set_volume(self, channel: int, value: int) -> None:
        """CC7 volume for a channel (0-127)."""
        if self.jam is not None:
            self.jam.set_volume(channel, value)

    def set_mute(self, channel: int, muted: bool) -> None:
        """Mute or unmute a channel."""
        if self.jam is not None:
            self.jam.set_mute(channel, muted)

    def set_solo(self, channel: int, solo: bool) -> None:
        """Solo a channel (the others fall silent)."""
        if self.jam is not None:
            self.jam.set_solo(channel, solo)

    def end(self) -> None:
        """End the tune: the band's final chord next bar, then the jam stops."""
        if self.jam is not None:
            self.jam.end()

    def panic(self) -> None:
        """All notes off now (the band comes back at the next bar)."""
        if self.jam is not None:
            self.jam.panic()
