"""Band onset error: notes scheduled through the live sequencer, found in the audio a listener
gets, against the same notes rendered offline at exact sample positions. Without a driver the
audio is what the render thread wrote; through JACK it is captured by a second JACK client on
a dummy server of our own, each frame with its time, as a listener hears it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from coperformer.engine.clock import RealClock
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.stats import summary
from coperformer.synth.fluid import LIVE_SAMPLE_RATE

GRID_NOTES = 40
JACK_GRID_NOTES = 101  # a p99 over 101 notes or more is not their worst one (a transport's
# lost cycle moves a note or two)
GRID_SPACING_S = 0.25
# each note moved by a share of this (a golden-ratio sequence: evenly spread): 4 ms is whole
# numbers of FluidSynth's 1 ms sequencer clock and of its 64-frame blocks at 48 and 96 kHz, so
# every phase against them is measured (a plain grid of 0.25 s hits one or two of them)
PHASE_SPAN_S = 0.004
GOLDEN = (5 ** 0.5 - 1) / 2
NOTE_S = 0.1
LEAD_S = 0.3  # the first note this long after the synth is ready
ONSET_THRESHOLD = 0.01
JACK_RATE = 48000
PAIR_S = 0.05  # a heard onset further than this from its note's is not that note's


def onset_error(soundfont: Path, sample_rate: int = LIVE_SAMPLE_RATE) -> dict:
    """Onset error (ms) with no audio driver: the render thread's WAV against the reference."""
    from coperformer.synth.live_synth import LiveSynth

    with tempfile.TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "live.wav"
        synth = LiveSynth(soundfont, RealClock(), None, wav_path=wav_path,
                          sample_rate=sample_rate)
        notes = _play_grid(synth)
        intended = [(n.on_ns - synth.reference_ns) / 1e9 for n in notes]
        frames, rate = read_wav(wav_path)
    return summary([abs(e) for e in _errors(soundfont, intended, frames, rate) if e is not None])


def jack_onset_error(soundfont: Path, period: int = 128) -> dict:
    """Onset error through the JACK driver, heard by a capture client on a dummy server of
    our own: {"abs_ms": summary, "signed_ms": summary, "missing": notes not heard, "xruns":
    the server's (a dummy server on a loaded virtual machine reports tens a second, most of
    them microseconds late), "cycles": the capture client was served, "reanchors": the audio
    clock's}."""
    from coperformer.synth.jack_server import DummyJackServer
    from coperformer.synth.live_synth import LiveSynth

    name = f"coperformer-bench-{os.getpid()}"
    with DummyJackServer(name, JACK_RATE, period) as server, _environment(server.env), \
            tempfile.TemporaryDirectory() as tmp:
        synth = LiveSynth(soundfont, RealClock(), "jack", period_size=period,
                          sample_rate=JACK_RATE, jack_autoconnect=False)
        try:
            with capturing(server.env, Path(tmp) / "heard.wav",
                           ["fluidsynth:left", "fluidsynth:right"]) as path:
                notes = _play_grid(synth, close=False, count=JACK_GRID_NOTES)
        finally:
            synth.close()
        heard = Heard(path)
        each = _errors(soundfont, heard.seconds_at([n.on_ns for n in notes]), *read_wav(path))
    found = [e for e in each if e is not None]
    return {"abs_ms": summary([abs(e) for e in found]), "signed_ms": summary(found),
            "missing": each.count(None), "xruns": len(heard.xruns_ns),
            "cycles": heard.late_cycles()[1], "reanchors": synth.anchor.reanchors}


class Heard:
    """What a capture client wrote: the WAV, and when each cycle's frames were taken."""

    def __init__(self, path: Path):
        self.path = path
        meta = json.loads(Path(f"{path}.json").read_text())
        self.rate = meta["rate"]
        cycles = np.asarray(meta["cycles"], np.float64).reshape(-1, 2)
        self._frames, self._woke = cycles[:, 0], cycles[:, 1]
        self.xruns_ns: list[int] = meta.get("xruns", [])

    def late_cycles(self) -> tuple[int, int]:
        """(xruns the server reported, cycles the capture client was served)."""
        return len(self.xruns_ns), len(self._frames)

    def seconds_at(self, times_ns: list[int]) -> list[float]:
        """Where in the capture (s from its first frame) absolute times fall: between the
        cycles' own times, the frames at the nominal rate."""
        frames = np.interp(np.asarray(times_ns, np.float64), self._woke, self._frames,
                           left=np.nan, right=np.nan)
        return [float(f) / self.rate for f in frames]

    def clock_error(self, times_ns: list[int], span_ns: int) -> list[float]:
        """How far the server's frames ran from its nominal rate over the ``span_ns`` before
        each time (0.02: 2 % fast or slow; a dummy server on a stalling host drifts and jumps,
        which an audio clock fitted over seconds cannot follow at once)."""
        ends = np.asarray(times_ns, np.float64)
        frames = np.interp([ends - span_ns, ends], self._woke, self._frames)
        return [abs(float(f) / self.rate / (span_ns / 1e9) - 1)
                for f in frames[1] - frames[0]]


@contextmanager
def capturing(env: dict, path: Path, sources: list[str], name: str = "listener",
              follow: bool = False):
    """Capture the JACK ports ``sources`` into ``path`` while the block runs (a client in a
    process of its own; ``follow``: the one source is a client name's start, its outputs
    connected as they come); yields ``path``: read it as ``Heard(path)`` after the block."""
    process = subprocess.Popen([sys.executable, "-m", "coperformer.synth.jack_capture", name,
                                *sources, "--out", str(path), *(["--follow"] if follow else [])],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        if process.stdout.readline().strip() != "ready":
            process.stdin.close()
            raise RuntimeError("the JACK capture client did not start: "
                               f"{process.stderr.read().strip()[-300:]}")
        if process.stdout.readline().strip() != "connected":
            raise RuntimeError(f"the JACK capture client found no {sources}")
        yield path
    finally:
        process.stdin.close()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:  # its client's close stuck on a server running late:
            process.kill()                 # the files are written before it
            process.wait()
        process.stdout.close()
        process.stderr.close()


@contextmanager
def _environment(env: dict):
    """os.environ as ``env`` while the block runs (FluidSynth's JACK driver reads it)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _play_grid(synth, close: bool = True, count: int = GRID_NOTES) -> list[ScheduledNote]:
    """A grid of notes through a LiveSynth in real time, each handed over ``LEAD_S`` ahead
    as the live band hands over its beats, each at its own phase (``PHASE_SPAN_S``); returns
    the notes."""
    clock = synth.clock
    synth.set_program(1, 0)
    start = clock.now_ns() + round(LEAD_S * 1e9)
    ons = [start + round((i * GRID_SPACING_S + (i * GOLDEN % 1.0) * PHASE_SPAN_S) * 1e9)
           for i in range(count)]
    notes = [ScheduledNote(on, on + round(NOTE_S * 1e9), 1, 72, 100) for on in ons]
    for note in notes:
        time.sleep(max(0.0, (note.on_ns - round(LEAD_S * 1e9) - clock.now_ns()) / 1e9))
        synth.schedule([note])
    time.sleep((notes[-1].off_ns - clock.now_ns()) / 1e9 + 0.5)
    if close:
        synth.close()
    return notes


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit WAV's frames [N, channels] and its sample rate."""
    with wave.open(str(path)) as wav:
        frames = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
        return frames.reshape(-1, wav.getnchannels()), wav.getframerate()


def _errors(soundfont: Path, intended: list[float], frames: np.ndarray, rate: int,
            ) -> list[float | None]:
    """Each note's heard onset against where the reference puts it (ms): the intended time
    plus the attack's own detection delay, measured on the same note rendered offline at an
    exact sample; None for a note with no onset within ``PAIR_S`` (missing, not measured)."""
    from coperformer.synth.analysis import detect_onsets

    if any(np.isnan(intended)):
        raise RuntimeError("a note fell outside the capture")
    heard = np.asarray(detect_onsets(frames, rate, threshold=ONSET_THRESHOLD))
    attack = _attack_delay_s(soundfont, rate)
    out: list[float | None] = []
    for at in np.asarray(intended) + attack:
        nearest = heard[np.argmin(np.abs(heard - at))] if heard.size else None
        close = nearest is not None and abs(nearest - at) <= PAIR_S
        out.append((nearest - at) * 1000 if close else None)
    return out


def _attack_delay_s(soundfont: Path, sample_rate: int) -> float:
    """How long after its exact start the onset detector finds the grid's note, rendered
    offline where a grid puts it: a grid's step after the one before, whose tail it rises
    from (FluidSynth renders a note-on from the very next sample)."""
    from coperformer.synth.analysis import detect_onsets
    from coperformer.synth.fluid import FluidSynth

    reference = FluidSynth(soundfont, sample_rate)
    note, rest = round(NOTE_S * sample_rate), round((GRID_SPACING_S - NOTE_S) * sample_rate)
    try:
        reference.program(1, 0)
        chunks = [reference.render(sample_rate // 10)]
        for _ in range(2):
            reference.noteon(1, 72, 100)
            chunks.append(reference.render(note))
            reference.noteoff(1, 72)
            chunks.append(reference.render(rest))
    finally:
        reference.close()
    found = detect_onsets(np.concatenate(chunks), sample_rate, threshold=ONSET_THRESHOLD)
    if len(found) != 2:
        raise RuntimeError(f"the reference notes have {len(found)} onsets, not 2")
    return found[1] - (sample_rate // 10 + note + rest) / sample_rate
