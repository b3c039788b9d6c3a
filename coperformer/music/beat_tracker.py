"""Online beat tracker: the player's note onsets in, a beat phase and period out (pure).

A two-state Kalman filter (the time of the latest matched beat, the beat period) is updated at
every onset that falls near a predicted beat. Onsets are weighted by their metric salience (how
near a beat they fall, downbeats more) and their velocity, so notes between beats never move the
beat; a chord's notes count once. Through rests the filter coasts on its prediction. A held note
whose next onset is long overdue is a fermata: the beats stop, and the next onset is a beat
again. When on-beat onsets stop while notes keep coming, the tracker is lost and searches the
recent onsets for a period and phase to lock again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from coperformer.music.meter import COMMON_TIME, Meter

NS = 1e9
TREND_BEATS = 8  # predictions carry the period's trend this many beats ahead
COUNTING, LOCKED, FERMATA, LOST = "counting", "locked", "fermata", "lost"


@dataclass(frozen=True)
class TrackerParams:
    """The tracker's constants (tuned on essenFolksong/irl, never on the reported melodies)."""

    chord_s: float = 0.035  # onsets closer than this to the first of a chord are that chord
    gate: float = 0.2  # an onset further than this (in beats) from a beat does not steer it
    start_period_sd: float = 0.03  # how far off a new period may be (fraction)
    max_gate: float = 0.25  # ... however unsure the tracker is
    late_gate: float = 0.4  # a late onset, the first since before its beat, may be that beat
    compound_gate: float = 0.22  # ... in 6/8, where the eighths fall a third of a beat away
    onset_sd_s: float = 0.02  # timing spread of an on-beat onset (the measurement noise)
    phase_q_s: float = 0.004  # the beat time's random walk per beat (s)
    period_q: float = 0.005  # the period's random walk per beat, as a fraction of the period
    trend_q: float = 0.002  # the period's change per beat: its random walk (fraction)
    off_beat_prior: float = 0.1  # how likely a note falls between beats, against on one
    downbeat_weight: float = 1.5  # a bar's first beat counts this much more
    fermata_beats: float = 4.0  # a held note this long past its onset with nothing new...
    fermata_ioi: float = 1.6  # ... and this many times the longest recent gap: a fermata
    overdue_beats: float = 2.8  # an onset off the beat this long after the last: a fermata's end
    lost_scatter: float = 0.12  # the onsets taken this far from their beats: lost
    lost_beats: float = 4.0  # this many beats of onsets, none on a beat: lost
    relock_onsets: int = 4  # onsets that a new period and phase must explain to re-lock
    relock_tolerance: float = 0.12  # beats: how near a beat a re-lock candidate must put them
    min_bpm: float = 30.0
    max_bpm: float = 260.0


@dataclass(frozen=True)
class BeatEstimate:
    """Where the beat is: beat ``beat`` falls at ``beat_ns``, one every ``period_ns``."""

    beat: int
    beat_ns: int
    period_ns: float
    confidence: float  # 0..1
    state: str  # COUNTING, LOCKED, FERMATA or LOST
    trend_ns: float = 0.0  # the period's change per beat

    def beat_time_ns(self, beat: int) -> int:
        """The predicted time of a beat (by its index), the period changing by its trend."""
        d = beat - self.beat
        if d <= 0:
            return self.beat_ns + round(d * self.period_ns)
        trend = min(abs(self.trend_ns), self.period_ns / 16) * (1 if self.trend_ns > 0 else -1)
        k = min(d, TREND_BEATS)  # the trend goes on this far at most: times only grow
        ahead = k * self.period_ns + k * (k - 1) / 2 * trend
        return self.beat_ns + round(ahead + (d - k) * (self.period_ns + k * trend))

    def next_beat(self, now_ns: int) -> int:
        """The index of the first beat at or after ``now_ns``."""
        beat = self.beat + math.ceil((now_ns - self.beat_ns) / self.period_ns - 1e-9)
        while self.beat_time_ns(beat - 1) >= now_ns and beat - 1 > self.beat:
            beat -= 1
        while self.beat_time_ns(beat) < now_ns:
            beat += 1
        return beat

    @property
    def bpm(self) -> float:
        """The tempo in beats per minute."""
        return 60 * NS / self.period_ns


class _Filter:
    """Kalman state in seconds: the time of beat ``index``, the period, and the period's
    change per beat (a ritardando or a drift), with their covariance."""

    def __init__(self, index: int, time_s: float, period_s: float, params: TrackerParams):
        self.index = index
        self.x = np.array([time_s, period_s, 0.0])
        self.cov = np.zeros((3, 3))
        self.reset(time_s, period_s, params)

    def reset(self, time_s: float, period_s: float, params: TrackerParams) -> None:
        """Start again from a beat at ``time_s`` with a period (no trend)."""
        self.x = np.array([time_s, period_s, 0.0])
        self.cov = np.diag([params.onset_sd_s ** 2, (params.start_period_sd * period_s) ** 2,
                            (params.trend_q * period_s) ** 2])

    @property
    def time_s(self) -> float:
        """The time of beat ``index`` (s)."""
        return float(self.x[0])

    @property
    def period_s(self) -> float:
        """The period at beat ``index`` (s)."""
        return float(self.x[1])

    @property
    def trend_s(self) -> float:
        """The period's change per beat (s)."""
        return float(self.x[2])

    def clamp(self, low: float, high: float) -> None:
        """Keep the period between two bounds (s)."""
        self.x[1] = min(high, max(low, self.x[1]))

    @staticmethod
    def _step(d: float) -> np.ndarray:
        return np.array([[1.0, d, d * (d - 1) / 2], [0.0, 1.0, d], [0.0, 0.0, 1.0]])

    def predicted_spread(self, beats: int) -> float:
        """The beat time's standard deviation ``beats`` beats on (s), without process noise."""
        step = self._step(float(beats))
        return math.sqrt(max(0.0, float((step @ self.cov @ step.T)[0, 0])))

    def predict(self, beats: int, params: TrackerParams) -> None:
        """Move the state ``beats`` beats on, growing its uncertainty."""
        step = self._step(float(beats))
        period = self.period_s
        noise = np.diag([params.phase_q_s ** 2, (params.period_q * period) ** 2,
                         (params.trend_q * period) ** 2]) * abs(beats)
        self.x = step @ self.x
        self.cov = step @ self.cov @ step.T + noise
        self.index += beats

    def correct(self, onset_s: float, noise_var: float) -> None:
        """Take an onset as the time of the current beat."""
        gain = self.cov[:, 0] / (self.cov[0, 0] + noise_var)
        self.x = self.x + gain * (onset_s - self.x[0])
        self.cov = self.cov - np.outer(gain, self.cov[0, :])


class BeatTracker:
    """Tracks the beat of a live performance. One thread feeds it (the session's worker)."""

    def __init__(self, bpm: float, start_ns: int, meter: Meter | None = None,
                 params: TrackerParams | None = None):
        self.params = params or TrackerParams()
        meter = meter or COMMON_TIME
        self.beats_per_bar = meter.beats_per_bar
        compound = meter.beat_steps % 3 == 0  # a beat of three eighths
        self._max_gate = min(self.params.max_gate, self.params.compound_gate if compound
                             else self.params.max_gate)
        period = 60.0 / bpm
        self._filter = _Filter(0, start_ns / NS, period, self.params)
        self._state = LOCKED
        self._last_onset_s: float | None = None
        self._last_on_beat_s = start_ns / NS
        self._iois: list[float] = []
        self._recent: list[tuple[float, float]] = []  # (time s, weight) of chord heads
        self._held: set[int] = set()
        self._held_before = False  # a key was down when the latest onset came
        self._released_s = 0.0  # when a key last went up
        self._velocity = 80.0
        self._hits = 1.0
        self._misses = 0  # onsets off the beat since the last on it
        self._scatter = 0.0  # how far from the beat the onsets taken fall (beats, smoothed)

    @classmethod
    def from_count_in(cls, onsets_ns: list[int], meter: Meter | None = None,
                      params: TrackerParams | None = None) -> BeatTracker:
        """A tracker locked on a played count-in (one onset a beat, two at least): the
        period and the last beat fitted through all of them."""
        if len(onsets_ns) < 2:
            raise ValueError("a played count-in needs two onsets at least")
        if any(b <= a for a, b in zip(onsets_ns, onsets_ns[1:], strict=False)):
            raise ValueError("the count-in's onsets are not in time order")
        beats = np.arange(len(onsets_ns), dtype=float)
        period_s, first_s = np.polyfit(beats, np.asarray(onsets_ns, float) / NS, 1)
        last_ns = round((first_s + period_s * beats[-1]) * NS)
        tracker = cls(60.0 / period_s, last_ns, meter, params)
        tracker._filter.index = -1  # the count-in's last beat; bar 0's downbeat is beat 0
        tracker._last_onset_s = onsets_ns[-1] / NS
        return tracker

    def release(self, time_ns: int, pitch: int) -> None:
        """A key went up (ends a held note)."""
        self._held.discard(pitch)
        self._released_s = time_ns / NS

    def onset(self, time_ns: int, pitch: int, velocity: int) -> BeatEstimate:
        """Take one note onset (times in order) and return the updated estimate."""
        t = time_ns / NS
        last = self._last_onset_s
        if last is not None and t - last < self.params.chord_s:
            self._held.add(pitch)
            return self.estimate(time_ns)  # a chord's later notes: counted once
        self._check_fermata(t)
        self._held_before = bool(self._held)
        self._held.add(pitch)
        self._last_onset_s = t
        self._velocity += 0.1 * (velocity - self._velocity)
        if last is not None:
            self._iois = (self._iois + [t - last])[-8:]
        weight = min(1.5, max(0.5, velocity / max(1.0, self._velocity)))
        self._recent = (self._recent + [(t, weight)])[-2 * self.params.relock_onsets:]
        if self._state == FERMATA:
            self._resume(t)
        elif self._state == LOST:
            self._relock()
        else:
            self._follow(t, weight, last)
        return self.estimate(time_ns)

    def _overdue(self, t: float, last: float | None) -> bool:
        """Was the previous onset's note held on, and its successor late and off the beat?"""
        period = self._filter.period_s
        if last is None or t - last <= self.params.overdue_beats * period:
            return False
        held_until = t if self._held_before else self._released_s
        return held_until - last > (self.params.overdue_beats - 0.6) * period

    def _follow(self, t: float, weight: float, last: float | None) -> None:
        f = self._filter
        d = (t - f.time_s) / f.period_s
        beats = round(d)
        offset = d - beats
        gate = self._gate(beats)
        if gate < offset <= self.params.late_gate and last is not None and \
                last < f.time_s + (beats - gate) * f.period_s:
            gate = offset + 1e-9  # nothing since before the beat: the beat itself, late
        if abs(offset) > gate and self._overdue(t, last):
            self._enter_fermata(last)  # a held note's next onset came off the beat: a fermata
            self._resume(t)
            return
        if abs(offset) > gate:
            self._hits *= 0.85
            self._misses += 1
            if self._misses >= 3 and t - self._last_on_beat_s > self.params.lost_beats * f.period_s:
                self._state = LOST
                self._relock()
            return
        salience = self._on_beat(offset, beats)
        if (f.index + beats) % self.beats_per_bar == 0:
            salience *= self.params.downbeat_weight
        f.predict(beats, self.params)
        noise = self.params.onset_sd_s ** 2 / max(1e-3, salience * weight)
        f.correct(t, noise)
        self._clamp()
        self._last_on_beat_s = t
        self._misses = 0
        self._hits = 0.8 * self._hits + 0.2
        self._scatter += 0.25 * (abs(offset) - self._scatter)
        if self._scatter > self.params.lost_scatter:  # the beats it takes fit badly
            self._state = LOST
            self._relock()

    def _on_beat(self, offset: float, beats: int) -> float:
        """How likely an onset this far from the predicted beat is that beat rather than a
        note between beats (0..1)."""
        f = self._filter
        spread = math.hypot(f.predicted_spread(beats), self.params.onset_sd_s) / f.period_s
        near = math.exp(-0.5 * (offset / spread) ** 2)
        return near / (near + self.params.off_beat_prior)

    def _gate(self, beats: int) -> float:
        """How far from the beat (in beats) an onset may steer it: wider when unsure."""
        f = self._filter
        spread = f.predicted_spread(beats)
        return min(self._max_gate, max(self.params.gate, 2.0 * spread / f.period_s))

    def _clamp(self) -> None:
        self._filter.clamp(60.0 / self.params.max_bpm, 60.0 / self.params.min_bpm)

    def _check_fermata(self, t: float) -> None:
        """Before taking an onset at ``t``: was the held note before it a fermata?"""
        if self._state == LOCKED and self._fermata_due(t):
            self._enter_fermata()

    def _fermata_due(self, t: float) -> bool:
        last = self._last_onset_s
        if last is None or not self._held:
            return False
        period = self._filter.period_s
        longest = max(self._iois, default=period)
        limit = max(self.params.fermata_beats * period, self.params.fermata_ioi * longest)
        return t - last > limit

    def _enter_fermata(self, held_from: float | None = None) -> None:
        f = self._filter
        held_from = self._last_onset_s if held_from is None else held_from
        passed = math.floor((held_from - f.time_s) / f.period_s + 1e-9)
        f.predict(passed, self.params)  # the beat of the held note; the beats stop there
        self._state = FERMATA

    def _resume(self, t: float) -> None:
        """The first onset after a fermata is the next beat."""
        f = self._filter
        f.index += 1
        f.reset(t, f.period_s, self.params)
        self._last_on_beat_s = t
        self._state = LOCKED
        self._hits = 0.6

    def _relock(self) -> None:
        """Search the recent onsets for a period and phase that put them on beats."""
        need = self.params.relock_onsets
        if len(self._recent) < need:
            return
        times = [time for time, _ in self._recent[-need:]]
        best = None
        anchor = times[-1]
        for step in range(-60, 61):
            period = self._filter.period_s * (1.0 + step / 100.0)
            on = sum(1 for time in times
                     if abs((anchor - time) / period - round((anchor - time) / period))
                     < self.params.relock_tolerance)
            spread = sum(abs((anchor - time) / period - round((anchor - time) / period))
                         for time in times)
            key = (on, -spread)
            if best is None or key > best[0]:
                best = (key, period)
        if best is None or best[0][0] < need:
            return
        f = self._filter
        f.index = f.index + max(1, round((anchor - f.time_s) / best[1]))
        f.reset(anchor, best[1], self.params)
        self._clamp()
        self._last_on_beat_s = anchor
        self._misses = 0
        self._scatter = 0.0
        self._state = LOCKED
        self._hits = 0.5

    def estimate(self, now_ns: int) -> BeatEstimate:
        """The estimate at ``now_ns``: a held note overdue here makes it a fermata."""
        if self._state == LOCKED and self._fermata_due(now_ns / NS):
            self._enter_fermata()
        f = self._filter
        spread = math.sqrt(max(0.0, float(f.cov[0, 0])))
        confidence = 0.0 if self._state == LOST else self._hits * math.exp(-spread / 0.05)
        return BeatEstimate(f.index, round(f.time_s * NS), f.period_s * NS,
                            round(min(1.0, confidence), 3), self._state, f.trend_s * NS)
