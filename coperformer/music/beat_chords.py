"""The live band's chord beat by beat: the chord of the coming beat from what was heard up to
it, as people harmonize (causal: nothing of the beat itself is known).

A small perceptron reads the beats heard last (each one's key-relative pitch classes by
duration, the note on the beat, how many notes start: ``beat_harmonizer.beat_values``), the
coming beat's place in its bar, the key heard so far and how sure it is, the melody's pitch
classes so far and the chords of the last two beats, and gives each key-relative chord's
log-probability. Trained by ``model/next_beat_training.py`` on the training chorales' human
chords, each beat's from the beats before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coperformer.music.beat_harmonizer import (
    BEAT_VALUES,
    POSITIONS,
    beat_values,
    perceptron_log_probs,
)
from coperformer.music.chords import NO_CHORD_INDEX, VOCABULARY, transpose_chord
from coperformer.music.roll import REST

PAST_BEATS = 8  # the beats heard that the model reads (docs/model-notes.md, Attempt 10)
INPUT_CHORDS = VOCABULARY + 1  # the vocabulary and "no chord"
ALL_BEATS = 32  # how far into the tune the model counts (then: far)
CHORDS_AT = PAST_BEATS * (BEAT_VALUES + 1) + POSITIONS + 2 + 12  # where the chords start
NEXT_BEAT_FEATURES = CHORDS_AT + 2 * INPUT_CHORDS + 1


@dataclass(frozen=True)
class Frame:
    """The key a decision is read in: its tonic, its mode and how sure the finder is."""

    tonic: int
    minor: bool
    margin: float


def beat_starts(bar_lengths: list[int], beat_steps: list[int]) -> list[int]:
    """Where each beat starts in a melody of bars of these lengths and beat lengths (steps;
    a bar's last beat may be short)."""
    starts, at = [], 0
    for length, beat in zip(bar_lengths, beat_steps, strict=True):
        starts += [at + step for step in range(0, length, max(1, beat))]
        at += length
    return starts


def next_beat_features(heard: np.ndarray, starts: list[int], position: int, frame: Frame,
                       chords: tuple[int | None, int | None]) -> np.ndarray:
    """The model's input for the beat that starts where ``heard`` ends [NEXT_BEAT_FEATURES].

    ``heard``: the melody steps heard so far; ``starts``: where each beat heard starts in
    it (oldest first); ``position``: the coming beat's place in its bar; ``chords``: the
    absolute chords of the last beat and the one before (None: none).
    """
    bounds = list(starts[-PAST_BEATS:]) + [heard.shape[0]]
    parts = [np.zeros(BEAT_VALUES + 1, np.float32)] * (PAST_BEATS + 1 - len(bounds))
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        before = int(heard[start - 1]) if start else None
        parts.append(np.concatenate([beat_values(heard[start:end], before, frame.tonic),
                                     [1.0]]).astype(np.float32))
    notes = heard[heard != REST].astype(np.int64)
    shares = np.bincount((notes - frame.tonic) % 12, minlength=12).astype(np.float32)
    place = np.zeros(POSITIONS, np.float32)
    place[min(position, POSITIONS - 1)] = 1.0
    sounding = np.zeros(2 * INPUT_CHORDS, np.float32)
    for slot, chord in enumerate(chords):
        relative = NO_CHORD_INDEX if chord is None else transpose_chord(chord, -frame.tonic)
        sounding[slot * INPUT_CHORDS + relative] = 1.0
    return np.concatenate(parts + [
        place, [float(frame.minor), frame.margin], shares / max(1.0, float(shares.sum())),
        sounding, [min(len(starts), ALL_BEATS) / ALL_BEATS]]).astype(np.float32)


@dataclass
class NextBeatModel:
    """The perceptron (features -> key-relative chord logits), stored in a chord model's
    .npz file beside the bar model and the offline harmonizer."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    FIELDS = ("next_w1", "next_b1", "next_w2", "next_b2")

    def check(self) -> None:
        """ValueError when the weights do not fit the features and the vocabulary."""
        if self.w1.shape[0] != NEXT_BEAT_FEATURES or self.w2.shape[1] != VOCABULARY:
            raise ValueError(f"a next-beat model for {self.w1.shape[0]} features and "
                             f"{self.w2.shape[1]} chords, not {NEXT_BEAT_FEATURES} and "
                             f"{VOCABULARY}")

    def arrays(self) -> dict[str, np.ndarray]:
        """The weights by their names in a chord model's .npz file (``FIELDS``)."""
        return dict(zip(self.FIELDS, (self.w1, self.b1, self.w2, self.b2), strict=True))

    def log_probs(self, features: np.ndarray) -> np.ndarray:
        """Each key-relative chord's log-probability [..., VOCABULARY]."""
        return perceptron_log_probs(features, self.w1, self.b1, self.w2, self.b2)
