"""Offline rendering of MIDI files through FluidSynth to WAV, sample-exact."""

from __future__ import annotations

import os
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

from coperformer.common.files import atomic_write
from coperformer.io.midifile import Song, read_song
from coperformer.synth.fluid import FluidSynth

TAIL_SECONDS = 1.5
PEAK_DBFS = -1.0  # renders are scaled so their loudest sample sits here: loud, never clipped
INT16_FULL_SCALE = 32767


def normalized(frames: np.ndarray, peak_dbfs: float = PEAK_DBFS) -> np.ndarray:
    """int16 frames scaled so the loudest sample is at ``peak_dbfs`` (silence stays silent)."""
    peak = int(np.abs(frames.astype(np.int32)).max()) if frames.size else 0
    if peak == 0:
        return frames
    gain = INT16_FULL_SCALE * 10 ** (peak_dbfs / 20) / peak
    return np.clip(np.rint(frames * gain), -INT16_FULL_SCALE, INT16_FULL_SCALE).astype(np.int16)


def song_events(song: Song) -> list[tuple[float, object]]:
    """Every channel message of a song with its time in seconds, in order."""
    events = []
    for track in song.tracks:
        events.extend((song.seconds_at(tick), message) for tick, message in track.events)
    events.sort(key=lambda item: (item[0], 0 if item[1].type == "note_off" else 1))
    return events


def apply_message(synth: FluidSynth, message) -> None:
    """Send one mido channel message to the synth."""
    kind = message.type
    if kind == "note_on" and message.velocity > 0:
        synth.noteon(message.channel, message.note, message.velocity)
    elif kind in ("note_off", "note_on"):
        synth.noteoff(message.channel, message.note)
    elif kind == "program_change":
        synth.program(message.channel, message.program)
    elif kind == "control_change":
        synth.cc(message.channel, message.control, message.value)
    elif kind == "pitchwheel":
        synth.synth.pitch_bend(message.channel, message.pitch)


def render_song(synth: FluidSynth, song: Song,
                progress: Callable[[float, float], None] | None = None) -> np.ndarray:
    """Render a whole song to int16 stereo frames; progress(done_s, total_s) is called often."""
    events = song_events(song)
    total = (events[-1][0] if events else 0.0) + TAIL_SECONDS
    chunks, frame = [], 0
    for seconds, message in events:
        target = round(seconds * synth.sample_rate)
        if target > frame:
            chunks.append(synth.render(target - frame))
            frame = target
            if progress:
                progress(seconds, total)
        apply_message(synth, message)
    chunks.append(synth.render(round(total * synth.sample_rate) - frame))
    if progress:
        progress(total, total)
    return np.concatenate(chunks) if chunks else np.zeros((0, 2), np.int16)


def write_wav(path: str | os.PathLike, frames: np.ndarray, sample_rate: int) -> None:
    """Write int16 stereo frames to a WAV file atomically."""

    def write(tmp: str) -> None:
        with wave.open(tmp, "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(sample_rate)
            out.writeframes(np.ascontiguousarray(frames, np.int16).tobytes())

    atomic_write(path, write)


def render_file(midi_path: str | Path, wav_path: str | Path, soundfont: Path,
                progress: Callable[[float, float], None] | None = None) -> float:
    """Render a MIDI file to WAV, its peak at PEAK_DBFS; returns the length in seconds."""
    song = read_song(midi_path)
    synth = FluidSynth(soundfont)
    try:
        frames = render_song(synth, song, progress)
    finally:
        synth.close()
    write_wav(wav_path, normalized(frames), synth.sample_rate)
    return frames.shape[0] / synth.sample_rate
