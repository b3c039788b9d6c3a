"""A session's take as a type-1 SMF: conductor (tempo, meter), the player as played, one track
per band voice (through the one SMF writer, io/smfwrite.py). Any thread."""

from __future__ import annotations

import os
from collections.abc import Callable

import mido

from coperformer.engine.recorder import Recorder
from coperformer.engine.take import Recording
from coperformer.io.smfwrite import OutTrack, chord_markers, conductor_track, write_smf
from coperformer.music.gm import (
    ALL_NOTES_OFF_CC,
    ALL_SOUND_OFF_CC,
    DRUM_CHANNEL,
    PEDAL_DOWN,
    SUSTAIN_CC,
    VOLUME_CC,
)
from coperformer.music.meter import Meter

TAKE_TICKS = 960


def write_take(recording: Recording, path: str | os.PathLike) -> None:
    """Write a recording atomically. It begins at bar 0, or at the count-in bar the player
    first played in (a pickup is the player's too); the count-in's clicks are never in it."""
    transport = recording.transport()
    first = first_bar(recording)
    origin = transport.quarters_of_bar(first)

    def tick(ns: int) -> int:
        return round((transport.quarters_at(ns) - origin) * TAKE_TICKS)

    player = _player_events(recording.player, tick)
    band = [_band_events(info.channel, recording.voice_notes(index), tick)
            for index, info in enumerate(recording.band)]
    end = max((at for events in (player, *band) for at, _ in events), default=0)
    tracks = [OutTrack("Melody", 0, None, player + _release_held(player, end)
                       + _program_events(recording, 0, tick))]
    for info, events in zip(recording.band, band, strict=True):
        if info.channel == DRUM_CHANNEL and not events:
            continue  # the drums never played in this take
        tracks.append(OutTrack(info.name, info.channel, info.program,
                               events + _program_events(recording, info.channel, tick)))
    markers = _chord_markers(recording, tick, end)
    write_smf(path, TAKE_TICKS, _conductor(recording, markers, first), tracks)


def first_bar(recording: Recording) -> int:
    """The take's first bar: 0, or the count-in bar of the player's first note (any
    thread)."""
    transport = recording.transport()
    starts = [ns for ns, raw in recording.player if raw[0] >> 4 == 0x9 and raw[2] > 0]
    return min(0, transport.bar_at(min(starts))) if starts else 0


def save_take(recorder: Recorder, path: str | os.PathLike) -> None:
    """Write the recorder's take, then remove its journal (the take is safe on disk)."""
    recorder.close()
    write_take(recorder.recording, path)
    recorder.discard_journal()


def _chord_markers(recording: Recording, tick: Callable[[int], int], end: int,
                   ) -> list[tuple[int, str]]:
    """The band's chords up to the take's last event (a bar decided but never played: none)."""
    ticks = [(tick(time_ns), name)
             for time_ns, name in sorted(recording.chords, key=lambda chord: chord[0])]
    return chord_markers((at, name) for at, name in ticks if 0 <= at < end)


def _conductor(recording: Recording, markers: list[tuple[int, str]], first: int,
               ) -> mido.MidiTrack:
    """Tempo and meter from the take's first bar on (a segment that ended before it: none)."""
    transport = recording.transport()
    origin = transport.quarters_of_bar(first)
    tempos: list[tuple[int, int]] = []
    meters: list[tuple[int, Meter]] = []
    segments = recording.segments
    for index, segment in enumerate(segments):
        if index + 1 < len(segments) and segments[index + 1].first_bar <= first:
            continue  # replaced before the take begins
        at = round((transport.quarters_of_bar(max(first, segment.first_bar)) - origin)
                   * TAKE_TICKS)
        tempos.append((at, mido.bpm2tempo(segment.bpm)))
        meters.append((at, segment.meter))
    return conductor_track(tempos, meters, markers)


def _player_events(player: list[tuple[int, tuple[int, ...]]], tick: Callable[[int], int],
                   ) -> list[tuple[int, mido.Message]]:
    """The player's messages from bar 0 on, every note-on with a note-off of its own at least
    a tick later: a note shorter than a tick keeps its tick, and a key struck again while its
    note sounds (its note-off lost on the way, as a flooded JACK port does) ends that note
    first (the file's order puts a tick's note-offs before its note-ons)."""
    events, started = [], set()
    sounding: dict[tuple[int, int], int] = {}  # (channel, note) -> the tick it started
    for time_ns, raw in player:
        at = tick(time_ns)
        message = mido.Message.from_bytes(list(raw))
        if at < 0:
            continue  # before the take's first bar: nothing was played there
        if message.type in ("note_on", "note_off"):
            key = (message.channel, message.note)
            if message.type == "note_on" and message.velocity > 0:
                started.add(message.note)
                if key in sounding:
                    at = max(at, sounding[key] + 1)
                    events.append((at, mido.Message("note_off", channel=key[0], note=key[1])))
                sounding[key] = at
            elif message.note not in started:
                continue
            elif key in sounding:
                at = max(at, sounding.pop(key) + 1)
        events.append((at, message))
    return events


def _release_held(events: list[tuple[int, mido.Message]], end: int,
                  ) -> list[tuple[int, mido.Message]]:
    """Note-offs (and pedal releases) at the take's end for what the player still held (a
    take cut short by a crash, or a key held at Stop)."""
    held: dict[tuple[int, int], int] = {}
    pedal: set[int] = set()
    for at, message in sorted(events, key=lambda item: item[0]):
        if message.type == "note_on" and message.velocity > 0:
            held[(message.channel, message.note)] = at
        elif message.type in ("note_on", "note_off"):
            held.pop((message.channel, message.note), None)
        elif message.type != "control_change":
            continue
        elif message.control == SUSTAIN_CC:
            (pedal.add if message.value >= PEDAL_DOWN else pedal.discard)(message.channel)
        elif message.control in (ALL_NOTES_OFF_CC, ALL_SOUND_OFF_CC):
            held = {key: on for key, on in held.items() if key[0] != message.channel}
    releases = [(max(end, at + 1), mido.Message("note_off", channel=channel, note=note))
                for (channel, note), at in sorted(held.items())]
    return releases + [(end, mido.Message("control_change", channel=channel, control=SUSTAIN_CC,
                                          value=0)) for channel in sorted(pedal)]


def _program_events(recording: Recording, channel: int, tick: Callable[[int], int],
                    ) -> list[tuple[int, mido.Message]]:
    """A channel's program and volume changes during the take, as they happened (one before
    bar 0 counts at bar 0): an export then sounds as the jam did."""
    return ([(max(0, tick(ns)), mido.Message("program_change", channel=channel, program=value))
             for ns, ch, value in recording.programs if ch == channel]
            + [(max(0, tick(ns)), mido.Message("control_change", channel=channel,
                                               control=VOLUME_CC, value=value))
               for ns, ch, value in recording.levels if ch == channel])


def _band_events(channel: int, notes: list, tick: Callable[[int], int],
                 ) -> list[tuple[int, mido.Message]]:
    events = []
    for note in notes:
        on, off = tick(note.on_ns), tick(note.off_ns)
        if on < 0:
            continue
        events.append((on, mido.Message("note_on", channel=channel, note=note.pitch,
                                        velocity=note.velocity)))
        events.append((max(off, on + 1), mido.Message("note_off", channel=channel,
                                                      note=note.pitch, velocity=0)))
    return events
