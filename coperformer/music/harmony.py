"""Keys, scales and chords on pitch classes (pitch % 12)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import product

import numpy as np

from coperformer.music.chord_type import (
    PITCH_CLASS_NAMES,
    QUALITY,
    VOCABULARY_QUALITIES,
    triad_name,
)

# Krumhansl-Kessler key profiles (major, minor), tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)
MINOR_EXTRA = (9, 11)  # melodic/harmonic minor's raised 6th and 7th
CONSONANT_OVER_BASS = frozenset({0, 3, 4, 7, 8, 9})
LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
ACCIDENTALS = {"#": 1, "b": -1, "": 0}


@dataclass(frozen=True)
class Key:
    """A key: tonic pitch class and mode."""

    tonic: int
    minor: bool

    def scale(self) -> frozenset[int]:
        """Pitch classes counted as in key (minor admits its raised 6th and 7th)."""
        steps = MINOR_SCALE + MINOR_EXTRA if self.minor else MAJOR_SCALE
        return frozenset((self.tonic + s) % 12 for s in steps)

    def diatonic_triads(self) -> tuple[tuple[int, ...], ...]:
        """The seven diatonic triads (minor uses the harmonic-minor dominant)."""
        return _diatonic_triads(self.tonic, self.minor)

    def tonic_triad_name(self) -> str:
        """The lead-sheet name of the key's tonic chord: C, Am."""
        return triad_name(self.diatonic_triads()[0])

    def __str__(self) -> str:
        return f"{PITCH_CLASS_NAMES[self.tonic]} {'minor' if self.minor else 'major'}"


@cache
def _diatonic_triads(tonic: int, minor: bool) -> tuple[tuple[int, ...], ...]:
    steps = list(MINOR_SCALE if minor else MAJOR_SCALE)
    if minor:
        steps[6] = 11
    return tuple(tuple((tonic + steps[(degree + k) % 7]) % 12 for k in (0, 2, 4))
                 for degree in range(7))


def _chord_masks() -> frozenset[int]:
    masks = set()
    shapes = [QUALITY[name].intervals for name in VOCABULARY_QUALITIES]
    for root, shape in product(range(12), shapes):
        masks.add(sum(1 << ((root + s) % 12) for s in shape))
    return frozenset(masks)


CHORD_MASKS = _chord_masks()


def _fitting_masks() -> np.ndarray:
    """For each of the 4096 pitch-class masks: do they all belong to one chord of CHORD_MASKS?"""
    masks = np.arange(4096)
    fits = np.zeros(4096, bool)
    for chord in CHORD_MASKS:
        fits |= (masks & chord) == masks
    return fits


FITS_ONE_CHORD = _fitting_masks()


def pitch_class_mask(pitches) -> int:
    """A 12-bit mask of the pitch classes of some MIDI pitches."""
    classes = np.asarray(pitches, np.int64).ravel() % 12
    return int(np.bitwise_or.reduce(1 << classes)) if classes.size else 0


def fits_one_chord(mask: int) -> bool:
    """True when these pitch classes all belong to one triad or seventh chord."""
    return bool(FITS_ONE_CHORD[mask])


def pitch_class_histogram(pitches: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Duration-weighted pitch-class histogram of sounding pitches (REST < 0 ignored)."""
    sounding = pitches >= 0
    hist = np.zeros(12)
    w = np.ones(pitches.shape) if weights is None else weights
    np.add.at(hist, pitches[sounding] % 12, w[sounding])
    return hist


TRIAD_TEMPLATES = np.array([
    [1.0 if (pc - root) % 12 in shape else 0.0 for pc in range(12)]
    for root in range(12) for shape in (QUALITY["maj"].intervals, QUALITY["min"].intervals)
])  # row 2*root (major), 2*root+1 (minor)


def triad_root(weights: np.ndarray) -> int:
    """The root of the major or minor triad covering most of a pitch-class weight vector."""
    row = int((TRIAD_TEMPLATES @ weights).argmax())
    return row // 2


def _key_profiles() -> np.ndarray:
    """The 24 key profiles, centred and scaled: row 2*tonic (major), 2*tonic+1 (minor)."""
    rows = [np.roll(profile, tonic) for tonic in range(12)
            for profile in (MAJOR_PROFILE, MINOR_PROFILE)]
    centred = np.asarray(rows) - np.mean(rows, axis=1, keepdims=True)
    return centred / np.linalg.norm(centred, axis=1, keepdims=True)


KEY_PROFILES = _key_profiles()


def estimate_key(histogram: np.ndarray) -> Key:
    """The best-correlating major or minor key for a pitch-class histogram (C major if empty)."""
    centred = np.asarray(histogram, np.float64) - np.mean(histogram)
    norm = np.linalg.norm(centred)
    if np.sum(histogram) <= 0 or norm == 0:
        return Key(0, False)
    row = int(np.argmax(KEY_PROFILES @ (centred / norm)))  # Pearson correlation with each key
    return Key(row // 2, bool(row % 2))


def semitones(letter: str, accidental: str) -> int:
    """Semitones above C of a spelled note name (``B#`` is 12, ``Cb`` is -1)."""
    return LETTERS[letter.upper()] + ACCIDENTALS[accidental]
