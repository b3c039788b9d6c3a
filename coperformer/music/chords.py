"""Chords as a small vocabulary (pure): root x quality, read from sounding voices or written
symbols, placed in a key (degrees), and the key heard so far with a prior toward usual keys.

The qualities are chord_type.VOCABULARY_QUALITIES (triads and sevenths); a chord is one index
``root * len(QUALITIES) + quality``, its root either absolute (a pitch class) or relative to a
key's tonic. The chord model (music/chord_model.py) predicts these indices.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from coperformer.music.chord_type import QUALITY, VOCABULARY_QUALITIES
from coperformer.music.harmony import KEY_PROFILES, Key, pitch_class_histogram
from coperformer.music.meter import STEPS_PER_QUARTER
from coperformer.music.roll import REST, Grid

QUALITIES = VOCABULARY_QUALITIES  # maj, min, dim, aug, 7, maj7, m7, m7b5, dim7
VOCABULARY = 12 * len(QUALITIES)
NO_CHORD_INDEX = VOCABULARY  # "no chord (yet)" as an input to the chord model
# how much of a window's weight a quality must explain beyond a plain triad (sevenths need
# their seventh held, not passed through)
QUALITY_COST = {"maj": 0.0, "min": 0.0, "dim": 0.08, "aug": 0.3, "7": 0.3, "maj7": 0.36,
                "m7": 0.32, "m7b5": 0.36, "dim7": 0.4}
ROOT_IN_BASS = 0.25
DEGREE_NAMES = ("I", "bII", "II", "bIII", "III", "IV", "#IV", "V", "bVI", "VI", "bVII", "VII")
DOMINANT = 7  # the V's root above the tonic
MAJOR_PRIOR = 0.04  # added to a major key's correlation: most tunes are major
COMMON_PRIOR = 0.03  # added to the keys tunes are usually written in
COMMON_MAJOR = (0, 7, 2, 5, 9, 10, 3)  # C G D F A Bb Eb
COMMON_MINOR = (9, 4, 2, 7, 0)  # Am Em Dm Gm Cm


def chord_index(root: int, quality: str) -> int:
    """The vocabulary index of a root (pitch class) and a quality name."""
    return (root % 12) * len(QUALITIES) + QUALITIES.index(quality)


def chord_root(index: int) -> int:
    """The root of a vocabulary index."""
    return index // len(QUALITIES)


def chord_quality(index: int) -> str:
    """The quality name of a vocabulary index."""
    return QUALITIES[index % len(QUALITIES)]


def transpose_chord(index: int, semitones: int) -> int:
    """The same chord with its root moved (absolute <-> key-relative: +/- the tonic)."""
    return chord_index(chord_root(index) + semitones, chord_quality(index))


def chord_pitch_classes(index: int) -> tuple[int, ...]:
    """The chord's pitch classes, root first (a seventh's seventh last)."""
    root = chord_root(index)
    return tuple((root + step) % 12 for step in QUALITY[chord_quality(index)].intervals)


def chord_symbol(index: int, names: tuple[str, ...]) -> str:
    """The lead-sheet name, the root spelled by ``names``: C, Am, G7, Bm7b5."""
    return names[chord_root(index)] + QUALITY[chord_quality(index)].suffix


@cache
def _templates() -> tuple[np.ndarray, np.ndarray]:
    """Chord-tone masks [VOCABULARY, 12] and each chord's cost."""
    masks = np.zeros((VOCABULARY, 12))
    costs = np.zeros(VOCABULARY)
    for index in range(VOCABULARY):
        masks[index, list(chord_pitch_classes(index))] = 1.0
        costs[index] = QUALITY_COST[chord_quality(index)]
    return masks, costs


def label_weights(weights: np.ndarray, bass: int | None) -> int | None:
    """The chord that best explains some pitch-class weights [12] over a bass pitch class:
    its tones' weight minus the rest, a plain triad preferred, the root in the bass
    preferred (None for silence)."""
    total = float(np.sum(weights))
    if total <= 0:
        return None
    masks, costs = _templates()
    inside = masks @ weights
    score = 2 * inside - total - costs * total
    if bass is not None:
        score += ROOT_IN_BASS * total * (np.arange(VOCABULARY) // len(QUALITIES) == bass % 12)
    return int(score.argmax())


def label_symbol(root: int, pitch_classes: list[int]) -> int:
    """The vocabulary chord closest to a written symbol's root and pitch classes (C6 reads
    C, C9 reads C7, Csus4 reads C)."""
    weights = np.zeros(12)
    weights[[pc % 12 for pc in pitch_classes]] = 1.0
    weights[root % 12] += 1.0
    masks, costs = _templates()
    roots = np.arange(VOCABULARY) // len(QUALITIES) == root % 12
    score = np.where(roots, 2 * (masks @ weights) - weights.sum() - costs, -np.inf)
    return int(score.argmax())


def step_labels(grid: Grid) -> np.ndarray:
    """The chord of every step [steps] (-1 where all rest) read from all four voices
    (melody and band), one label per quarter-note beat: each voice's pitch class weighs
    its sounding time in the beat, the lowest note at the beat's start is the bass."""
    voices = np.vstack([grid.melody[None, :], grid.band])
    labels = np.full(grid.steps, -1, np.int32)
    for start in range(0, grid.steps, STEPS_PER_QUARTER):
        window = voices[:, start:start + STEPS_PER_QUARTER]
        sounding = window[window != REST]
        if not sounding.size:
            continue
        weights = np.bincount(sounding % 12, minlength=12).astype(np.float64)
        at_start = window[:, 0][window[:, 0] != REST]
        bass = int(at_start.min()) % 12 if at_start.size else int(sounding.min()) % 12
        labels[start:start + STEPS_PER_QUARTER] = label_weights(weights, bass)
    return labels


def bar_chord(labels: np.ndarray) -> int | None:
    """The chord that sounds longest in a bar's step labels (the earliest on a tie)."""
    known = labels[labels >= 0]
    if not known.size:
        return None
    values, first, counts = np.unique(known, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    return int(values[order[0]])


def degree_of(index: int, key: Key) -> int:
    """The chord's root in semitones above the key's tonic (0 = I, 7 = V)."""
    return (chord_root(index) - key.tonic) % 12


def key_scores(histogram: np.ndarray) -> np.ndarray:
    """Each key's correlation with a pitch-class histogram [24] (row 2*tonic = major,
    2*tonic+1 = minor), plus the prior toward major and common keys."""
    centred = np.asarray(histogram, np.float64) - np.mean(histogram)
    norm = np.linalg.norm(centred)
    scores = KEY_PROFILES @ (centred / norm) if norm > 0 else np.zeros(24)
    return scores + _key_prior()


@cache
def _key_prior() -> np.ndarray:
    prior = np.zeros(24)
    prior[0::2] += MAJOR_PRIOR
    prior[[2 * t for t in COMMON_MAJOR]] += COMMON_PRIOR
    prior[[2 * t + 1 for t in COMMON_MINOR]] += COMMON_PRIOR
    return prior


def relative_key(key: int) -> int:
    """The row (as ``key_scores``) of a key's relative major or minor (the same notes)."""
    tonic, minor = divmod(key, 2)
    return 2 * ((tonic + 3) % 12) if minor else 2 * ((tonic + 9) % 12) + 1


def likely_key(histogram: np.ndarray) -> tuple[Key, float]:
    """The likeliest key of a histogram (with the prior) and its margin over the next key
    of another scale (its relative major or minor shares its notes: 0 = a toss-up; C major
    with no notes)."""
    if np.sum(histogram) <= 0:
        return Key(0, False), 0.0
    scores = key_scores(histogram)
    best = int(scores.argmax())
    others = np.delete(scores, [best, relative_key(best)])
    return Key(best // 2, bool(best % 2)), float(scores[best] - others.max())


def in_key(index: int, key: Key) -> bool:
    """True when all of the chord's tones are in the key's scale."""
    return set(chord_pitch_classes(index)) <= key.scale()


FINAL_NOTE_WEIGHT = 0.25  # a whole tune's key: its last note weighs this share more


def tune_key(melody: np.ndarray) -> Key:
    """The key of a whole melody (offline): its histogram, the last note counted again as
    a quarter of the total (tunes end on their tonic), and the prior."""
    histogram = pitch_class_histogram(melody)
    notes = melody[melody != REST]
    if notes.size:
        histogram[int(notes[-1]) % 12] += FINAL_NOTE_WEIGHT * histogram.sum()
    return likely_key(histogram)[0]
