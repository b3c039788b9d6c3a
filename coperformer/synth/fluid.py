"""The FluidSynth adapter: one synth with a loaded soundfont, rendering or live."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import numpy as np

from coperformer.common.errors import CoperformerError
from coperformer.common.quiet import native_stderr_logged
from coperformer.music.gm import DRUM_BANK, DRUM_CHANNEL

SAMPLE_RATE = 44100
LIVE_SAMPLE_RATE = 48000  # the sound servers' own rate (no resampling); a note lands on the
# 64-frame block it is meant for (live_synth.block_tick): 96 kHz cost twice the CPU for no gain
LIVE_PERIOD_SIZE = 64  # frames: 2 periods are 2.7 ms at 48 kHz
SAMPLE_RATES = (8000, 96000)  # what FluidSynth 2 accepts (synth.sample-rate), Hz
PERIOD_SIZES = (64, 8192)  # audio.period-size, frames
PERIOD_COUNTS = (2, 64)  # audio.periods


class SynthError(CoperformerError, RuntimeError):
    """FluidSynth is missing or refused a soundfont or driver."""


def load_fluidsynth():
    """Import pyfluidsynth, turning a missing libfluidsynth into a clear error (any thread)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import fluidsynth
    except (ImportError, OSError) as exc:
        raise SynthError(
            "libfluidsynth is not installed (Debian/Ubuntu: sudo apt install libfluidsynth3; "
            f"macOS: brew install fluid-synth): {exc}") from exc
    return fluidsynth


def buffer_latency_ms(period_size: int, periods: int, sample_rate: int) -> float:
    """The latency an audio driver's buffer adds: periods of period_size frames (any thread)."""
    return 1000.0 * period_size * periods / sample_rate


class FluidSynth:
    """A FluidSynth instance with one soundfont (None: no soundfont, it plays silence);
    renders with get_samples when not started.

    FluidSynth locks internally: note and controller calls may come from any thread.
    """

    def __init__(self, soundfont: str | os.PathLike | None, sample_rate: int = SAMPLE_RATE,
                 gain: float = 0.4, **settings):
        fs = load_fluidsynth()
        self.sample_rate = sample_rate
        self.synth = fs.Synth(gain=gain, samplerate=sample_rate, **settings)
        self.sfid: int | None = None
        self.soundfont = Path(soundfont) if soundfont is not None else None
        if soundfont is None:
            return
        with native_stderr_logged(f"loading {soundfont}") as log:  # FluidSynth's own lines
            self.sfid = self.synth.sfload(str(soundfont))
        if self.sfid < 0:
            self.synth.delete()
            said = f" (FluidSynth's messages: {log})" if log else ""
            raise SynthError(f"FluidSynth could not load the soundfont {soundfont}{said}")
        for channel in range(16):
            self.program(channel, 0)

    def program(self, channel: int, program: int) -> None:
        """Select a GM program (the drum kit bank on the drum channel). Any thread."""
        bank = DRUM_BANK if channel == DRUM_CHANNEL else 0
        if self.sfid is not None:
            self.synth.program_select(channel, self.sfid, bank, program)

    def preset_name(self, program: int, bank: int = 0) -> str:
        """The soundfont's name for a preset ('' when it has none). Any thread."""
        if self.sfid is None:
            return ""
        return self.synth.sfpreset_name(self.sfid, bank, program) or ""

    def noteon(self, channel: int, pitch: int, velocity: int) -> None:
        """Start a note now. Any thread."""
        self.synth.noteon(channel, pitch, velocity)

    def noteoff(self, channel: int, pitch: int) -> None:
        """End a note now. Any thread."""
        self.synth.noteoff(channel, pitch)

    def cc(self, channel: int, control: int, value: int) -> None:
        """Send a controller change now. Any thread."""
        self.synth.cc(channel, control, value)

    def silence(self) -> None:
        """End every note and cut every sound on all 16 channels at once. Any thread."""
        for channel in range(16):
            self.synth.all_notes_off(channel)
            self.synth.all_sounds_off(channel)

    def reset(self) -> None:
        """Every channel back to its power-on state: sounds cut, controllers (sustain,
        volume, pan) and programs reset. Any thread."""
        self.synth.system_reset()

    def render(self, frames: int) -> np.ndarray:
        """Render ``frames`` stereo frames as int16 [frames, 2]; the rendering thread only."""
        if frames <= 0:
            return np.zeros((0, 2), np.int16)
        return np.asarray(self.synth.get_samples(frames), np.int16).reshape(-1, 2)

    def close(self) -> None:
        """Free the synth; the owner's thread, once nothing else uses it."""
        if self.synth is not None:
            self.synth.delete()
            self.synth = None
