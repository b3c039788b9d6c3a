"""Anticipation: forecast the player's next bar from what was heard, and plan a chord for it.

A causal band cannot hear the bar it plays, so it plans for it as a musician does:

- **phrase memory**: when the last bars repeat an earlier passage, the bar that followed that
  passage is the forecast (folk songs and dance tunes repeat whole phrases);
- otherwise a blend of the previous bar and the key heard so far;
- the chord is the diatonic triad with the best expected fit to that forecast, weighed with
  a little inertia (surer harmonic rhythm) and a variety term (``adventure``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coperformer.music.harmony import (
    MAJOR_PROFILE,
    MINOR_PROFILE,
    Key,
    estimate_key,
    pitch_class_histogram,
)
from coperformer.music.roll import REST

MATCH_SIMILARITY = 0.75  # share of steps with the same pitch for two bars to "match"
MAX_MATCH_BARS = 4
OUTSIDE_PENALTY = 0.6  # a forecast note outside the chord costs this much of a note inside


@dataclass(frozen=True)
class Forecast:
    """The expected pitch classes of the next bar: weights [steps, 12] and a confidence."""

    weights: np.ndarray
    confidence: float  # 0 = a guess from the key, 1 = a long exact repeat


@dataclass(frozen=True)
class PlanWeights:
    """The planner's knobs (chosen on the tuning collections, never on the evaluation ones)."""

    memory_floor: float = 0.55  # confidence of a one-bar match
    previous_bar: float = 0.45  # share of the previous bar in a memoryless forecast
    inertia: float = 0.15  # bonus for keeping the chord of the bar before
    tonic: float = 0.10  # bonus for the tonic when the forecast is unsure
    novelty: float = 0.0  # bonus for a root not heard in the last bars (adventure)


def bar_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Share of steps where two equally long bars sound the same pitch (or both rest)."""
    if a.shape != b.shape or a.size == 0 or (a == REST).all() or (b == REST).all():
        return 0.0
    return float((a == b).mean())


def match_length(bars: list[np.ndarray], earlier: int, now: int) -> int:
    """How many bars before ``earlier`` equal the bars before ``now`` (newest first)."""
    length = 0
    while length < MAX_MATCH_BARS:
        a, b = earlier - 1 - length, now - 1 - length
        if a < 0 or bar_similarity(bars[a], bars[b]) < MATCH_SIMILARITY:
            break
        length += 1
    return length


def recall(bars: list[np.ndarray], now: int, length: int) -> tuple[int, int] | None:
    """The earlier bar whose lead-in best matches the lead-in of bar ``now``: (bar, bars)."""
    best: tuple[int, int] | None = None
    for earlier in range(now - 1, 0, -1):
        if bars[earlier].shape[0] != length:
            continue
        matched = match_length(bars, earlier, now)
        if matched and (best is None or matched > best[1]):
            best = (earlier, matched)
    return best


def step_pitch_classes(melody: np.ndarray) -> np.ndarray:
    """One-hot pitch classes per step [steps, 12] (rests are all zero)."""
    out = np.zeros((melody.shape[0], 12))
    sounding = melody != REST
    out[np.nonzero(sounding)[0], melody[sounding] % 12] = 1.0
    return out


def key_prior(key: Key) -> np.ndarray:
    """The key's Krumhansl-Kessler profile as a distribution over pitch classes."""
    profile = np.roll(MINOR_PROFILE if key.minor else MAJOR_PROFILE, key.tonic)
    profile = profile - profile.min()
    return profile / profile.sum()


def forecast_bar(bars: list[np.ndarray], now: int, length: int, key: Key,
                 weights: PlanWeights) -> Forecast:
    """Forecast bar ``now`` (``length`` steps) from the melody bars before it."""
    generic = np.tile(key_prior(key), (length, 1))
    previous = bars[now - 1] if now >= 1 else None
    if previous is not None and previous.shape[0] == length and (previous != REST).any():
        heard = step_pitch_classes(previous)
        generic = (1 - weights.previous_bar) * generic + weights.previous_bar * _spread(heard)
    found = recall(bars, now, length)
    if found is None:
        return Forecast(generic, 0.0)
    earlier, matched = found
    confidence = 1.0 - (1.0 - weights.memory_floor) ** matched
    remembered = step_pitch_classes(bars[earlier])
    return Forecast(confidence * remembered + (1 - confidence) * generic, confidence)


def _spread(one_hot: np.ndarray) -> np.ndarray:
    """Each step of a heard bar stands for the whole bar's pitch classes (timing is unsure)."""
    total = one_hot.sum(axis=0)
    if total.sum() == 0:
        return one_hot
    return np.tile(total / total.sum(), (one_hot.shape[0], 1))


def step_weights(length: int, beat_steps: int) -> np.ndarray:
    """How much each step counts: beats double, downbeat triple."""
    weights = np.ones(length)
    weights[::beat_steps] = 2.0
    weights[0] = 3.0
    return weights


def chord_scores(forecast: Forecast, triads: list[tuple[int, ...]], beat_steps: int,
                 ) -> np.ndarray:
    """Expected fit of each triad to the forecast bar (inside minus a penalty for outside)."""
    per_pc = forecast.weights.T @ step_weights(forecast.weights.shape[0], beat_steps)
    scores = []
    for triad in triads:
        inside = per_pc[list(triad)].sum()
        scores.append(inside - OUTSIDE_PENALTY * (per_pc.sum() - inside))
    scores = np.asarray(scores)
    return scores / max(1e-9, per_pc.sum())


@dataclass
class ChordPlanner:
    """Plans one triad per bar from the melody heard so far (causal; keeps its own memory)."""

    weights: PlanWeights

    def __post_init__(self) -> None:
        self.played: list[int] = []  # roots of the chords planned so far

    def plan(self, bars: list[np.ndarray], now: int, length: int, beat_steps: int,
             ) -> tuple[int, ...] | None:
        """The triad for bar ``now`` given melody bars ``bars[:now]`` (None: nothing heard)."""
        heard = np.concatenate(bars[:now]) if now else np.zeros(0, np.int16)
        if not (heard != REST).any():
            return None
        key = estimate_key(pitch_class_histogram(heard))
        triads = key.diatonic_triads()
        forecast = forecast_bar(bars, now, length, key, self.weights)
        scores = chord_scores(forecast, triads, beat_steps)
        scores[0] += self.weights.tonic * (1.0 - forecast.confidence)
        recent = self.played[-3:]
        for index, triad in enumerate(triads):
            if recent and triad[0] == recent[-1]:
                scores[index] += self.weights.inertia
            if triad[0] not in recent:
                scores[index] += self.weights.novelty
        chosen = triads[int(scores.argmax())]
        self.played.append(chosen[0])
        return chosen
