"""Writing type-1 SMFs: a conductor track, the melody as it came, and one track per band voice."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import mido

from coperformer.common.files import atomic_write
from coperformer.io.midifile import Song
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.meter import COMMON_TIME, Meter
from coperformer.music.notes import Note, Piece

DEFAULT_TICKS = 480  # resolution of the files we write from scratch


@dataclass
class OutTrack:
    """A track to write: name, channel, GM program (None: leave as is) and timed events."""

    name: str
    channel: int
    program: int | None = None
    events: list[tuple[int, mido.Message]] = field(default_factory=list)


def notes_to_events(notes: list[Note], channel: int, ticks_per_quarter: int,
                    ) -> list[tuple[int, mido.Message]]:
    """Note-on/off pairs at absolute ticks (quarter notes times the resolution)."""
    events = []
    for note in notes:
        on = round(note.start * ticks_per_quarter)
        off = max(on + 1, round(note.end * ticks_per_quarter))
        events.append((on, mido.Message("note_on", channel=channel, note=note.pitch,
                                        velocity=max(1, min(127, note.velocity)))))
        events.append((off, mido.Message("note_off", channel=channel, note=note.pitch, velocity=0)))
    return events


def free_channels(used: set[int], count: int) -> list[int]:
    """The first ``count`` channels not in ``used``, never the drum channel."""
    free = [c for c in range(16) if c not in used and c != DRUM_CHANNEL]
    if len(free) < count:
        raise ValueError("not enough free MIDI channels for the band")
    return free[:count]


def conductor_track(tempos: list[tuple[int, int]], meters: list[tuple[int, Meter]],
                    markers: list[tuple[int, str]] = ()) -> mido.MidiTrack:
    """Tempo and time-signature events (defaults to 120 BPM and 4/4 when none are given), and
    markers (a DAW shows them on its marker lane: the band's chords)."""
    events: list[tuple[int, mido.MetaMessage]] = [
        (0, mido.MetaMessage("track_name", name="Conductor"))]
    for tick, tempo in tempos or [(0, 500000)]:
        events.append((tick, mido.MetaMessage("set_tempo", tempo=tempo)))
    for tick, meter in meters or [(0, COMMON_TIME)]:
        events.append((tick, mido.MetaMessage(
            "time_signature", numerator=meter.numerator, denominator=meter.denominator)))
    for tick, text in markers:
        events.append((tick, mido.MetaMessage("marker", text=marker_text(text))))
    return events_to_track(events)


def chord_markers(chords: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """(tick, name) of chords in time order -> a marker where the chord changes; of chords
    given at the same tick the last counts (the band decided again at that moment)."""
    markers: list[tuple[int, str]] = []
    for tick, name in chords:
        if markers and markers[-1][0] == tick:
            markers.pop()
        if not markers or markers[-1][1] != name:
            markers.append((tick, name))
    return markers


def marker_text(text: str) -> str:
    """Text a MIDI file can hold (Latin-1): sharps and flats spelled #, b; others as ?."""
    plain = text.replace("♯", "#").replace("♭", "b")
    return plain.encode("latin-1", "replace").decode("latin-1")


def events_to_track(events: list[tuple[int, mido.Message]]) -> mido.MidiTrack:
    """A track from (absolute tick, message) pairs: metas first, note-offs before note-ons."""
    order = {"note_off": 0, "note_on": 2}
    ordered = sorted(enumerate(events), key=lambda item: (
        item[1][0], 0 if item[1][1].is_meta else order.get(item[1][1].type, 1), item[0]))
    track, last = mido.MidiTrack(), 0
    for _, (tick, message) in ordered:
        track.append(message.copy(time=tick - last))
        last = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def build_track(out: OutTrack) -> mido.MidiTrack:
    """One named track with its program change first."""
    head: list[tuple[int, mido.Message]] = [(0, mido.MetaMessage("track_name", name=out.name))]
    if out.program is not None:
        head.append((0, mido.Message("program_change", channel=out.channel, program=out.program)))
    return events_to_track(head + out.events)


def write_smf(path: str | os.PathLike, ticks_per_quarter: int, conductor: mido.MidiTrack,
              tracks: list[OutTrack]) -> None:
    """Write a type-1 file atomically (nothing is left behind on failure)."""
    midi = mido.MidiFile(type=1, ticks_per_beat=ticks_per_quarter)
    midi.tracks.append(conductor)
    midi.tracks.extend(build_track(t) for t in tracks)
    atomic_write(path, lambda tmp: midi.save(tmp))


def write_accompaniment(path: str | os.PathLike, song: Song, melody_index: int,
                        band: list[tuple[str, int, list[Note]]],
                        chords: list[tuple[float, str]] = ()) -> None:
    """The input's tempo and meter, its melody unchanged as 'Melody', the band tracks, and
    the band's ``chords`` (quarters, name) as markers where they change."""
    melody = song.tracks[melody_index]
    channels = free_channels({melody.channel or 0}, len(band))
    tracks = [OutTrack("Melody", melody.channel or 0, None, list(melody.events))]
    for (name, program, notes), channel in zip(band, channels, strict=True):
        events = notes_to_events(notes, channel, song.ticks_per_beat)
        tracks.append(OutTrack(name, channel, program, events))
    markers = chord_markers((round(at * song.ticks_per_beat), name) for at, name in chords)
    write_smf(path, song.ticks_per_beat, conductor_track(song.tempos, song.meters, markers),
              tracks)


def write_melody(piece: Piece, path: str | os.PathLike, bpm: float = 96.0) -> None:
    """Write a piece's melody as a one-track SMF (with its first meter and a tempo)."""
    write_piece(Piece(piece.melody, [], piece.bars, piece.name), path, bpm)


def write_piece(piece: Piece, path: str | os.PathLike, bpm: float = 96.0) -> None:
    """Write a piece as an SMF: the melody, then each band voice on its own channel."""
    meter: Meter = piece.bars[0].meter
    conductor = conductor_track([(0, round(60e6 / bpm))], [(0, meter)])
    tracks = [OutTrack("Melody", 0, 0, notes_to_events(piece.melody, 0, DEFAULT_TICKS))]
    for voice, notes in enumerate(piece.band, 1):
        tracks.append(OutTrack(f"Voice {voice}", voice, 48,
                               notes_to_events(notes, voice, DEFAULT_TICKS)))
    write_smf(path, DEFAULT_TICKS, conductor, tracks)
