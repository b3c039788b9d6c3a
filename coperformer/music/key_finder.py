"""The key of the bars heard so far, learned from tunes whose key is known (pure numpy).

A profile correlation alone (``chords.key_scores``) often hears a folk tune in its dominant
key, or a minor tune in its relative major: the fifth and the third are sung more than the
tonic. People also hear *where* notes fall and how a tune begins. Each of the 24 keys is
scored by one linear function (one for major keys, one for minor) of what was heard read in
that key: the pitch classes' durations, the notes on the bars' downbeats, the first note, and
the correlation score itself. Trained by model/key_training.py with cross-entropy on the
tonic a tune ends on (its last note; a chorale's last chord), never on a figure of
`coperformer evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coperformer.music.chords import key_scores, relative_key
from coperformer.music.harmony import Key, pitch_class_histogram
from coperformer.music.roll import REST

KEYS = 24  # row 2*tonic: major, 2*tonic+1: minor (as ``chords.key_scores``)
KEY_FEATURES = 3 * 12 + 1
_FROM_TONIC = (np.arange(12)[:, None] + np.arange(12)[None, :]) % 12  # [tonic, interval]


def key_features(bars: list[np.ndarray]) -> np.ndarray:
    """What was heard, read in each key [KEYS, KEY_FEATURES]: the durations of the pitch
    classes and the downbeats' (shares), the first note (one-hot), all relative to the
    key's tonic, and the key's correlation score."""
    heard = np.concatenate(bars) if bars else np.zeros(0, np.int16)
    histogram = pitch_class_histogram(heard)
    durations = _shares(histogram)
    downbeats = _shares(pitch_class_histogram(
        np.asarray([bar[0] for bar in bars if bar.size], np.int16)))
    first = np.zeros(12)
    notes = heard[heard != REST]
    if notes.size:
        first[int(notes[0]) % 12] = 1.0
    relative = _FROM_TONIC[np.arange(KEYS) // 2]  # [key, interval] -> pitch class
    return np.concatenate([durations[relative], downbeats[relative], first[relative],
                           key_scores(histogram)[:, None]], axis=1)


def _shares(histogram: np.ndarray) -> np.ndarray:
    total = histogram.sum()
    return histogram / total if total > 0 else histogram


@dataclass(frozen=True)
class KeyFinder:
    """The learned weights: one linear score per mode [2, KEY_FEATURES] and its bias [2]."""

    weights: np.ndarray
    bias: np.ndarray

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Each key's score (a log-odds) from its features [..., KEYS, KEY_FEATURES]."""
        mode = np.arange(KEYS) % 2
        return (features * self.weights[mode]).sum(axis=-1) + self.bias[mode]

    def log_probs(self, bars: list[np.ndarray]) -> np.ndarray:
        """The log-probability of each key given the bars heard [KEYS]."""
        scores = self.scores(key_features(bars))
        scores = scores - scores.max()
        return scores - np.log(np.exp(scores).sum())

    def find(self, bars: list[np.ndarray]) -> tuple[Key, float]:
        """The likeliest key and its margin: its probability less that of the likeliest key
        of another scale (its relative major or minor shares its notes)."""
        probs = np.exp(self.log_probs(bars))
        best = int(probs.argmax())
        others = np.delete(probs, [best, relative_key(best)])
        return Key(best // 2, bool(best % 2)), float(probs[best] - others.max())


CORRELATION_SHARPNESS = 20.0  # the correlation finder: its score times this is a log-odds


def correlation_finder() -> KeyFinder:
    """A finder that hears by the profile correlation alone (where training starts)."""
    weights = np.zeros((2, KEY_FEATURES))
    weights[:, -1] = CORRELATION_SHARPNESS
    return KeyFinder(weights, np.zeros(2))
