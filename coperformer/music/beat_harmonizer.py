"""Offline harmony beat by beat, as Bach harmonized a chorale melody: each beat's chord from
the melody around it (the beats before and after), then the likeliest chain of chords.

A small perceptron reads a window of beats around each beat (key-relative pitch classes by
duration, the note on the beat, how many notes start) and gives each key-relative chord's
log-probability; a Viterbi pass adds the learned log-probability of each chord following the
one before (``transitions``, counted on the same training chorales) and keeps the best chain.
Trained by ``model/beat_training.py`` on the training chorales' per-beat human chords.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from coperformer.music.chords import VOCABULARY, transpose_chord
from coperformer.music.harmony import Key
from coperformer.music.roll import REST

T = TypeVar("T")
WINDOW_BEATS = 6  # each beat is read with this many beats on either side
POSITIONS = 4  # the beat's place in its bar: first, second, third, later
END_BEATS = 3  # the last beats of the tune (a cadence): last, second last, earlier
BEAT_VALUES = 12 + 13 + 1  # pitch-class shares, the note on the beat (or rest), new notes
BEAT_FEATURES = (2 * WINDOW_BEATS + 1) * (BEAT_VALUES + 1) + POSITIONS + END_BEATS + 1
TRANSITION_WEIGHT = 0.3  # how much the chord before counts beside the melody (chosen on the
# validation chorales: 0, 0.15, 0.3, 0.6, 1; scripts/offline_choice.py)


@dataclass(frozen=True)
class Beat:
    """One beat of a tune: its bar, its first step in the bar, its place in the bar."""

    bar: int
    step: int
    position: int


def tune_beats(bar_lengths: list[int], beat_steps: list[int]) -> list[Beat]:
    """Every beat of a tune from its bars' lengths and beat lengths (steps); a pickup bar's
    beats keep the places they have at the end of a whole bar."""
    pickup = 0
    if len(bar_lengths) > 1 and bar_lengths[0] < bar_lengths[1]:
        pickup = (bar_lengths[1] - bar_lengths[0]) // max(1, beat_steps[0])
    return [Beat(bar, step, step // beat + (pickup if bar == 0 else 0))
            for bar, (length, beat) in enumerate(zip(bar_lengths, beat_steps, strict=True))
            for step in range(0, length, beat)]


def _one_hot(size: int, index: int) -> np.ndarray:
    out = np.zeros(size, np.float32)
    out[index] = 1.0
    return out


def beat_values(steps: np.ndarray, before: int | None, tonic: int) -> np.ndarray:
    """What one beat's melody steps say [BEAT_VALUES]: each key-relative pitch class's share
    of the beat, the note on the beat (12: a rest), and the share of steps where a note
    starts (a step unlike the one before; ``before``: the step before the beat)."""
    notes = steps[steps != REST].astype(np.int64)
    shares = np.bincount((notes - tonic) % 12, minlength=12) / max(1, steps.size)
    first = 12 if steps[0] == REST else (int(steps[0]) - tonic) % 12
    previous = np.concatenate([[REST if before is None else before], steps[:-1]])
    starts = np.count_nonzero((steps != REST) & (steps != previous)) / max(1, steps.size)
    return np.concatenate([shares, _one_hot(13, first), [starts]]).astype(np.float32)


def beat_features(bars: list[np.ndarray], beats: list[Beat], beat_steps: list[int],
                  key: Key) -> np.ndarray:
    """Each beat's input to the harmonizer [beats, BEAT_FEATURES]: the values of the beats
    around it (zeros and an absent flag past the tune's ends), its place in the bar, how
    near the end it is, and the mode."""
    melody = np.concatenate(bars) if bars else np.zeros(0, np.int16)
    starts = np.concatenate([[0], np.cumsum([len(b) for b in bars])])
    own = []
    for beat in beats:
        at = int(starts[beat.bar]) + beat.step
        stop = min(at + beat_steps[beat.bar], int(starts[beat.bar + 1]))
        own.append(beat_values(melody[at:stop], int(melody[at - 1]) if at else None,
                               key.tonic))
    absent = np.zeros(BEAT_VALUES + 1, np.float32)
    rows = []
    for index, beat in enumerate(beats):
        parts = [np.concatenate([own[other], [1.0]]) if 0 <= other < len(beats) else absent
                 for other in range(index - WINDOW_BEATS, index + WINDOW_BEATS + 1)]
        parts += [_one_hot(POSITIONS, min(beat.position, POSITIONS - 1)),
                  _one_hot(END_BEATS, min(len(beats) - 1 - index, END_BEATS - 1)),
                  np.asarray([float(key.minor)], np.float32)]
        rows.append(np.concatenate(parts))
    return np.stack(rows).astype(np.float32) if rows else np.zeros((0, BEAT_FEATURES), np.float32)


def perceptron_log_probs(features: np.ndarray, w1: np.ndarray, b1: np.ndarray,
                         w2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """A two-layer ReLU perceptron's log-softmax over its outputs [..., outputs] (the chord
    models' forward pass)."""
    hidden = np.maximum(features @ w1 + b1, 0.0)
    logits = hidden @ w2 + b2
    logits = logits - logits.max(axis=-1, keepdims=True)
    return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))


def best_chain(log_probs: np.ndarray, transitions: np.ndarray) -> list[int]:
    """Viterbi: the chain of chords (one per row of ``log_probs`` [beats, V]) with the best
    sum of their log-probabilities and of ``transitions`` [V, V] between neighbours."""
    if not len(log_probs):
        return []
    score = log_probs[0].astype(np.float64)
    back = np.zeros(log_probs.shape, np.int64)
    for row in range(1, len(log_probs)):
        candidates = score[:, None] + transitions
        back[row] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_probs[row]
    chain = [int(score.argmax())]
    for row in range(len(log_probs) - 1, 0, -1):
        chain.append(int(back[row][chain[-1]]))
    return chain[::-1]


@dataclass
class BeatHarmonizer:
    """The perceptron (``w1`` .. ``b2``: features -> key-relative chord logits) and the
    log-probability of each key-relative chord following each one [V, V]."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    transitions: np.ndarray

    FIELDS = ("beat_w1", "beat_b1", "beat_w2", "beat_b2", "beat_transitions")

    def check(self) -> None:
        """ValueError when the weights do not fit the features and the vocabulary."""
        if self.w1.shape[0] != BEAT_FEATURES or self.w2.shape[1] != VOCABULARY \
                or self.transitions.shape != (VOCABULARY, VOCABULARY):
            raise ValueError(f"a beat harmonizer for {self.w1.shape[0]} features and "
                             f"{self.w2.shape[1]} chords, not {BEAT_FEATURES} and {VOCABULARY}")

    def arrays(self) -> dict[str, np.ndarray]:
        """The weights by their names in a chord model's .npz file (``FIELDS``)."""
        return dict(zip(self.FIELDS, (self.w1, self.b1, self.w2, self.b2, self.transitions),
                        strict=True))

    def log_probs(self, features: np.ndarray) -> np.ndarray:
        """Each beat's key-relative chord log-probabilities [beats, VOCABULARY]."""
        return perceptron_log_probs(features, self.w1, self.b1, self.w2, self.b2)

    def harmonize(self, bars: list[np.ndarray], beat_steps: list[int], key: Key,
                  cuts: list[tuple[int, ...]] | None = None) -> list[list[tuple[int, int]]]:
        """The chords of a whole melody: per bar, (first step, absolute chord) at each change
        (a bar's first beat always named; none for a silent bar). ``beat_steps``: each bar's
        beat length (steps); ``cuts``: the steps of each bar where its chord may change
        (None: at every beat); a part's chord is the likeliest over all its beats."""
        beats = [b for b in tune_beats([len(bar) for bar in bars], beat_steps)
                 if (bars[b.bar] != REST).any()]
        log_probs = self.log_probs(beat_features(bars, beats, beat_steps, key))
        parts = _parts(beats, cuts)
        chain = best_chain(np.stack([log_probs[part].sum(axis=0) for part in parts])
                           if parts else log_probs, TRANSITION_WEIGHT * self.transitions)
        out: list[list[tuple[int, int]]] = [[] for _ in bars]
        for part, relative in zip(parts, chain, strict=True):
            chord, first = transpose_chord(relative, key.tonic), beats[part[0]]
            changes = out[first.bar]
            if not changes or changes[-1][1] != chord:
                changes.append((first.step, chord))
        return out


def changes_by_step(bar_starts: np.ndarray, steps: int, changes: list[list[tuple[int, T]]],
                    before: T) -> list[T]:
    """Each step's chord from each bar's (first step, chord) changes: a chord holds until the
    next change (through a bar with none); ``before``: the steps before the first."""
    out, current = [before] * steps, before
    ends = list(bar_starts[1:]) + [steps]
    for start, end, bar_changes in zip(bar_starts, ends, changes, strict=True):
        starts = dict(bar_changes)
        for step in range(int(start), int(end)):
            current = starts.get(step - int(start), current)
            out[step] = current
    return out


def _parts(beats: list[Beat], cuts: list[tuple[int, ...]] | None) -> list[list[int]]:
    """The beats (indices) of each part of the tune that keeps one chord: a beat each, or
    from each of a bar's ``cuts`` to the next."""
    parts: list[list[int]] = []
    for index, beat in enumerate(beats):
        starts = cuts is None or beat.step in cuts[beat.bar] or not parts \
            or beats[parts[-1][0]].bar != beat.bar
        if starts:
            parts.append([index])
        else:
            parts[-1].append(index)
    return parts
