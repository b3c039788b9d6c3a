"""Checking a written MIDI file: how many notes a track starts and how many it never ends."""

from __future__ import annotations

import os

import mido


def note_balance(path: str | os.PathLike, track: int) -> tuple[int, int]:
    """(note-ons, notes left without a note-off) in one track of a MIDI file."""
    sounding: dict[tuple[int, int], int] = {}
    started = 0
    for message in mido.MidiFile(path).tracks[track]:
        if message.type not in ("note_on", "note_off"):
            continue
        key = (message.channel, message.note)
        if message.type == "note_on" and message.velocity:
            sounding[key] = sounding.get(key, 0) + 1
            started += 1
        else:
            sounding[key] = max(0, sounding.get(key, 0) - 1)
    return started, sum(sounding.values())
