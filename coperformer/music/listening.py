"""The listening band's harmony plan: which chord (and bass) to play in a bar not heard yet.

A causal band decides bar k from bars < k. This module turns what was heard into features
(key-relative pitch-class profiles, the last note, the phrase memory's forecast, the position
in the phrase), scores every candidate chord with a small learned reward model (the expected
harmonic agreement of that chord with the bar to come), adds a variety term, and picks one.
Numpy only: the weights are trained by ``coperformer.model.planner`` and shipped in models/.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coperformer.common.errors import CoperformerError
from coperformer.music.baselines import best_triad
from coperformer.music.harmony import Key, estimate_key, pitch_class_histogram, triad_name
from coperformer.music.phrase_memory import recall, step_pitch_classes
from coperformer.music.roll import REST

INVERSIONS = 3  # bass on the root, the third or the fifth
CANDIDATES = 7 * INVERSIONS  # diatonic degree x inversion
FEATURES = 12 * 6 + 1 + 7 * 2 + 4 + 2
MEMORY_BARS = 64  # the phrase memory looks this far back (keeps the per-bar work constant)
NOVELTY_POINTS = 8.0  # at adventure 1, a chord not heard in the last bars gains this much
RECENT_BARS = 2
SILENT_BARS_TO_STOP = 2  # the player stopped this many bars ago: the band stops too
DEFAULT_ADVENTURE = 0.5  # chosen on the tuning collections (docs/evaluation.md)


FLOATING_VOICES = (0, 1)  # the upper voices (0 = top) may float above the player


class AdventureError(CoperformerError, ValueError):
    """An adventure setting outside 0..1, or a voice that cannot float above the player."""


def check_floating(voices: frozenset[int]) -> frozenset[int]:
    """The voices themselves when each is an upper voice (0 = top, 1)."""
    wrong = sorted(set(voices) - set(FLOATING_VOICES))
    if wrong:
        raise AdventureError(f"only the upper voices 1 and 2 can float above the player, "
                             f"not {', '.join(str(v + 1) for v in wrong)}")
    return frozenset(voices)


def check_adventure(value: float) -> float:
    """The value itself when it is a valid adventure setting (0 = safe .. 1 = adventurous)."""
    if not 0.0 <= value <= 1.0:
        raise AdventureError(f"adventure must be between 0 and 1, not {value:g}")
    return float(value)


@dataclass(frozen=True)
class Chord:
    """A planned chord: its pitch classes (root, third, fifth), the bass pitch class, and the
    player's register: the upper voices keep under ``ceiling`` (None: no limit), except the
    ``floating`` ones (0 = the top voice), which keep above ``top``."""

    pitch_classes: tuple[int, ...]
    bass: int
    ceiling: int | None = None
    label: str | None = None  # a declared chord's own name (7ths, sus ...)
    top: int | None = None  # the player's highest note lately
    floating: frozenset[int] = frozenset()

    @property
    def root(self) -> int:
        """The chord's root pitch class."""
        return self.pitch_classes[0]

    @property
    def name(self) -> str:
        """The lead-sheet name: C, Am, G/B."""
        return self.label or triad_name(self.pitch_classes, self.bass)

    @property
    def rests(self) -> bool:
        """True for "no chord" (a chart's N.C.): the band is silent."""
        return not self.pitch_classes


NO_CHORD = Chord((), -1, label="N.C.")  # a chart's N.C.: the band rests


def candidate_chords(key: Key) -> list[Chord]:
    """The 21 candidates: each diatonic triad with its root, third or fifth in the bass."""
    return [Chord(triad, triad[inversion]) for triad in key.diatonic_triads()
            for inversion in range(INVERSIONS)]


def _relative(histogram: np.ndarray, tonic: int) -> np.ndarray:
    rolled = np.roll(histogram, -tonic)
    total = rolled.sum()
    return rolled / total if total > 0 else rolled


def _degree(melody: np.ndarray, key: Key) -> np.ndarray:
    out = np.zeros(7)
    onsets = np.zeros(melody.shape, bool)
    triad = best_triad(melody, onsets, key)
    if triad is not None:
        out[key.diatonic_triads().index(triad)] = 1.0
    return out


def plan_features(recent: list[np.ndarray], now: int, key: Key) -> np.ndarray:
    """Key-relative features of the planner's input.

    ``recent`` holds the player's last bars as steps (at most MEMORY_BARS, the newest last:
    bar ``now`` - 1).
    """
    empty = np.zeros(0, np.int16)
    previous = recent[-1] if recent else empty
    before = recent[-2] if len(recent) >= 2 else empty
    heard = np.concatenate(recent) if recent else empty
    last = np.zeros(12)
    notes = previous[previous != REST]
    if notes.size:
        last[(int(notes[-1]) - key.tonic) % 12] = 1.0
    memory, match = np.zeros(12), 0.0
    length = previous.shape[0]
    found = recall(recent, len(recent), length)
    if found is not None:
        remembered = step_pitch_classes(recent[found[0]]).sum(axis=0)
        memory, match = _relative(remembered, key.tonic), found[1] / 4.0
    first = np.zeros(12)
    if notes.size:
        first[(int(notes[0]) - key.tonic) % 12] = 1.0
    position = np.zeros(4)
    position[now % 4] = 1.0
    parts = [
        _relative(pitch_class_histogram(previous), key.tonic),
        _relative(pitch_class_histogram(before), key.tonic),
        _relative(pitch_class_histogram(heard), key.tonic),
        last, first, memory, [match], _degree(previous, key), _degree(before, key), position,
        [float(key.minor), length / 16.0],
    ]
    return np.concatenate([np.asarray(p, np.float64).ravel() for p in parts]).astype(np.float32)


@dataclass
class RewardModel:
    """A two-layer perceptron: features -> expected harmonic agreement (points) per candidate."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    @classmethod
    def load(cls, path: str | Path) -> RewardModel:
        """Read weights saved by ``save`` (an .npz file)."""
        with np.load(path) as data:
            return cls(*(data[name].astype(np.float32) for name in ("w1", "b1", "w2", "b2")))

    def save(self, path: str | Path) -> None:
        """Write the weights as an .npz file."""
        np.savez(path, w1=self.w1, b1=self.b1, w2=self.w2, b2=self.b2)

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Predicted harmonic agreement of each candidate (CANDIDATES,)."""
        hidden = np.maximum(features @ self.w1 + self.b1, 0.0)
        return hidden @ self.w2 + self.b2


@dataclass
class HarmonyPlanner:
    """Plans the chord of each coming bar; ``adventure`` 0..1 trades safety for variety."""

    reward: RewardModel
    adventure: float = DEFAULT_ADVENTURE
    roots: deque[int] = field(default_factory=lambda: deque(maxlen=RECENT_BARS))  # newest last

    def plan(self, recent: list[np.ndarray], now: int, commit: bool = True) -> Chord | None:
        """The chord for bar ``now`` from the player's last bars (None: nothing heard yet).

        ``recent``: up to MEMORY_BARS bars of melody steps, the newest (bar ``now`` - 1) last.
        ``commit`` False: a preview, the planner remembers nothing of it.
        """
        recent = recent[-MEMORY_BARS:]
        heard = np.concatenate(recent) if recent else np.zeros(0, np.int16)
        if not (heard != REST).any() or player_stopped(recent):
            return None
        key = estimate_key(pitch_class_histogram(heard))
        chords = candidate_chords(key)
        scores = self.reward.scores(plan_features(recent, now, key))
        latest = set(self.roots)
        novelty = np.array([chord.root not in latest for chord in chords], np.float32)
        chosen = chords[int((scores + self.adventure * NOVELTY_POINTS * novelty).argmax())]
        if commit:
            self.roots.append(chosen.root)
        return Chord(chosen.pitch_classes, chosen.bass, register_ceiling(recent[-1]),
                     top=register_top(recent[-1]))


def player_stopped(recent: list[np.ndarray]) -> bool:
    """True when the last SILENT_BARS_TO_STOP bars were heard and silent."""
    last = recent[-SILENT_BARS_TO_STOP:]
    return len(last) == SILENT_BARS_TO_STOP and all(
        bar.size and (bar == REST).all() for bar in last)


def register_ceiling(bar: np.ndarray) -> int | None:
    """The lowest note the player played in a bar: the band's upper voices stay under it."""
    sounding = bar[bar != REST]
    return int(sounding.min()) if sounding.size else None


def register_top(bar: np.ndarray) -> int | None:
    """The highest note the player played in a bar: a floating voice stays above it."""
    sounding = bar[bar != REST]
    return int(sounding.max()) if sounding.size else None
