"""Bar pointers for a steady tempo and for a ritardando, at once (pure).

A single bar pointer lets the tempo wander a little at random each beat, which follows a
gradual drift but lags a ritardando: a steady slowing of several percent a beat. Here one bar
pointer per tempo mode (steady; slowing down) keeps its own belief; each onset weighs the
modes by how well each explained it, and before each step the modes share their beliefs as
the chance of switching between them allows (an interacting multiple-model filter).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coperformer.music.beat_grid import BarPointer, GridParams


@dataclass(frozen=True)
class ModeParams:
    """The tempo modes (chosen on essenFolksong/irl, never on the reported melodies: the
    lowest beat error p95 summed over the drift scenarios, with no more lost events and
    fewer than two more failed re-locks; docs/performance.md "Stop 34")."""

    rates: tuple[float, ...] = (0.0, 0.06)  # log-period change per beat of each mode
    prior: tuple[float, ...] = (0.95, 0.05)  # how likely each is at a (re)start
    switch: float = 0.03  # the chance, at each onset, of leaving the mode one is in (per
    # onset, not per beat: a run of short notes switches more readily than long ones)


class TempoModes:
    """The bar pointers of every tempo mode and how likely each mode is now."""

    def __init__(self, beats_per_bar: int, compound: bool, period_s: float, phase: float,
                 params: GridParams, modes: ModeParams):
        self.modes = modes
        self.pointers = [BarPointer(beats_per_bar, compound, period_s, phase, params,
                                    drift=rate) for rate in modes.rates]
        self.weights = np.asarray(modes.prior, float) / sum(modes.prior)
        count = len(modes.rates)
        stay = np.eye(count)
        self._transition = (1 - modes.switch) * stay + modes.switch / max(1, count - 1) * (1 - stay)

    def reset(self, phase: float | Sequence[tuple[float, float]], period_s: float,
              phase_spread: float, tempo_spread: float | None = None) -> None:
        """Every mode starts again at ``phase`` (see ``BarPointer.reset``), with the prior
        weights."""
        for pointer in self.pointers:
            pointer.reset(phase, period_s, phase_spread, tempo_spread)
        self.weights = np.asarray(self.modes.prior, float) / sum(self.modes.prior)

    def doubt_beats(self, share: float) -> None:
        """``BarPointer.doubt_beats`` in every mode."""
        for pointer in self.pointers:
            pointer.doubt_beats(share)

    def steady(self) -> None:
        """Only the steady mode from here (a player with no pulse is slowing nothing down):
        every mode takes its belief, and the prior weights."""
        for pointer in self.pointers[1:]:
            pointer.prob = self.pointers[0].prob.copy()
        self.weights = np.asarray(self.modes.prior, float) / sum(self.modes.prior)

    def advance(self, seconds: float, period_s: float) -> None:
        """The modes share their beliefs as switching allows, then each moves on."""
        if seconds <= 0:
            return
        predicted = self.weights @ self._transition
        mixing = self._transition * self.weights[:, None] / np.maximum(predicted, 1e-12)
        beliefs = [pointer.prob for pointer in self.pointers]
        for target, pointer in enumerate(self.pointers):
            pointer.prob = sum(mixing[source, target] * belief
                               for source, belief in enumerate(beliefs))
        self.weights = predicted
        for pointer in self.pointers:
            pointer.advance(seconds, period_s)

    def observe(self, period_s: float, accent: float) -> float:
        """An onset now, in every mode (see ``BarPointer.observe``); the modes reweighed by
        how well each explained it. Returns how much likelier the modes together found the
        onset than a listener with no pulse."""
        fits = np.array([pointer.observe(period_s, accent) for pointer in self.pointers])
        joint = self.weights * fits
        total = float(joint.sum())
        self.weights = joint / total
        return total

    def louder(self, period_s: float, accent: float, now: float) -> None:
        """``BarPointer.louder`` in every mode; the modes reweighed by it."""
        fits = np.array([pointer.louder(period_s, accent, now) for pointer in self.pointers])
        joint = self.weights * fits
        self.weights = joint / float(joint.sum())

    def summary(self) -> tuple[float, float, float]:
        """``BarPointer.summary`` of the modes' beliefs together."""
        together = sum(w * pointer.prob for w, pointer in zip(self.weights, self.pointers,
                                                              strict=True))
        return self.pointers[0].summary(together)
