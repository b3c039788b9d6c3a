"""Standard MIDI files via mido: read a song, turn it into a Piece, write the band back."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import mido

from coperformer.common.errors import first_line
from coperformer.common.files import UnreadableFile, input_problem, read_regular
from coperformer.io.midi_limits import (
    MAX_FILE_BYTES,
    MidiInputError,
    check_bars,
    check_file,
    check_size,
)
from coperformer.io.smf_scan import scan_smf
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.meter import COMMON_TIME, Meter
from coperformer.music.notes import Bar, Note, Piece


@dataclass
class SongTrack:
    """The events of one channel of one track, in absolute ticks (read-only once parsed:
    any thread)."""

    name: str
    channel: int | None
    events: list[tuple[int, mido.Message]] = field(default_factory=list)
    notes: list[tuple[int, int, int, int]] = field(default_factory=list)  # pitch, on, off, vel

    @property
    def is_drum(self) -> bool:
        """True for the GM percussion channel."""
        return self.channel == DRUM_CHANNEL

    @property
    def mean_pitch(self) -> float:
        """Average pitch of the track's notes (0 when it has none)."""
        return sum(n[0] for n in self.notes) / len(self.notes) if self.notes else 0.0


@dataclass
class Song:
    """A parsed SMF: resolution, tempo and meter maps, and per-channel tracks (read-only once
    parsed: any thread)."""

    ticks_per_beat: int
    tempos: list[tuple[int, int]]
    meters: list[tuple[int, Meter]]
    tracks: list[SongTrack]
    end_tick: int
    notices: list[str] = field(default_factory=list)  # what was skipped while reading, said

    def pitched_tracks(self) -> list[int]:
        """Indices of the tracks that hold notes and are not drums."""
        return [i for i, t in enumerate(self.tracks) if t.notes and not t.is_drum]

    def seconds_at(self, tick: int) -> float:
        """Wall time of a tick, following the tempo map."""
        seconds, last_tick, tempo = 0.0, 0, 500000
        for at, value in self.tempos:
            if at >= tick:
                break
            seconds += (at - last_tick) * tempo / 1e6 / self.ticks_per_beat
            last_tick, tempo = at, value
        return seconds + (tick - last_tick) * tempo / 1e6 / self.ticks_per_beat


def read_song(path: str | os.PathLike) -> Song:
    """Read a MIDI file, raising MidiInputError with a clear reason when it is unusable."""
    path = Path(path)
    problem = input_problem(path)  # before opening: a FIFO must not hang the reader
    if problem:
        raise MidiInputError(f"{path}: {problem}")
    check_size(path)
    try:
        data = read_regular(path, MAX_FILE_BYTES, "MIDI file")
    except UnreadableFile as exc:
        raise MidiInputError(str(exc)) from None
    data, corrupt_keys = scan_smf(data, path)  # limits counted before any object is built
    try:
        midi = mido.MidiFile(file=io.BytesIO(data), clip=True)
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise MidiInputError(f"not a readable MIDI file ({path}): {_why(exc)}") from exc
    if midi.type == 2:
        raise MidiInputError(f"{path}: type-2 MIDI files are not supported")
    check_file(midi, path)
    song = _song_from_midi(midi)
    if corrupt_keys:
        song.notices.append(f"{path}: skipped {corrupt_keys} corrupt key-signature "
                            f"event{'s' if corrupt_keys > 1 else ''} (the notes are kept)")
    return song


def _why(exc: Exception) -> str:
    """What the parser's error means for the user."""
    if isinstance(exc, EOFError):
        return "it ends inside a track (cut short?)"
    if isinstance(exc, IndexError):
        return "an event is shorter than its kind needs"
    return first_line(exc)


def _song_from_midi(midi: mido.MidiFile) -> Song:
    tempos: list[tuple[int, int]] = []
    meters: list[tuple[int, Meter]] = []
    tracks: list[SongTrack] = []
    end_tick = 0
    for raw in midi.tracks:
        absolute, name, by_channel = 0, "", {}
        for message in raw:
            absolute += message.time
            if message.type == "track_name":
                name = message.name
            elif message.type == "set_tempo":
                tempos.append((absolute, message.tempo))
            elif message.type == "time_signature":
                meters.append((absolute, Meter(message.numerator, message.denominator)))
            elif not message.is_meta and hasattr(message, "channel"):
                by_channel.setdefault(message.channel, []).append((absolute, message))
        end_tick = max(end_tick, absolute)
        for channel, events in sorted(by_channel.items()):
            label = name or f"Track {len(tracks) + 1}"
            track = SongTrack(label, channel, events)
            track.notes = _pair_notes(events)
            tracks.append(track)
    tempos.sort(key=lambda item: item[0])
    meters.sort(key=lambda item: item[0])
    return Song(midi.ticks_per_beat, tempos, meters, tracks, end_tick)


def _pair_notes(events: list[tuple[int, mido.Message]]) -> list[tuple[int, int, int, int]]:
    open_notes: dict[int, list[tuple[int, int]]] = {}
    notes = []
    for tick, message in events:
        if message.type == "note_on" and message.velocity > 0:
            open_notes.setdefault(message.note, []).append((tick, message.velocity))
        elif message.type in ("note_off", "note_on") and open_notes.get(message.note):
            start, velocity = open_notes[message.note].pop(0)
            notes.append((message.note, start, max(tick, start + 1), velocity))
    last = max((tick for tick, _ in events), default=0)
    for pitch, pending in open_notes.items():
        notes.extend((pitch, start, max(last, start + 1), vel) for start, vel in pending)
    return sorted(notes, key=lambda n: (n[1], n[0]))


def choose_melody(song: Song, melody_track: int | None = None) -> int:
    """The melody track: the one asked for (1-based among pitched tracks) or the highest."""
    pitched = song.pitched_tracks()
    if not pitched:
        raise MidiInputError("the file has no pitched (non-drum) notes")
    if melody_track is None:
        return max(pitched, key=lambda i: song.tracks[i].mean_pitch)
    if not 1 <= melody_track <= len(pitched):
        names = ", ".join(f"{n + 1}={song.tracks[i].name}" for n, i in enumerate(pitched))
        raise MidiInputError(f"--melody-track {melody_track} is out of range ({names})")
    return pitched[melody_track - 1]


def song_to_piece(song: Song, melody_index: int, name: str = "") -> Piece:
    """Convert a song to a Piece in quarter notes: the melody and the other pitched tracks."""
    tpb = song.ticks_per_beat

    def to_notes(track: SongTrack) -> list[Note]:
        return [Note(p, on / tpb, off / tpb, v) for p, on, off, v in track.notes]

    melody = to_notes(song.tracks[melody_index])
    band = [to_notes(song.tracks[i]) for i in song.pitched_tracks() if i != melody_index]
    end = max(n.end for n in melody + [n for voice in band for n in voice])
    return Piece(melody, band, bars_from_meter_map(song, end), name)


def bars_from_meter_map(song: Song, end_quarters: float) -> list[Bar]:
    """Bars that follow the file's time-signature changes until ``end_quarters``."""
    changes = [(tick / song.ticks_per_beat, meter) for tick, meter in song.meters]
    if not changes or changes[0][0] > 0:
        changes.insert(0, (0.0, COMMON_TIME))
    bars: list[Bar] = []
    position, index = 0.0, 0
    while position < end_quarters - 1e-9 or not bars:
        while index + 1 < len(changes) and changes[index + 1][0] <= position + 1e-9:
            index += 1
        meter = changes[index][1]
        bars.append(Bar(position, meter))
        check_bars(len(bars))
        position += meter.bar_quarters
    return bars
