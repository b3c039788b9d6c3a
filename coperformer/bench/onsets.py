"""Band onset error: notes scheduled through the live sequencer, found in the rendered audio,
against the same notes rendered offline at exact sample positions."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from coperformer.engine.clock import RealClock
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.stats import summary
from coperformer.synth.fluid import LIVE_SAMPLE_RATE

GRID_NOTES = 40
GRID_SPACING_S = 0.25


def onset_error(soundfont: Path, sample_rate: int = LIVE_SAMPLE_RATE) -> dict:
    """Band notes scheduled through the live sequencer, found in the rendered audio, against
    the same notes rendered offline at exact sample positions (removes the sound's attack)."""
    from coperformer.synth.analysis import detect_onsets

    intended, frames = _live_render(soundfont, sample_rate)
    live = detect_onsets(frames, sample_rate, threshold=0.01)
    offline = detect_onsets(_reference_render(soundfont, sample_rate, intended), sample_rate,
                            threshold=0.01)
    if len(live) != len(intended) or len(offline) != len(intended):
        raise RuntimeError(f"found {len(live)}/{len(offline)} onsets for {len(intended)} notes")
    errors = [abs((lv - t) - (ov - t)) * 1000 for lv, ov, t in zip(live, offline, intended,
                                                                    strict=True)]
    return summary(errors)


def _live_render(soundfont: Path, sample_rate: int) -> tuple[list[float], np.ndarray]:
    """A grid of notes through LiveSynth in real time: (intended onsets in s, audio frames)."""
    import wave

    from coperformer.synth.live_synth import LiveSynth

    clock = RealClock()
    with tempfile.TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "live.wav"
        synth = LiveSynth(soundfont, clock, None, wav_path=wav_path, sample_rate=sample_rate)
        synth.set_program(1, 0)
        start = synth.reference_ns + 300_000_000
        notes = [ScheduledNote(start + round(i * GRID_SPACING_S * 1e9),
                               start + round((i * GRID_SPACING_S + 0.1) * 1e9), 1, 72, 100)
                 for i in range(GRID_NOTES)]
        synth.schedule(notes)
        time.sleep((notes[-1].off_ns - clock.now_ns()) / 1e9 + 0.5)
        synth.close()
        with wave.open(str(wav_path)) as wav:
            frames = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).reshape(-1, 2)
    return [(n.on_ns - synth.reference_ns) / 1e9 for n in notes], frames


def _reference_render(soundfont: Path, sample_rate: int, onsets: list[float]) -> np.ndarray:
    """The same notes rendered offline at exact sample positions."""
    from coperformer.synth.fluid import FluidSynth

    reference = FluidSynth(soundfont, sample_rate)
    reference.program(1, 0)
    length = round(0.1 * sample_rate)
    chunks, at = [], 0
    for t in onsets:
        target = round(t * sample_rate)
        chunks.append(reference.render(target - at))
        reference.noteon(1, 72, 100)
        chunks.append(reference.render(length))
        reference.noteoff(1, 72)
        at = target + length
    chunks.append(reference.render(sample_rate // 2))
    reference.close()
    return np.concatenate(chunks)
