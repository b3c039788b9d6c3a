"""The GUI's side of a jam: builds the live parts from the window's choices, relays intents."""

from __future__ import annotations

import time
from argparse import Namespace
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from coperformer.gui.bridge import SessionBridge
from coperformer.synth.fluid import LIVE_SAMPLE_RATE

VOLUME_CC = 7


def recordings_dir() -> Path:
    """Where armed recordings are journaled until they are saved."""
    import os

    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "coperformer" / "recordings"


@dataclass
class JamOptions:
    """What the window asks for."""

    input: str = "qwerty"  # a port name, a .mid path, or "qwerty"
    model: str | None = None
    soundfont: str | None = None
    audio_driver: str = "none"
    tempo: float = 120.0
    meter: str = "4/4"
    count_in: int = 1
    metronome: bool = True
    sync_start: bool = False
    record: bool = False
    period_size: int = 128


class JamController(QObject):
    """Starts and stops LiveSetup; every control goes through here."""

    error = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, bridge: SessionBridge, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.setup = None
        self.journal_target: Path | None = None
        self.volumes: dict[int, int] = {}
        self.mutes: set[int] = set()
        self.solos: set[int] = set()

    @property
    def running(self) -> bool:
        """True while a session runs."""
        return self.setup is not None and self.setup.running

    def start(self, options: JamOptions) -> bool:
        """Build and start a session; False (and an error signal) if something is wrong."""
        from coperformer.live import LiveSetup, SetupError

        if self.setup is not None:
            self.stop()
        self.journal_target = None
        record = None
        if options.record:
            folder = recordings_dir()
            folder.mkdir(parents=True, exist_ok=True)
            self.journal_target = folder / time.strftime("jam-%Y%m%d-%H%M%S.mid")
            record = str(self.journal_target)
        args = Namespace(input=options.input, model=options.model, tempo=options.tempo,
                         meter=options.meter, count_in=options.count_in,
                         no_metronome=not options.metronome, sync_start=options.sync_start,
                         record=record, wav=None, audio_driver=options.audio_driver,
                         period_size=options.period_size, periods=2,
                         sample_rate=LIVE_SAMPLE_RATE,
                         midi_api=None, midi_out=None, soundfont=options.soundfont,
                         margin_ms=20.0, stats=None, seed=0, max_seconds=None, autosave=False)
        try:
            setup = LiveSetup.from_args(args)
        except SetupError as exc:
            from coperformer.synth.live_synth import AudioDriverError

            if not isinstance(exc.__cause__, AudioDriverError):
                self.error.emit(str(exc))
                return False
            args.audio_driver = "none"  # no sound server: jam silently rather than not at all
            try:
                setup = LiveSetup.from_args(args)
            except SetupError as again:
                self.error.emit(str(again))
                return False
            self.error.emit(f"{exc}; playing without sound (choose another driver in Sound)")
        setup.session.listeners.append(self.bridge.listener)
        self.setup = setup
        self._apply_mix()
        setup.start()
        self.running_changed.emit(True)
        return True

    def stop(self) -> str:
        """Stop the session (all notes off); the recording waits in its journal."""
        if self.setup is None:
            return ""
        report = self.setup.finish()
        self.running_changed.emit(False)
        return report

    def save_recording(self, path: str | Path) -> Path:
        """Write the last armed recording to ``path`` (the journal is then removed)."""
        if self.setup is None or self.setup.recorder is None:
            raise ValueError("nothing was recorded")
        self.setup.recorder.save(path)
        return Path(path)

    def key(self, pitch: int, velocity: int) -> None:
        """A QWERTY note (velocity 0 ends it)."""
        if self.running:
            self.setup.key_event(pitch, velocity)

    def set_tempo(self, bpm: float) -> None:
        """Change the tempo at the next bar line that is not planned yet."""
        if self.running:
            with self.setup.runner.lock:
                self.setup.session.set_tempo(bpm)

    def set_program(self, channel: int, program: int) -> None:
        """Choose a GM program for a channel (0 is the player)."""
        if self.setup is not None and self.running:
            self.setup.synth.set_program(channel, program)
            for track in self.setup.session.tracks:
                if track.channel == channel:
                    track.program = program

    def set_volume(self, channel: int, value: int) -> None:
        """CC7 volume for a channel (0-127)."""
        self.volumes[channel] = value
        self._apply_mix()

    def set_mute(self, channel: int, muted: bool) -> None:
        """Mute or unmute a channel."""
        (self.mutes.add if muted else self.mutes.discard)(channel)
        self._apply_mix()

    def set_solo(self, channel: int, solo: bool) -> None:
        """Solo a channel (the others fall silent)."""
        (self.solos.add if solo else self.solos.discard)(channel)
        self._apply_mix()

    def audible(self, channel: int) -> bool:
        """Whether a channel sounds under the current mute and solo choices."""
        if channel in self.mutes:
            return False
        return not self.solos or channel in self.solos

    def _apply_mix(self) -> None:
        if self.setup is None:
            return
        for channel in range(4):
            volume = self.volumes.get(channel, 100) if self.audible(channel) else 0
            self.setup.synth.control_now(channel, VOLUME_CC, volume)

    def panic(self) -> None:
        """All notes off now (the band comes back at the next bar)."""
        if self.setup is not None:
            self.setup.synth.all_notes_off()

    def stats(self) -> dict:
        """The running session's figures."""
        if self.setup is None:
            return {}
        latency = {"audio_latency_ms": self.setup.synth.latency_ms}
        return self.setup.session.stats.as_dict() | latency
