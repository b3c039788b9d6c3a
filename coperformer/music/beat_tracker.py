"""Online beat tracker: the player's note onsets in, a beat phase and period out (pure).

A bar pointer (``beat_grid``) keeps the belief of where in the bar the player is and at what
tempo, over every hypothesis at once; each onset weighs them by how likely a note falls at that
metrical position (downbeats and loud notes most), so notes between beats never drag the beat
and a chord counts once, as a louder onset (chords fall on strong beats more often). Two bar
pointers run at once, a steady one and one slowing down (``tempo_modes``), so a ritardando is
followed. Through rests the belief coasts. A held note whose next onset is long overdue is a
fermata: the beats stop, and the next onset is a beat again. When two onsets in a row find the
belief spread (no phase holds most of it) or the onsets no likelier than without a pulse, the
tracker is lost until it gathers again. While the tempo holds steady, the beat is read off a
line through many beats (``beat_line``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from coperformer.music.beat_grid import START_SPREAD, GridParams, between_beats
from coperformer.music.beat_line import BeatLine, LineParams, LineReading
from coperformer.music.meter import COMMON_TIME, Meter
from coperformer.music.pulse_change import PulseParams, PulseWatch
from coperformer.music.tempo_modes import ModeParams, TempoModes

NS = 1e9
TREND_BEATS = 8  # predictions carry the period's trend this many beats ahead
COUNTING, LOCKED, FERMATA, LOST = "counting", "locked", "fermata", "lost"


@dataclass(frozen=True)
class TrackerParams:
    """The tracker's constants (tuned on essenFolksong/irl, never on the reported melodies;
    the last three by scripts/bar_place_choice.py)."""

    chord_s: float = 0.035  # onsets closer than this to the first of a chord are that chord
    chord_accent: float = 2.0  # a chord's onset counts this much louder than its first note
    # (scripts/chord_accent_choice.py)
    grid: GridParams = field(default_factory=GridParams)
    modes: ModeParams = field(default_factory=ModeParams)  # steady and slowing down
    line: LineParams = field(default_factory=LineParams)  # a steady tempo read off a line
    pulse: PulseParams | None = field(default_factory=PulseParams)  # a sudden new tempo
    # (None: not listened for)
    lost_confidence: float = 0.2  # less of the belief than this near one phase: lost
    lost_surprise: float = 1.15  # ... or the recent onsets no likelier than this to a listener
    surprise_onsets: float = 8.0  # ... with no pulse (a mean over about this many onsets)
    lost_onsets: int = 2  # ... at this many onsets in a row (one off-beat note is no loss)
    surprise_confidence: float = 0.5  # the onsets' surprise makes it lost only below this
    # confidence (once lost, it keeps it lost)
    trend_beats: float = 6.0  # the period's trend is read over this many recent beats
    trend_gain: float = 1.0  # how much of that trend the predictions carry
    off_beat: float = 0.2  # beats: an onset further than this from its beat is off it
    fermata_beats: float = 4.0  # a held note this long past its onset with nothing new...
    fermata_ioi: float = 1.6  # ... and this many times the longest recent gap: a fermata
    overdue_beats: float = 2.8  # an onset off the beat this long after the last: a fermata's end
    doubt_beats: float = 3.0  # an onset this many beats after the last (a long note or a
    doubt_share: float = 0.5  # rest) gives this share of the belief to the bar's other beats
    resume_next: float = 0.5  # how likely the onset after a fermata is on the next beat (the
    # rest shared by the bar's other beats)
    resume_off_beat: float = 0.3  # how likely it falls between beats (a pick-up eighth)
    min_bpm: float = 30.0
    max_bpm: float = 260.0
    tune_tempo_spread: float = 0.15  # the tempo's spread (log-period sd) when the tracker
    # starts on the player's first note with no count-in: the set tempo is a guess


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


class BeatTracker:
    """Tracks the beat of a live performance. One thread feeds it (the session's worker)."""

    def __init__(self, bpm: float, start_ns: int, meter: Meter | None = None,
                 params: TrackerParams | None = None, tempo_spread: float | None = None):
        self.params = params or TrackerParams()
        meter = meter or COMMON_TIME
        self.beats_per_bar = meter.beats_per_bar
        period = 60.0 / bpm
        compound = meter.beat_steps % 3 == 0  # a beat of three eighths
        self._between = between_beats(compound)
        self._grid = TempoModes(self.beats_per_bar, compound, period, 0.0,
                                self.params.grid, self.params.modes)
        if tempo_spread is not None:  # a tempo less sure than the default's
            self._grid.reset(0.0, period, START_SPREAD, tempo_spread)
        self._time_s = start_ns / NS  # when the belief was last read
        self._beat = 0.0  # the beats counted from beat 0 then (a fraction between beats)
        self._period = period
        self._confidence = 1.0
        self._fit = 2.0  # the recent onsets' mean log likelihood against no pulse
        self._trend = 0.0  # the period's change per beat (s)
        self._history: list[tuple[float, float]] = []  # (beat, period s) read at onsets
        self._line = BeatLine(self.params.line)
        self._pulse = PulseWatch(self.params.pulse)
        self._reading: LineReading | None = None  # the line's, since the latest onset
        self._state = LOCKED
        self._astray = 0  # onsets in a row that found the belief astray (see ``_read``)
        self._last_onset_s: float | None = None
        self._iois: list[float] = []
        self._held: set[int] = set()
        self._held_before = False  # a key was down when the latest onset came
        self._released_s = 0.0  # when a key last went up
        self._velocity = 80.0
        self._accent: float | None = None  # the latest onset's, until a chord's note came

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
        tracker = cls(60.0 / period_s, last_ns + round(period_s * NS), meter, params)
        tracker._last_onset_s = onsets_ns[-1] / NS  # bar 0's downbeat is the next beat
        for beat, onset_ns in enumerate(onsets_ns, -len(onsets_ns)):
            tracker._line.add(beat, onset_ns / NS)  # the count-in's beats are on the line
        return tracker

    @classmethod
    def from_first_note(cls, bpm: float, onset_ns: int, meter: Meter | None = None,
                        params: TrackerParams | None = None) -> BeatTracker:
        """A tracker for a tune started with no count-in: its first note (at ``onset_ns``)
        is the first downbeat, and ``bpm`` (the set tempo) only a guess of the player's."""
        params = params or TrackerParams()
        return cls(bpm, onset_ns, meter, params, params.tune_tempo_spread)

    @property
    def beat_count(self) -> float:
        """The beats counted from bar 0's downbeat at the latest onset (a fraction off a
        beat: a note between beats)."""
        return self._beat

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
            self._chord_note()
            return self.estimate(time_ns)  # a chord's later notes: counted once
        self._check_fermata(t)
        self._held_before = bool(self._held)
        self._held.add(pitch)
        self._last_onset_s = t
        accent = velocity / max(1.0, self._velocity)
        self._accent = self._clip_accent(accent)
        self._velocity += 0.1 * (velocity - self._velocity)
        if last is not None:
            self._iois = (self._iois + [t - last])[-8:]
        if self._state == FERMATA:
            self._resume(t, accent)
        elif self._overdue(t, last):
            self._enter_fermata(last)  # a held note's next onset came off the beat: a fermata
            self._resume(t, accent)
        else:
            self._grid.advance(t - self._time_s, self._period)
            if last is not None and t - last > self.params.doubt_beats * self._period:
                self._grid.doubt_beats(self.params.doubt_share)  # a beat lost in a long note?
            fit = self._grid.observe(self._period, self._clip_accent(accent))
            self._fit += (math.log(fit) - self._fit) / self.params.surprise_onsets
            self._read(t)
            self._listen_for_a_new_pulse(t, velocity)
        return self.estimate(time_ns)

    def _listen_for_a_new_pulse(self, t: float, velocity: int) -> None:
        """The onset at ``t`` joins the recent ones; when they make a new pulse (see
        ``pulse_change``), the beat is lost and the bar pointer starts again on it: the onset
        is a beat (or, in a run of eighths, maybe half a beat after one), likeliest the one
        counted (``resume_next``; the bar's others share the rest: the accents to come tell),
        the period the pulse's."""
        if self.params.pulse is None:
            return
        self._pulse.add(t, abs(self._beat - round(self._beat)) > self.params.off_beat, velocity)
        found = self._pulse.new_pulse(self._period)
        if found is None:
            return
        bar, beat = self.beats_per_bar, round(self._beat)
        kept, other = self.params.resume_next, (1 - self.params.resume_next) / max(1, bar - 1)
        places = [((beat + step + half) % bar, (kept if step == 0 else other) * share)
                  for step in range(bar)
                  for half, share in ((0.0, found.on_beat), (0.5, 1 - found.on_beat)) if share]
        self._grid.reset(places, found.period_s, START_SPREAD, START_SPREAD)
        self._beat, self._time_s, self._period = float(beat), t, found.period_s
        self._confidence = self._grid.summary()[2]
        self._state, self._astray, self._fit = LOST, self.params.lost_onsets, 0.0
        self._trend, self._history = 0.0, []
        self._forget_the_line()
        self._pulse.clear()

    @staticmethod
    def _clip_accent(accent: float) -> float:
        """An onset's accent as the bar pointer takes it (half to twice the usual)."""
        return min(2.0, max(0.5, accent))

    def _chord_note(self) -> None:
        """A chord's second note: the onset counts ``chord_accent`` times louder (a chord
        falls on a strong beat more often than a single note), once a chord."""
        accent, self._accent = self._accent, None
        if accent is None or self.params.chord_accent == 1.0:
            return
        self._grid.louder(self._period, accent, self._clip_accent(
            accent * self.params.chord_accent))
        phase, _, self._confidence = self._grid.summary()
        bar, was = self.beats_per_bar, self._beat
        self._beat = was + (phase - was + bar / 2) % bar - bar / 2
        if abs(self._beat - was) > self.params.off_beat:  # the count moved: the line anew
            self._forget_the_line()
            self._history = []

    def _beat_at(self, t: float) -> float:
        """The beats counted at ``t`` (s), at the latest period."""
        return self._beat + (t - self._time_s) / self._period

    def _read(self, t: float) -> None:
        """Read the belief after an onset at ``t``: the beat count follows the bar phase."""
        phase, period, confidence = self._grid.summary()
        low, high = 60.0 / self.params.max_bpm, 60.0 / self.params.min_bpm
        predicted = self._beat_at(t)
        bar = self.beats_per_bar
        self._beat = predicted + (phase - predicted + bar / 2) % bar - bar / 2
        self._time_s, self._period = t, min(high, max(low, period))
        self._confidence = confidence
        astray = confidence < self.params.lost_confidence or (
            self._fit < math.log(self.params.lost_surprise)
            and (self._state == LOST or confidence < self.params.surprise_confidence))
        self._astray = self._astray + 1 if astray else 0
        lost = astray and (self._state == LOST or self._astray >= self.params.lost_onsets)
        self._state = LOST if lost else LOCKED
        if lost:
            self._grid.steady()
        self._read_line(t)
        recent = self._beat - self.params.trend_beats
        self._history = [h for h in self._history if h[0] > recent] + [(self._beat, self._period)]
        self._trend = self._period_trend()

    def _forget_the_line(self) -> None:
        """Forget the line's onsets and its reading (the count moved, a fermata, lost)."""
        self._line.clear()
        self._reading = None

    def _read_line(self, t: float) -> None:
        """The onset at ``t`` joins the line while locked and not astray (lost, the line is
        forgotten), and the line is read at the current beat."""
        self._reading = None
        if self._state != LOCKED:
            self._forget_the_line()
            return
        if not self._astray:  # (a note that found the belief astray stays off the line)
            self._line.add(self._beat, t)
        beat = math.floor(self._beat + 1e-9)
        self._reading = self._line.reading(beat, self._time_s - (self._beat - beat) * self._period,
                                           self._period)

    def _period_trend(self) -> float:
        """The period's change per beat over the recent beats (s; 0 while too few)."""
        beats = np.array([b for b, _ in self._history])
        if len(beats) < 3 or beats[-1] - beats[0] < self.params.trend_beats / 2:
            return 0.0
        slope = np.polyfit(beats, [p for _, p in self._history], 1)[0]
        return float(slope) * self.params.trend_gain

    def _overdue(self, t: float, last: float | None) -> bool:
        """Was the previous onset's note held on, and its successor late and off the beat?"""
        if last is None or t - last <= self.params.overdue_beats * self._period:
            return False
        held_until = t if self._held_before else self._released_s
        if held_until - last <= (self.params.overdue_beats - 0.6) * self._period:
            return False
        beat = self._beat_at(t)
        return abs(beat - round(beat)) > self.params.off_beat

    def _check_fermata(self, t: float) -> None:
        """Before taking an onset at ``t``: was the held note before it a fermata?"""
        if self._state != FERMATA and self._fermata_due(t):
            self._enter_fermata()

    def _fermata_due(self, t: float) -> bool:
        last = self._last_onset_s
        if last is None or not self._held:
            return False
        longest = max(self._iois, default=self._period)
        limit = max(self.params.fermata_beats * self._period, self.params.fermata_ioi * longest)
        return t - last > limit

    def _enter_fermata(self, held_from: float | None = None) -> None:
        """The beats stop at the held note's beat."""
        held_from = self._last_onset_s if held_from is None else held_from
        beat = math.floor(self._beat_at(held_from) + 0.5)
        self._time_s = self._time_s + (beat - self._beat) * self._period
        self._beat = float(beat)
        self._trend = 0.0
        self._state = FERMATA
        self._forget_the_line()

    def _resume(self, t: float, accent: float) -> None:
        """The first onset after a fermata is on one of the beats of the bar after the held
        note's (likeliest the next, but how long the note was written is unknown) or, less
        likely, between them (a pick-up); the bar pointer keeps each, weighs them by this
        onset's loudness (a downbeat's accent), and the onsets after it tell."""
        bar, held, off = self.beats_per_bar, self._beat, self.params.resume_off_beat
        later = (1 - self.params.resume_next) / max(1, bar - 1)
        places = []  # (beats after the held note's, weight)
        for step in range(1, bar + 1):
            weight = self.params.resume_next if step == 1 else later
            places.append((step, weight * (1 - off)))
            places += [(step - 1 + fraction, weight * off * share)
                       for fraction, share in self._between if off > 0]
        self._grid.reset([((held + after) % bar, weight) for after, weight in places],
                         self._period, START_SPREAD)
        self._grid.observe(self._period, self._clip_accent(accent))
        phase = self._grid.summary()[0]
        self._beat = held + min((after for after, _ in places), key=lambda after: abs(
            (held + after - phase + bar / 2) % bar - bar / 2))  # the nearest of the places
        self._time_s = t
        self._history = []
        self._forget_the_line()
        self._pulse.clear()
        self._fit = 2.0
        self._confidence = 1.0
        self._astray = 0
        self._state = LOCKED

    def estimate(self, now_ns: int) -> BeatEstimate:
        """The estimate at ``now_ns``: a held note overdue here makes it a fermata."""
        if self._state in (LOCKED, LOST) and self._fermata_due(now_ns / NS):
            self._enter_fermata()
        beat = math.floor(self._beat + 1e-9)
        reading = self._reading if self._state == LOCKED else None
        if reading is not None:  # a steady tempo: the line through many beats
            return BeatEstimate(reading.beat, round(reading.time_s * NS), reading.period_s * NS,
                                round(self._confidence, 3), self._state, 0.0)
        beat_ns = round((self._time_s - (self._beat - beat) * self._period) * NS)
        return BeatEstimate(beat, beat_ns, self._period * NS, round(self._confidence, 3),
                            self._state, self._trend * NS)
