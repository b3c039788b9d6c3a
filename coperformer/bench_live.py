"""Live benchmarks: decision margins and misses in real sessions, onset error in rendered
audio, pass-through latency, CPU use and start-up time."""

from __future__ import annotations

import tempfile
import time
from argparse import Namespace
from pathlib import Path

import numpy as np

from coperformer.engine.clock import RealClock
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.stats import summary
from coperformer.synth.fluid import LIVE_SAMPLE_RATE

GRID_NOTES = 40
GRID_SPACING_S = 0.25


def _melody_file(folder: Path, bpm: float, bars: int) -> Path:
    from coperformer.io.smfwrite import write_melody
    from coperformer.music.meter import Meter
    from coperformer.music.notes import Note, Piece, bars_for

    scale = [60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62]
    notes = [Note(scale[i % len(scale)] + 7, i * 0.5, i * 0.5 + 0.45, 80)
             for i in range(bars * 8)]
    path = folder / f"melody-{bpm:g}.mid"
    write_melody(Piece(notes, [], bars_for(Meter(4, 4), bars * 4.0)), path, bpm)
    return path


def session_figures(model: str | None, bpm: float, bars: int, folder: Path) -> dict:
    """Run a real session (file input, FluidSynth without a device) and return its stats."""
    from coperformer.live import LiveSetup

    args = Namespace(input=str(_melody_file(folder, bpm, bars)), model=model, tempo=bpm,
                     meter="4/4", count_in=1, no_metronome=False, sync_start=False, record=None,
                     wav=None, audio_driver="none", period_size=128, periods=2, midi_api=None,
                     midi_out=None, soundfont=None, margin_ms=20.0, stats=None, seed=0,
                     max_seconds=None, sample_rate=LIVE_SAMPLE_RATE)
    started = time.perf_counter()
    setup = LiveSetup.from_args(args)
    startup_ms = (time.perf_counter() - started) * 1000
    setup.start()
    while setup.running:
        time.sleep(0.05)
    wall = max(1e-9, time.perf_counter() - setup.started_wall)
    cpu = 100.0 * (_cpu() - setup.cpu_start) / wall
    setup.finish()
    stats = setup.stats(cpu)
    stats["startup_ms"] = round(startup_ms, 1)
    return stats


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def onset_error(soundfont: Path, sample_rate: int = LIVE_SAMPLE_RATE) -> dict:
    """Band notes scheduled through the live sequencer, found in the rendered audio, against
    the same notes rendered offline at exact sample positions (removes the sound's attack)."""
    import wave

    from coperformer.synth.analysis import detect_onsets
    from coperformer.synth.fluid import FluidSynth
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
    intended = [(n.on_ns - synth.reference_ns) / 1e9 for n in notes]
    live = detect_onsets(frames, synth.sample_rate, threshold=0.01)
    reference = FluidSynth(soundfont, sample_rate)
    reference.program(1, 0)
    chunks, at = [], 0
    for t in intended:
        target = round(t * reference.sample_rate)
        chunks.append(reference.render(target - at))
        reference.noteon(1, 72, 100)
        chunks.append(reference.render(round(0.1 * reference.sample_rate)))
        reference.noteoff(1, 72)
        at = target + round(0.1 * reference.sample_rate)
    chunks.append(reference.render(reference.sample_rate // 2))
    reference.close()
    offline = detect_onsets(np.concatenate(chunks), reference.sample_rate, threshold=0.01)
    if len(live) != len(intended) or len(offline) != len(intended):
        raise RuntimeError(f"found {len(live)}/{len(offline)} onsets for {len(intended)} notes")
    errors = [abs((lv - t) - (ov - t)) * 1000 for lv, ov, t in zip(live, offline, intended,
                                                                    strict=True)]
    return summary(errors)
