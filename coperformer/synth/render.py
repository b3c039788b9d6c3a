"""Offline rendering of MIDI files through FluidSynth to WAV, sample-exact."""

from __future__ import annotations

import tempfile
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from coperformer.common.files import atomic_write
from coperformer.io.clicks import song_clicks
from coperformer.io.midifile import Song, read_song
from coperformer.synth.fluid import FluidSynth

TAIL_SECONDS = 1.5
BLOCK_FRAMES = 32768  # rendered and written this many frames at a time
PEAK_DBFS = -1.0  # renders are scaled so their loudest sample sits here: loud, never clipped
INT16_FULL_SCALE = 32767


def peak_gain(peak: int, peak_dbfs: float = PEAK_DBFS) -> float:
    """The gain that puts a loudest sample of ``peak`` at ``peak_dbfs`` (1 for silence)."""
    return INT16_FULL_SCALE * 10 ** (peak_dbfs / 20) / peak if peak else 1.0


def apply_gain(frames: np.ndarray, gain: float) -> np.ndarray:
    """int16 frames scaled and clipped to int16."""
    if gain == 1.0:
        return frames
    return np.clip(np.rint(frames * gain), -INT16_FULL_SCALE, INT16_FULL_SCALE).astype(np.int16)


def normalized(frames: np.ndarray, peak_dbfs: float = PEAK_DBFS) -> np.ndarray:
    """int16 frames scaled so the loudest sample is at ``peak_dbfs`` (silence stays silent)."""
    return apply_gain(frames, peak_gain(_peak(frames), peak_dbfs))


def _peak(frames: np.ndarray) -> int:
    return int(np.abs(frames.astype(np.int32)).max()) if frames.size else 0


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


def stream_song(synth: FluidSynth, song: Song,
                progress: Callable[[float, float], None] | None = None, click: bool = False,
                ) -> Iterator[np.ndarray]:
    """Render a song block by block (int16 stereo, at most BLOCK_FRAMES each: memory does not
    grow with the song), with a metronome when ``click``; progress(done_s, total_s) is called
    often."""
    events = song_events(song)
    if click:
        events = sorted(events + song_clicks(song),
                        key=lambda item: (item[0], 0 if item[1].type == "note_off" else 1))
    total = (events[-1][0] if events else 0.0) + TAIL_SECONDS
    frame = 0
    for seconds, message in [*events, (total, None)]:
        target = round(seconds * synth.sample_rate)
        while frame < target:
            count = min(BLOCK_FRAMES, target - frame)
            yield synth.render(count)
            frame += count
            if progress:
                progress(frame / synth.sample_rate, total)
        if message is not None:
            apply_message(synth, message)
    if progress:
        progress(total, total)


def render_song(synth: FluidSynth, song: Song,
                progress: Callable[[float, float], None] | None = None) -> np.ndarray:
    """Render a whole song to int16 stereo frames in memory (for short songs and tests)."""
    blocks = list(stream_song(synth, song, progress))
    return np.concatenate(blocks) if blocks else np.zeros((0, 2), np.int16)


def render_file(midi_path: str | Path, wav_path: str | Path, soundfont: Path,
                progress: Callable[[float, float], None] | None = None,
                click: bool = False) -> float:
    """Render a MIDI file to WAV (with a metronome when ``click``), its peak at PEAK_DBFS,
    streaming through a temporary raw file (memory independent of length); returns the
    length in seconds."""
    song = read_song(midi_path)
    synth = FluidSynth(soundfont)
    frames = 0

    def write(tmp: str) -> None:
        nonlocal frames
        with tempfile.TemporaryFile() as raw:  # unlinked at once: nothing left on SIGTERM
            peak = 0
            for block in stream_song(synth, song, progress, click):
                raw.write(np.ascontiguousarray(block, np.int16).tobytes())
                peak, frames = max(peak, _peak(block)), frames + block.shape[0]
            raw.seek(0)
            _copy_scaled(raw, tmp, synth.sample_rate, peak_gain(peak))

    try:
        atomic_write(wav_path, write)
    finally:
        synth.close()
    return frames / synth.sample_rate


def _copy_scaled(raw, path: str, sample_rate: int, gain: float) -> None:
    with wave.open(path, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        while chunk := raw.read(BLOCK_FRAMES * 4):
            block = np.frombuffer(chunk, np.int16).reshape(-1, 2)
            out.writeframes(apply_gain(block, gain).tobytes())
