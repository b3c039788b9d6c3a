"""A bar pointer: the probability of where in the bar the player is and at what tempo (pure).

The state is a grid of phases (a bar's beats, cut finely) by beat periods (on a log scale
around the starting period). Between two onsets every state moves on at its own tempo, the
phase blurs and the tempo wanders a little; an onset then weighs every phase by how likely a
note is at that metrical position (downbeats most, then beats, then the eighths and
sixteenths, a swung eighth and the triplets). Every hypothesis is kept, so a run of off-beat
notes cannot drag the beat onto them as a single estimate can.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SIMPLE_POSITIONS = ((0.0, 1.0), (0.5, 0.45), (2 / 3, 0.3), (1 / 3, 0.15), (0.25, 0.15),
                    (0.75, 0.15))  # (fraction of a beat, how likely a note falls there)
COMPOUND_POSITIONS = ((0.0, 1.0), (1 / 3, 0.45), (2 / 3, 0.45), (1 / 6, 0.12), (0.5, 0.12),
                      (5 / 6, 0.12))  # a beat of three eighths


def between_beats(compound: bool) -> list[tuple[float, float]]:
    """The metrical positions between two beats (fractions of a beat), each with its share
    of the notes that fall between beats."""
    positions = [(f, w) for f, w in (COMPOUND_POSITIONS if compound else SIMPLE_POSITIONS)
                 if f > 0]
    total = sum(w for _, w in positions)
    return [(f, w / total) for f, w in positions]


START_SPREAD = 0.03  # a start's phase (beats) and log-period are known about this well


@dataclass(frozen=True)
class GridParams:
    """The bar pointer's constants (tuned on essenFolksong/irl, never on reported melodies)."""

    bins_per_beat: int = 48
    tempo_step: float = 0.012  # log-period between two tempo rows
    slower: float = 1.9  # the slowest period the grid holds, against the starting one
    faster: float = 1.6  # ... and the fastest
    phase_sd: float = 0.01  # the phase's random walk per beat (beats)
    tempo_sd: float = 0.03  # the log-period's random walk per beat
    onset_sd_s: float = 0.02  # how far a played note falls from its metrical position (s)
    off_beat_spread: float = 1.1  # notes between beats fall this many times less precisely
    floor: float = 0.04  # how likely a note falls nowhere on the grid
    downbeat: float = 1.6  # a bar's first beat counts this much more than the others
    accent: float = 1.2  # ... and this much more again for a loud note or a chord (power)
    mixing: float = 3e-3  # per beat: the chance the player jumped anywhere (to re-lock;
    # scripts/jump_mixing_choice.py)
    window: float = 0.15  # beats either side of the likeliest phase read as the estimate
    step_beats: float = 1.0  # a longer gap moves on in steps this long, so that the tempo's
    # wander during it spreads the phase too


class BarPointer:
    """The posterior over (tempo row, phase bin); times in seconds, phases in beats."""

    def __init__(self, beats_per_bar: int, compound: bool, period_s: float, phase: float,
                 params: GridParams, phase_spread: float = START_SPREAD,
                 tempo_spread: float = START_SPREAD, drift: float = 0.0):
        self.params = params
        self.drift = drift  # the log-period's steady change per beat (> 0: slowing down)
        self.beats_per_bar = beats_per_bar
        self.bins = beats_per_bar * params.bins_per_beat
        low, high = math.log(1 / params.faster), math.log(params.slower)
        self.log_periods = math.log(period_s) + np.arange(low, high + 1e-9, params.tempo_step)
        self.periods = np.exp(self.log_periods)
        self._freq = np.fft.rfftfreq(self.bins) * self.bins  # cycles per bar, per bin
        self._grid = np.arange(self.bins) / params.bins_per_beat  # each bin's phase (beats)
        self._positions = COMPOUND_POSITIONS if compound else SIMPLE_POSITIONS
        self.prob = np.zeros((len(self.periods), self.bins))
        self.reset(phase, period_s, phase_spread, tempo_spread)

    def reset(self, phase: float | Sequence[tuple[float, float]], period_s: float,
              phase_spread: float, tempo_spread: float | None = None) -> None:
        """Start again at ``phase`` (beats into the bar; or several, each with its weight)
        and around ``period_s``; the tempo keeps its spread when ``tempo_spread`` is None."""
        if tempo_spread is None:
            tempo = self.prob.sum(axis=1)
        else:
            tempo = np.exp(-0.5 * ((self.log_periods - math.log(period_s)) / tempo_spread) ** 2)
        phases = np.zeros(self.bins)
        for at, weight in ((phase, 1.0),) if isinstance(phase, int | float) else phase:
            ring = self._circular(self._grid - at)
            bump = np.exp(-0.5 * (ring / phase_spread) ** 2)
            phases += weight * bump / bump.sum()
        self.prob = np.outer(tempo / tempo.sum(), phases / phases.sum())

    def doubt_beats(self, share: float) -> None:
        """Give ``share`` of the belief to the same phases a whole beat or more away (the
        bar's other beats, evenly): after a long held note the beats may have been lost."""
        if self.beats_per_bar < 2 or share <= 0:
            return
        step = self.bins // self.beats_per_bar
        moved = sum(np.roll(self.prob, k * step, axis=1) for k in range(1, self.beats_per_bar))
        self.prob = (1 - share) * self.prob + share * moved / (self.beats_per_bar - 1)

    def _circular(self, beats: np.ndarray) -> np.ndarray:
        """Offsets in beats folded into half a bar either side."""
        bar = self.beats_per_bar
        return (beats + bar / 2) % bar - bar / 2

    def advance(self, seconds: float, period_s: float) -> None:
        """Let ``seconds`` pass: each row moves on at its tempo; phase and tempo wander by
        the beats passed (``period_s``: the current period, to count them), a step of at
        most ``step_beats`` at a time."""
        if seconds <= 0:
            return
        steps = max(1, math.ceil(seconds / period_s / self.params.step_beats - 1e-9))
        for _ in range(steps):
            self._move(seconds / steps, period_s)

    def _move(self, seconds: float, period_s: float) -> None:
        """One step of ``advance``."""
        p = self.params
        beats = seconds / period_s
        shift = seconds / self.periods * p.bins_per_beat  # bins each row moves
        blur = p.phase_sd * math.sqrt(beats) * p.bins_per_beat
        spectrum = np.fft.rfft(self.prob, axis=1)
        turn = np.exp(-2j * math.pi * np.outer(shift, self._freq) / self.bins)
        smooth = np.exp(-2 * (math.pi * blur * self._freq / self.bins) ** 2)
        moved = np.fft.irfft(spectrum * turn * smooth, n=self.bins, axis=1)
        spread = p.tempo_sd * math.sqrt(beats) / p.tempo_step  # rows
        slide = self.drift * beats / p.tempo_step  # rows
        rows = np.arange(len(self.periods))
        kernel = np.exp(-0.5 * ((rows[:, None] - rows[None, :] - slide) / max(spread, 0.3)) ** 2)
        kernel /= kernel.sum(axis=0, keepdims=True)
        prob = np.clip(kernel @ moved, 0.0, None)
        mix = min(0.5, p.mixing * beats)
        self.prob = (1 - mix) * prob / prob.sum() + mix / prob.size

    def observe(self, period_s: float, accent: float) -> float:
        """An onset now: weigh every phase by how likely a note is there (``accent``: the
        note's loudness against the player's usual, a chord counting louder); how much
        likelier the belief found the onset than a listener with no pulse would."""
        like = self._likelihood(period_s, accent, self._positions)
        prob = self.prob * like[None, :]
        evidence = float(prob.sum())
        self.prob = prob / evidence
        return evidence / float(like.mean())

    def louder(self, period_s: float, accent: float, now: float) -> float:
        """The latest onset (observed at ``accent``) was louder (``now``: a chord's second
        note came): every phase weighed again as if it had been observed so; how much likelier
        the belief found the louder onset."""
        ratio = self._likelihood(period_s, now, self._positions) / self._likelihood(
            period_s, accent, self._positions)
        prob = self.prob * ratio[None, :]
        evidence = float(prob.sum())
        self.prob = prob / evidence
        return evidence

    def _likelihood(self, period_s: float, accent: float, positions: tuple) -> np.ndarray:
        """How likely a note is at each phase, from the metrical ``positions``."""
        p = self.params
        sd = p.onset_sd_s / period_s  # beats
        like = np.full(self.bins, p.floor)
        for beat in range(self.beats_per_bar):
            gain = p.downbeat * accent ** p.accent if beat == 0 else 1.0
            for fraction, weight in positions:
                on_beat = fraction == 0.0
                spread = sd if on_beat else sd * p.off_beat_spread  # (a swing varies)
                ring = self._circular(self._grid - beat - fraction)
                like += weight * (gain if on_beat else 1.0) * np.exp(-0.5 * (ring / spread) ** 2)
        return like

    def summary(self, prob: np.ndarray | None = None) -> tuple[float, float, float]:
        """The phase (beats into the bar), the period (s) and how much of the belief lies
        within the window around the likeliest phase (0..1); of ``prob`` (a belief on this
        grid) when given."""
        prob = self.prob if prob is None else prob
        phases = prob.sum(axis=0)
        peak = int(np.argmax(phases))
        reach = max(1, round(self.params.window * self.params.bins_per_beat))
        index = (peak + np.arange(-reach, reach + 1)) % self.bins
        mass = phases[index]
        total = float(mass.sum())
        offset = float((np.arange(-reach, reach + 1) * mass).sum()) / total
        phase = ((peak + offset) / self.params.bins_per_beat) % self.beats_per_bar
        rows = prob[:, index].sum(axis=1)
        log_period = float((rows * self.log_periods).sum() / rows.sum())
        return phase, math.exp(log_period), total
