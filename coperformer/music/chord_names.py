"""The left hand's chord (pure): the keys held below the split point, recognized as a chord
with its root and bass, the way an arranger keyboard reads them."""

from __future__ import annotations

import re

from coperformer.common.errors import CoperformerError
from coperformer.music.chord_type import PITCH_CLASS_NAMES, QUALITY_TABLE, SUFFIX_OF, Chord
from coperformer.music.harmony import semitones

PREFERENCE = {quality.intervals: rank for rank, quality in enumerate(QUALITY_TABLE)}
NOTE_PATTERN = re.compile(r"^([A-Ga-g])([#b]?)(-?\d)$")


class SplitError(CoperformerError, ValueError):
    """A split point that is not a note (said in one line)."""


def recognize(pitches: list[int]) -> Chord | None:
    """The chord the held keys spell (any inversion: the lowest key is the bass), or None
    for fewer than three pitch classes or a cluster that is no chord."""
    classes = sorted({p % 12 for p in pitches})
    if len(classes) < 3 or not pitches:
        return None
    bass = min(pitches) % 12
    found = []
    for root in classes:
        intervals = tuple(sorted((pc - root) % 12 for pc in classes))
        if intervals in PREFERENCE:
            found.append((root != bass, PREFERENCE[intervals], root, intervals))
    if not found:
        return None
    _, _, root, intervals = min(found)  # a root-position reading first, then the likelier
    name = PITCH_CLASS_NAMES[root] + SUFFIX_OF[intervals]
    label = name if bass == root else f"{name}/{PITCH_CLASS_NAMES[bass]}"
    return Chord(tuple((root + i) % 12 for i in intervals), bass, label=label)


def parse_note(text: str) -> int:
    """A note name with its octave ('F#3', 'C4' = 60) or a MIDI number, as a MIDI number."""
    text = text.strip()
    if text.isdigit() and 0 <= int(text) <= 127:
        return int(text)
    match = NOTE_PATTERN.match(text)
    if not match:
        raise SplitError(f"not a note: {text!r} (e.g. F#3, C4 or a MIDI number)")
    letter, accidental, octave = match.groups()
    number = 12 * (int(octave) + 1) + semitones(letter, accidental)
    if not 0 <= number <= 127:
        raise SplitError(f"{text} is outside the MIDI range")
    return number


def note_name(pitch: int) -> str:
    """A MIDI number as a note name with its octave (60 = 'C4', 54 = 'F#3'): what parse_note
    reads back."""
    return f"{PITCH_CLASS_NAMES[pitch % 12]}{pitch // 12 - 1}"
