"""The tempo modes: a steady bar pointer and a slowing one, weighed by the onsets."""

from __future__ import annotations

import numpy as np

from coperformer.music.beat_grid import GridParams
from coperformer.music.tempo_modes import ModeParams, TempoModes


def _modes() -> TempoModes:
    return TempoModes(4, False, 0.5, 0.0, GridParams(), ModeParams())


def _play(modes: TempoModes, gaps: list[float]) -> list[float]:
    """One onset on every beat after each gap (s); the slowing mode's weight after each."""
    weights = []
    for gap in gaps:
        modes.advance(gap, 0.5)
        modes.observe(0.5, 1.0)
        weights.append(float(modes.weights[1]))
    return weights


def test_a_steady_tempo_stays_in_the_steady_mode():
    weights = _play(_modes(), [0.5] * 24)
    assert max(weights[8:]) < 0.1


def test_a_ritardando_moves_the_belief_to_the_slowing_mode():
    modes = _modes()
    _play(modes, [0.5] * 12)
    gaps = [0.5 * 1.07 ** k for k in range(1, 9)]  # 7 % slower every beat
    weights = _play(modes, gaps)
    assert weights[-1] > 0.5
    _, period, _ = modes.summary()
    assert abs(period - gaps[-1]) < abs(0.5 - gaps[-1]) / 2  # the period went most of the way


def test_without_a_pulse_only_the_steady_mode_is_kept():
    modes = _modes()
    _play(modes, [0.5 * 1.07 ** k for k in range(1, 9)])
    modes.steady()
    assert np.allclose(modes.weights, np.asarray(ModeParams().prior) / sum(ModeParams().prior))
    assert np.array_equal(modes.pointers[1].prob, modes.pointers[0].prob)
