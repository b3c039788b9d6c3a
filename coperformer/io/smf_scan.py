"""Walking a Standard MIDI File's bytes before any parser builds objects from them: tracks,
events, delta times and variable-length numbers counted as the walk goes, so a file beyond a
limit is refused after reading no more than that limit (no memory grows with the file)."""

from __future__ import annotations

from pathlib import Path

from coperformer.io.midi_limits import (
    MAX_DELTA_QUARTERS,
    MAX_EVENTS,
    MAX_TRACKS,
    MidiLimitError,
)

MAX_NOTES_PER_QUARTER = 64  # averaged over the song (16 quarters at least): 32nds in 4 voices
MAX_EVENTS_PER_QUARTER = 256  # controllers and bends too: a DAW's densest automation
DENSITY_EVERY = 0x3FFF  # the density is checked every 16,384 events while walking
MAX_VARLEN_BYTES = 4  # the SMF standard's longest variable-length number
KEY_SIGNATURE = 0x59
SEQUENCER_SPECIFIC = 0x7F  # a corrupt key signature becomes this: mido reads it as plain data
VALID_KEYS = {(sharps & 0xFF, mode) for sharps in range(-7, 8) for mode in (0, 1)}
DATA_BYTES = [0] * 0x80 + [2] * 0x40 + [1] * 0x20 + [2] * 0x10 + [0] * 0x10  # by status byte


class _Truncated(Exception):
    """The walk ran off the file: the parser names what is wrong."""


def scan_smf(data: bytes, path: Path) -> tuple[bytes, int]:
    """``data`` with each corrupt key-signature meta event turned into an inert one, and how
    many were; MidiLimitError at the first limit broken (any thread). A structure the walk
    cannot follow is left to the parser to name."""
    if len(data) < 14 or data[:4] != b"MThd":
        return data, 0
    header = int.from_bytes(data[4:8], "big")
    tracks = int.from_bytes(data[10:12], "big")
    division = int.from_bytes(data[12:14], "big", signed=True)
    walk = _Walk(data, path, division)
    position = 8 + header
    try:
        for number in range(1, tracks + 1):
            if data[position : position + 4] != b"MTrk" or len(data) < position + 8:
                break
            if number > MAX_TRACKS:
                raise MidiLimitError(f"{path}: more than {MAX_TRACKS} tracks")
            size = int.from_bytes(data[position + 4 : position + 8], "big")
            position = walk.track(position + 8, position + 8 + size, number)
    except _Truncated:
        pass
    walk.check_density(division, walk.notes, walk.longest, walk.events)
    if not walk.corrupt_keys:
        return data, 0
    patched = bytearray(data)
    for offset in walk.corrupt_keys:
        patched[offset] = SEQUENCER_SPECIFIC
    return bytes(patched), len(walk.corrupt_keys)


class _Walk:
    """One walk over a file's tracks, counting its events."""

    def __init__(self, data: bytes, path: Path, division: int):
        self.data, self.path = data, path
        self.max_delta = MAX_DELTA_QUARTERS * division if division > 0 else None
        self.division = division
        self.events = self.notes = self.longest = 0
        self.corrupt_keys: list[int] = []

    def check_density(self, division: int, notes: int, ticks: int, events: int) -> None:
        """Refuse more notes or events a quarter note, on average, than music has (a flood
        would take minutes and most of a GB to parse and render). The reading thread."""
        quarters = max(16.0, ticks / division) if division > 0 else None
        if quarters and notes > MAX_NOTES_PER_QUARTER * quarters:
            raise MidiLimitError(f"{self.path}: {notes:,} note-on events in "
                                 f"{quarters:,.0f} quarter notes (at most "
                                 f"{MAX_NOTES_PER_QUARTER} a quarter note)")
        if quarters and events > MAX_EVENTS_PER_QUARTER * quarters:
            raise MidiLimitError(f"{self.path}: {events:,} events in {quarters:,.0f} quarter "
                                 f"notes (at most {MAX_EVENTS_PER_QUARTER} a quarter note)")

    def varlen(self, position: int, what: str) -> tuple[int, int]:
        """A variable-length number at ``position``: (its value, the position after it; the
        reading thread)."""
        data, value = self.data, 0
        for index in range(position, position + MAX_VARLEN_BYTES):
            if index >= len(data):
                raise _Truncated
            value = (value << 7) | (data[index] & 0x7F)
            if data[index] < 0x80:
                return value, index + 1
        raise MidiLimitError(f"{self.path}: a {what} at byte {position:,} is longer than "
                             f"{MAX_VARLEN_BYTES} bytes (a variable-length number)")

    def track(self, position: int, end: int, number: int) -> int:
        """Walk one track from ``position`` to ``end`` (where the parser stops too); the
        position after it (the reading thread)."""
        data, size, running = self.data, len(self.data), 0
        events, limit, notes, tick = self.events, MAX_EVENTS, 0, 0
        while position != end:
            if position >= size:
                raise _Truncated
            delta = data[position]
            if delta < 0x80:
                position += 1
            else:
                delta, position = self.varlen(position, "delta time")
                if self.max_delta is not None and delta > self.max_delta:
                    raise MidiLimitError(
                        f"{self.path}: track {number} waits {delta:,} ticks between two events "
                        f"(at most {MAX_DELTA_QUARTERS} quarter notes)")
            events += 1
            tick += delta
            if events > limit:
                raise MidiLimitError(f"{self.path}: more than {MAX_EVENTS:,} events")
            if not events & DENSITY_EVERY:  # a flood stops early, not at its end
                self.check_density(self.division, self.notes + notes, max(self.longest, tick),
                                   events)
            if position >= size:
                raise _Truncated
            status = data[position]
            if status < 0x80:
                if not running:
                    raise _Truncated
                position += DATA_BYTES[running]
            elif status < 0xF0:
                running = status
                position += 1 + DATA_BYTES[status]
            else:
                position = self.system(position, status)
                if status != 0xFF:
                    running = status
                continue
            if running >> 4 == 9:
                notes += 1
        self.events, self.notes = events, self.notes + notes
        self.longest = max(self.longest, tick)
        return position

    def system(self, position: int, status: int) -> int:
        """Skip a meta or sysex event (noting a corrupt key signature); the position after
        (the reading thread)."""
        if status == 0xFF:
            if position + 1 >= len(self.data):
                raise _Truncated
            kind = self.data[position + 1]
            length, start = self.varlen(position + 2, "meta event's length")
            if kind == KEY_SIGNATURE and tuple(self.data[start : start + 2]) not in VALID_KEYS:
                self.corrupt_keys.append(position + 1)
            return start + length
        if status in (0xF0, 0xF7):
            length, start = self.varlen(position + 1, "system-exclusive length")
            return start + length
        raise _Truncated  # an undefined status byte: the parser names it
