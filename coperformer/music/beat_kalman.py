"""The beat's time, period and the period's change, filtered over the on-beat onsets (pure).

The bar pointer (``beat_grid``) says where in the bar each onset falls, but its reading after
an onset moves with that onset's jitter, and its tempo wanders without momentum, so a tempo
that keeps slowing (a ritardando) is always caught late. Here a Kalman filter over the beat
count takes the onsets the bar pointer counts on a beat: its state is the time of the latest
beat, the period and the period's change a beat; the change wanders (white noise of intensity
``jerk`` a beat), every onset falls off its beat with the player's jitter. A tempo that slows
for beats on end is carried on (the change), a single late note only nudges it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KalmanParams:
    """The filter's constants (chosen on essenFolksong/irl, never on the reported melodies:
    scripts/beat_kalman_choice.py)."""

    jerk: float = 1e-5  # how much the period's change wanders (s^2 a beat^5)
    onset_sd_s: float = 0.02  # how far an on-beat onset falls from its beat (s)
    period_sd: float = 0.05  # a start's period is known this well (a share of it)
    change_sd: float = 0.02  # ... and its change a beat (a share of the period)
    min_beats: int = 4  # onsets on a beat since the start before it is read
    gate_z: float = 4.0  # an onset this many standard deviations off: the count moved, start


@dataclass(frozen=True)
class KalmanReading:
    """Beat ``beat`` falls at ``time_s``, one every ``period_s`` changing by ``change_s``
    a beat."""

    beat: int
    time_s: float
    period_s: float
    change_s: float


def _moves(beats: float, jerk: float) -> tuple[np.ndarray, np.ndarray]:
    """How the state moves over ``beats`` (the change held) and the noise it gathers."""
    move = np.array([[1.0, beats, beats * beats / 2], [0.0, 1.0, beats], [0.0, 0.0, 1.0]])
    b = abs(beats)
    noise = jerk * np.array([[b ** 5 / 20, b ** 4 / 8, b ** 3 / 6],
                             [b ** 4 / 8, b ** 3 / 3, b ** 2 / 2],
                             [b ** 3 / 6, b ** 2 / 2, b]])
    return move, noise


class BeatKalman:
    """The filter's state at its latest beat (None until started)."""

    def __init__(self, params: KalmanParams | None = None) -> None:
        self.params = params or KalmanParams()
        self._beat: int | None = None
        self._state = np.zeros(3)
        self._cov = np.zeros((3, 3))
        self._beats_seen = 0

    def clear(self) -> None:
        """Forget everything (the beat was lost, a fermata, the count moved)."""
        self._beat = None
        self._beats_seen = 0

    def start(self, beat: int, time_s: float, period_s: float, change_s: float = 0.0) -> None:
        """Start again: ``beat`` fell at ``time_s``, the period about ``period_s``."""
        p = self.params
        self._beat, self._beats_seen = beat, 1
        self._state = np.array([time_s, period_s, change_s])
        self._cov = np.diag([p.onset_sd_s ** 2, (p.period_sd * period_s) ** 2,
                             (p.change_sd * period_s) ** 2])

    def _predicted(self, beat: int) -> tuple[np.ndarray, np.ndarray]:
        """The state and its covariance moved on to ``beat``."""
        move, noise = _moves(beat - self._beat, self.params.jerk)
        return move @ self._state, move @ self._cov @ move.T + noise

    def add(self, beat: int, time_s: float, period_s: float) -> None:
        """An onset on ``beat`` at ``time_s`` (``period_s``: the bar pointer's, to start
        with); one onset a beat, the first."""
        if self._beat is None or beat <= self._beat:
            if self._beat is None or beat < self._beat:
                self.start(beat, time_s, period_s)
            return
        state, cov = self._predicted(beat)
        spread = cov[0, 0] + self.params.onset_sd_s ** 2
        if abs(time_s - state[0]) > self.params.gate_z * np.sqrt(spread):
            self.start(beat, time_s, period_s, 0.0)  # the count moved under the filter
            return
        gain = cov[:, 0] / spread
        self._state = state + gain * (time_s - state[0])
        self._cov = cov - np.outer(gain, cov[0, :])
        self._beat = beat
        self._beats_seen += 1

    def reading(self) -> KalmanReading | None:
        """The latest beat's time, the period and its change; None until ``min_beats``."""
        if self._beat is None or self._beats_seen < self.params.min_beats:
            return None
        time_s, period_s, change_s = (float(v) for v in self._state)
        return KalmanReading(self._beat, time_s, period_s, change_s)
