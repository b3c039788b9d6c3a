"""The window's own synth while no jam runs: the keys sound (to check your sound before you
start) and takes play back. Opened on first use, closed before a jam opens the audio device
(one device, one synth). GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coperformer.common.errors import CoperformerError
from coperformer.engine.clock import RealClock
from coperformer.engine.sinks import PLAYER_CHANNEL


@dataclass(frozen=True)
class SoundChoice:
    """What the window says: soundfont (None: found), driver, period, each channel's program."""

    soundfont: str | None
    driver: str
    period_size: int
    programs: dict[int, int]


class IdleSynth:
    """A LiveSynth for the stopped window; every method belongs to the GUI thread."""

    def __init__(self, choice: Callable[[], SoundChoice]):
        self.choice = choice
        self.synth = None  # a LiveSynth once opened
        self.playback = None  # the TakePlayback playing, if any
        self.clock = RealClock()
        self.problem: str | None = None  # why it could not open, for the window

    def _open(self):
        """The synth, opened now if needed; None when there is no sound to be had."""
        if self.synth is not None:
            return self.synth
        from coperformer.synth.live_synth import LiveSynth
        from coperformer.synth.soundfont import find_soundfont

        choice = self.choice()
        driver = None if choice.driver in ("", "none") else choice.driver
        try:
            self.synth = LiveSynth(find_soundfont(choice.soundfont), self.clock, driver,
                                   choice.period_size)
        except CoperformerError as exc:
            self.problem = str(exc)
            return None
        self._apply_programs(choice.programs)
        self.problem = None
        return self.synth

    def _apply_programs(self, programs: dict[int, int]) -> None:
        """The window's program on each channel."""
        for channel, program in programs.items():
            self.synth.set_program(channel, program)

    def key(self, pitch: int, velocity: int) -> None:
        """Sound (or end) one of the player's notes now."""
        if self.playback is not None and not self.playback.playing:
            self.stop_playback()  # the take ended: its pedal and volumes must not stay
        synth = self._open() if velocity else self.synth
        if synth is not None:
            synth.play_now(PLAYER_CHANNEL, pitch, velocity)

    def set_program(self, channel: int, program: int) -> None:
        """A channel's program changed in the window: heard at once when the synth is open."""
        if self.synth is not None:
            self.synth.set_program(channel, program)

    def play(self, path: str | Path) -> float:
        """Play a take from its start (another one playing stops); returns its length in
        seconds. CoperformerError when the file or the sound cannot be had."""
        from coperformer.synth.playback import TakePlayback

        self.stop_playback()
        synth = self._open()
        if synth is None:
            raise CoperformerError(f"no sound to play the take with: {self.problem}")
        self.playback = TakePlayback(path, synth, self.clock)
        self.playback.start()
        return self.playback.seconds

    @property
    def playing(self) -> bool:
        """True while a take plays back."""
        return self.playback is not None and self.playback.playing

    def stop_playback(self) -> None:
        """Stop the take playing (or played), if any: everything falls silent, and the take's
        programs, pedal and volumes give way to the window's again."""
        if self.playback is not None:
            self.playback.stop()
            self.playback = None
            if self.synth is not None:
                self.synth.reset()
                self._apply_programs(self.choice().programs)

    def close(self) -> None:
        """Stop playing and give the audio device back (before a jam opens it, at exit)."""
        self.stop_playback()
        if self.synth is not None:
            synth, self.synth = self.synth, None
            synth.close()
