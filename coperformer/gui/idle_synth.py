"""The window's own synth while no jam runs: the keys sound (to check your sound before you
start), the MIDI keyboard chosen sounds as soon as it is chosen, and takes play back. Opened on
first use, closed with the keyboard's port before a jam opens them (one device, one synth).
GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coperformer.common.errors import CoperformerError
from coperformer.engine.clock import RealClock
from coperformer.engine.events import InputEvent
from coperformer.engine.sinks import PLAYER_CHANNEL
from coperformer.jam.passthrough import Passthrough


@dataclass(frozen=True)
class SoundChoice:
    """What the window says: soundfont (None: found), driver, period, each channel's program."""

    soundfont: str | None
    driver: str
    period_size: int
    programs: dict[int, int]


class IdleSynth:
    """A LiveSynth for the stopped window; every method belongs to the GUI thread, but
    play_now and control_now (any thread: the MIDI keyboard's callback plays through them)."""

    def __init__(self, choice: Callable[[], SoundChoice]):
        self.choice = choice
        self.synth = None  # a LiveSynth once opened
        self.playback = None  # the TakePlayback playing, if any
        self.clock = RealClock()
        self.problem: str | None = None  # why it could not open, for the window
        self.keyboard = None  # the MIDI keyboard heard while stopped (a KeyboardInput)
        self.listening: str | None = None  # its label, as the window lists it

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

    def play_now(self, channel: int, pitch: int, velocity: int) -> None:
        """A note at once if the synth is open, else nothing (any thread: a closed LiveSynth
        ignores it)."""
        synth = self.synth
        if synth is not None:
            synth.play_now(channel, pitch, velocity)

    def control_now(self, channel: int, control: int, value: int) -> None:
        """A controller change at once (the sustain pedal) if the synth is open (any
        thread)."""
        synth = self.synth
        if synth is not None:
            synth.control_now(channel, control, value)

    def listen(self, label: str, on_event: Callable[[InputEvent], None]) -> None:
        """Hear the MIDI keyboard ``label`` (a port as the window lists it) from now: rtmidi's
        thread timestamps each message, plays it here at once, then hands it to ``on_event``
        (which must only enqueue). Its port is watched: unplugged, it reconnects when it is
        back. MidiError when it cannot be opened now."""
        if self.listening == label:
            return
        from coperformer.midi.ports import KeyboardInput, locate_port

        self.stop_listening()
        self._open()  # before the first note
        name, api = locate_port(label, None)
        keyboard = KeyboardInput(name, self.clock, on_event, Passthrough(self, self.clock), api)
        keyboard.open()
        self.keyboard, self.listening = keyboard, label

    def stop_listening(self) -> None:
        """Close the MIDI keyboard's port, if one is heard."""
        if self.keyboard is not None:
            keyboard, self.keyboard, self.listening = self.keyboard, None, None
            keyboard.close()

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
        """Stop playing, close the MIDI keyboard's port and give the audio device back (before
        a jam opens them, at exit)."""
        self.stop_listening()
        self.stop_playback()
        if self.synth is not None:
            synth, self.synth = self.synth, None
            synth.close()
