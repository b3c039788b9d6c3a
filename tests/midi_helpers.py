"""Helpers that write small MIDI files for tests."""

from __future__ import annotations

from pathlib import Path

import mido

TPB = 480


def melody_notes(bars: int, beats_per_bar: int = 4, low: int = 60,
                 ) -> list[tuple[int, float, float]]:
    """A simple diatonic melody: (pitch, start quarter, end quarter)."""
    scale = [0, 2, 4, 5, 7, 9, 11, 12, 11, 9, 7, 5, 4, 2]
    notes, beat = [], 0
    for bar in range(bars):
        for step in range(beats_per_bar):
            pitch = low + scale[(bar * beats_per_bar + step) % len(scale)]
            notes.append((pitch, float(beat), beat + 0.9))
            beat += 1
    return notes


def write_midi(path: Path, tracks: list[dict], bpm: float = 100.0, meter=(4, 4),
               midi_type: int = 1) -> Path:
    """tracks: dicts with name, channel, program and notes [(pitch, start_q, end_q)]."""
    midi = mido.MidiFile(type=midi_type, ticks_per_beat=TPB)
    conductor = [(0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))),
                 (0, mido.MetaMessage("time_signature", numerator=meter[0], denominator=meter[1]))]
    events_per_track = []
    for track in tracks:
        events = [(0, mido.MetaMessage("track_name", name=track.get("name", "Track")))]
        channel = track.get("channel", 0)
        if "program" in track:
            events.append((0, mido.Message("program_change", channel=channel,
                                           program=track["program"])))
        for pitch, start, end in track["notes"]:
            events.append((round(start * TPB), mido.Message(
                "note_on", channel=channel, note=pitch, velocity=track.get("velocity", 90))))
            events.append((round(end * TPB), mido.Message(
                "note_off", channel=channel, note=pitch, velocity=0)))
        events_per_track.append(events)
    if midi_type == 0:
        merged = conductor + [e for events in events_per_track for e in events]
        midi.tracks.append(_track(merged))
    else:
        midi.tracks.append(_track(conductor))
        midi.tracks.extend(_track(events) for events in events_per_track)
    midi.save(path)
    return path


def _track(events) -> mido.MidiTrack:
    track, last = mido.MidiTrack(), 0
    for tick, message in sorted(events, key=lambda e: (e[0], 0 if e[1].is_meta else 1)):
        track.append(message.copy(time=tick - last))
        last = tick
    return track


def band_bars(path: Path, beats_per_bar: int = 4) -> set[int]:
    """The bars (from the take's start) where the band tracks (after the conductor and the
    player) start a note."""
    midi = mido.MidiFile(path)
    bars = set()
    for track in midi.tracks[2:]:
        ticks = 0
        for message in track:
            ticks += message.time
            if message.type == "note_on" and message.velocity > 0:
                bars.add(int(ticks / midi.ticks_per_beat // beats_per_bar))
    return bars


def note_ons(path: Path) -> dict[str, list[tuple[float, int]]]:
    """Each track's note-ons by track name: (quarters from the start, pitch)."""
    midi = mido.MidiFile(path)
    out = {}
    for track in midi.tracks:
        ticks, ons = 0, []
        for message in track:
            ticks += message.time
            if message.type == "note_on" and message.velocity > 0:
                ons.append((ticks / midi.ticks_per_beat, message.note))
        out[track.name] = ons
    return out


def markers(path: Path) -> list[tuple[float, str]]:
    """The file's markers (the band's chords in a take): (quarters from the start, text)."""
    midi = mido.MidiFile(path)
    out = []
    for track in midi.tracks:
        ticks = 0
        for message in track:
            ticks += message.time
            if message.type == "marker":
                out.append((ticks / midi.ticks_per_beat, message.text))
    return out
