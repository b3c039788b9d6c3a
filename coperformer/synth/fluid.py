"""The FluidSynth adapter: one synth with a loaded soundfont, rendering or live."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import numpy as np

SAMPLE_RATE = 44100
LIVE_SAMPLE_RATE = 96000  # halves the 64-frame grid on which FluidSynth starts scheduled notes
DRUM_CHANNEL = 9


class SynthError(RuntimeError):
    """FluidSynth is missing or refused a soundfont or driver."""


def load_fluidsynth():
    """Import pyfluidsynth, turning a missing libfluidsynth into a clear error."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import fluidsynth
    except (ImportError, OSError) as exc:
        raise SynthError(
            "libfluidsynth is not installed (Debian/Ubuntu: sudo apt install libfluidsynth3; "
            f"macOS: brew install fluid-synth): {exc}") from exc
    return fluidsynth


class FluidSynth:
    """A FluidSynth instance with one soundfont; renders with get_samples when not started."""

    def __init__(self, soundfont: str | os.PathLike, sample_rate: int = SAMPLE_RATE,
                 gain: float = 0.4, **settings):
        fs = load_fluidsynth()
        self.sample_rate = sample_rate
        self.synth = fs.Synth(gain=gain, samplerate=sample_rate, **settings)
        self.sfid = self.synth.sfload(str(soundfont))
        if self.sfid < 0:
            self.synth.delete()
            raise SynthError(f"FluidSynth could not load the soundfont {soundfont}")
        self.soundfont = Path(soundfont)
        for channel in range(16):
            self.program(channel, 0)

    def program(self, channel: int, program: int) -> None:
        """Select a GM program (the drum kit bank on channel 10)."""
        bank = 128 if channel == DRUM_CHANNEL else 0
        self.synth.program_select(channel, self.sfid, bank, program)

    def preset_name(self, program: int, bank: int = 0) -> str:
        """The soundfont's name for a preset ('' when it has none)."""
        name = self.synth.sfpreset_name(self.sfid, bank, program)
        return name or ""

    def noteon(self, channel: int, pitch: int, velocity: int) -> None:
        """Start a note now."""
        self.synth.noteon(channel, pitch, velocity)

    def noteoff(self, channel: int, pitch: int) -> None:
        """End a note now."""
        self.synth.noteoff(channel, pitch)

    def cc(self, channel: int, control: int, value: int) -> None:
        """Send a controller change now."""
        self.synth.cc(channel, control, value)

    def all_notes_off(self, channels=range(16)) -> None:
        """End every note on the given channels."""
        for channel in channels:
            self.synth.all_notes_off(channel)

    def render(self, frames: int) -> np.ndarray:
        """Render ``frames`` stereo frames as int16 [frames, 2]."""
        if frames <= 0:
            return np.zeros((0, 2), np.int16)
        return np.asarray(self.synth.get_samples(frames), np.int16).reshape(-1, 2)

    def close(self) -> None:
        """Free the synth."""
        if self.synth is not None:
            self.synth.delete()
            self.synth = None
