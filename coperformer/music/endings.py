"""How the band begins and ends a tune with you (pure): a held tonic chord, voiced for the
three band voices, for an intro in a key the player set and for the final bar."""

from __future__ import annotations

import re

import numpy as np

from coperformer.common.errors import CoperformerError
from coperformer.music.chord_type import PITCH_CLASS_NAMES
from coperformer.music.harmony import KEY_PROFILES, Key, pitch_class_histogram, semitones
from coperformer.music.notes import Note

VOICE_CENTRES = (62, 55, 43)  # alto, tenor, bass: where each voice's chord tone is sought
ENDING_VELOCITY = 78
SCALE_SLACK = 0.05  # the share of a melody outside a key's scale still heard as in it
CLOSE_KEYS = 0.2  # keys this close in profile correlation: the melody's last note decides
KEY_PATTERN = re.compile(r"^([A-Ga-g])([#b]?)\s*(m|min|minor|maj|major)?$")


class KeyNameError(CoperformerError, ValueError):
    """Text that does not name a key (said in one line)."""


def parse_key(text: str) -> Key:
    """'C', 'F#', 'Bb', 'Am', 'C# minor', 'Eb major' as a key."""
    match = KEY_PATTERN.match(text.strip())
    if not match:
        raise KeyNameError(f"not a key: {text!r} (e.g. C, F#, Bb, Am, C# minor)")
    letter, accidental, mode = match.groups()
    tonic = semitones(letter, accidental) % 12
    return Key(tonic, (mode or "").lower() in ("m", "min", "minor"))


def key_name(key: Key) -> str:
    """A key as it is written in the window: 'C', 'F#m'."""
    return PITCH_CLASS_NAMES[key.tonic] + ("m" if key.minor else "")


def ending_key(histogram: np.ndarray, last_pitch: int | None = None) -> Key:
    """The key a tune ends in, from its melody's pitch-class weights and its last note: of
    the keys whose scale holds the melody (but for a passing chromatic share) and that
    correlate nearly as well as the best of them, the one whose tonic the melody came to rest
    on, else one whose tonic triad holds its last note, else the best-correlating one (C major
    when nothing was heard)."""
    weights = np.asarray(histogram, np.float64)
    total = weights.sum()
    keys = [Key(tonic, minor) for tonic in range(12) for minor in (False, True)]
    if total <= 0:
        return Key(0, False)
    outside = [sum(weights[pc] for pc in range(12) if pc not in key.scale()) / total
               for key in keys]
    centred = weights - weights.mean()
    correlation = KEY_PROFILES @ (centred / (np.linalg.norm(centred) or 1.0))
    last = None if last_pitch is None else last_pitch % 12

    def rank(index: int) -> tuple[bool, bool, float]:
        key = keys[index]
        return (last == key.tonic, last in key.diatonic_triads()[0],
                float(correlation[index]))

    fitting = [i for i, share in enumerate(outside) if share <= min(outside) + SCALE_SLACK]
    best = max(correlation[i] for i in fitting)
    return keys[max((i for i in fitting if correlation[i] >= best - CLOSE_KEYS), key=rank)]


def melody_ending_key(melody: np.ndarray, last: int | None = None) -> Key:
    """The key a whole melody (grid steps) ends in: ``ending_key`` of its pitch classes and
    its last note, or ``last`` (a final chord's root) in that note's place."""
    notes = melody[melody >= 0]
    if last is None and notes.size:
        last = int(notes[-1])
    return ending_key(pitch_class_histogram(melody), last)


def tonic_chord(key: Key, bar_quarters: float, ceiling: int | None = None,
                top: int | None = None, floating: frozenset[int] = frozenset(),
                ) -> list[list[Note]]:
    """The key's tonic triad held for a bar: alto on the third, tenor on the fifth, bass on
    the root, each voice near its usual register and under ``ceiling`` when one is given;
    the ``floating`` voices (0 = alto) just above ``top`` instead, when one is given."""
    third = (key.tonic + (3 if key.minor else 4)) % 12
    fifth = (key.tonic + 7) % 12
    voices = []
    for voice, (pitch_class, centre) in enumerate(zip((third, fifth, key.tonic),
                                                      VOICE_CENTRES, strict=True)):
        pitch = _nearest(pitch_class, centre)
        if voice in floating and top is not None:
            pitch = top + 1 + (pitch_class - top - 1) % 12
        while ceiling is not None and voice not in floating and pitch >= ceiling \
                and pitch - 12 >= 33:
            pitch -= 12
        voices.append([Note(pitch, 0.0, bar_quarters, ENDING_VELOCITY)])
    return voices


def _nearest(pitch_class: int, centre: int) -> int:
    below = centre - (centre - pitch_class) % 12
    return below if centre - below <= 6 else below + 12
