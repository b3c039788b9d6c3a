"""Limits a MIDI file must keep before the app spends memory or time on it, each said in one
line: size, tracks, events, a single delta time, meters, tempos, and length in bars and
seconds (a bit-flipped file must not become hours of audio or gigabytes of bars)."""

from __future__ import annotations

from pathlib import Path

import mido

from coperformer.common.errors import CoperformerError

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TRACKS = 256
MAX_EVENTS = 1_000_000
MAX_DELTA_QUARTERS = 4096  # one gap between two events (about 34 minutes at 120 BPM)
MAX_BARS = 10_000
MAX_SECONDS = 2 * 3600.0
BPM_RANGE = (5.0, 1000.0)  # what a file may say; a live session has its own, narrower range
METER_NUMERATORS = range(1, 65)
METER_DENOMINATORS = (1, 2, 4, 8, 16, 32)


class MidiInputError(CoperformerError, ValueError):
    """A MIDI file that cannot be used, with a message for the user."""


class MidiLimitError(MidiInputError):
    """A MIDI file beyond what the app accepts (said in one line, with the limit)."""


def check_size(path: Path) -> None:
    """Refuse a file too big to read into memory as a song."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise MidiLimitError(f"{path}: {size:,} bytes is larger than the "
                             f"{MAX_FILE_BYTES // 2**20} MB a MIDI file may be")


def check_file(midi: mido.MidiFile, path: Path) -> None:
    """Walk the parsed file once and refuse it at the first limit it breaks."""
    if len(midi.tracks) > MAX_TRACKS:
        raise MidiLimitError(f"{path}: {len(midi.tracks)} tracks (at most {MAX_TRACKS})")
    if sum(len(track) for track in midi.tracks) > MAX_EVENTS:
        raise MidiLimitError(f"{path}: more than {MAX_EVENTS:,} events")
    if midi.ticks_per_beat <= 0:
        raise MidiLimitError(f"{path}: a time division of {midi.ticks_per_beat} ticks per beat")
    for number, track in enumerate(midi.tracks, 1):
        tick = 0
        for message in track:
            if message.time > MAX_DELTA_QUARTERS * midi.ticks_per_beat:
                raise MidiLimitError(f"{path}: track {number} waits {message.time:,} ticks "
                                     f"between two events (at most {MAX_DELTA_QUARTERS} "
                                     "quarter notes)")
            tick += message.time
            _check_meta(message, path, number, tick)
    _check_length(midi, path)


def _check_meta(message, path: Path, track: int, tick: int) -> None:
    if message.type == "time_signature":
        if (message.numerator not in METER_NUMERATORS
                or message.denominator not in METER_DENOMINATORS):
            raise MidiLimitError(f"{path}: track {track} has the time signature "
                                 f"{message.numerator}/{message.denominator} at tick {tick}, "
                                 "which is not a meter")
    elif message.type == "set_tempo":
        bpm = mido.tempo2bpm(message.tempo) if message.tempo else float("inf")
        if not BPM_RANGE[0] <= bpm <= BPM_RANGE[1]:
            raise MidiLimitError(f"{path}: track {track} sets a tempo of {bpm:.4g} BPM at tick "
                                 f"{tick} (between {BPM_RANGE[0]:g} and {BPM_RANGE[1]:g})")


def _check_length(midi: mido.MidiFile, path: Path) -> None:
    seconds = midi.length
    if seconds > MAX_SECONDS:
        raise MidiLimitError(f"{path}: {seconds / 60:,.0f} minutes long (at most "
                             f"{MAX_SECONDS / 60:.0f})")


def check_bars(count: int) -> None:
    """Refuse a song of more bars than the app plays (while its bars are laid out)."""
    if count > MAX_BARS:
        raise MidiLimitError(f"the song is longer than {MAX_BARS:,} bars")
