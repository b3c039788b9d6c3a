"""`bench --follow`: the beat tracker against performances of real melodies with a known pulse.

A melody from music21's folk collections (never the evaluation or tuning sets of the chord
model) is played with a count-in, gradual tempo drift, a final ritardando, a fermata, timing
jitter and swung eighths. The band schedules each coming beat at the tracker's prediction, fixed
``COMMIT_MS`` before it sounds; its beats are compared with the performer's true beats. The
baseline is the same band at the count-in's tempo. The engine rows (``follow_engine``) play
the same performances into the real session and time its band's notes decided on beats.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter_ns

import numpy as np

from coperformer.model.collections import Collection, collection_melodies
from coperformer.music.beat_tracker import FERMATA, LOST, BeatTracker, TrackerParams
from coperformer.music.meter import Meter
from coperformer.music.notes import Piece

NS = 1_000_000_000
COMMIT_MS = 50.0  # the band's beat is fixed this long before it sounds (the synth's lead)
END_BEATS = 8  # the tune's last beats (a final ritardando's), reported apart too
RELOCK_BEATS = 4  # the beats after a fermata (the band finding the player again), likewise
ORACLE_BEATS = 4  # the oracle's line goes through the onsets of this many beats
LOCK_MS = 35.0  # a band beat this near the true beat is locked
LOCK_RUN = 4  # ... for this many beats in a row
DRIFT_CYCLE_BEATS = 96  # the tempo drifts up and back down over this many beats at least
REPORTED = Collection("follow: Essen ballads 20 and Erk 5",
                      ("essenFolksong/ballad20", "essenFolksong/erk5"),
                      "German ballads and Erk's songs (in no other set)")
TUNING = Collection("follow tuning: Essen Irish", ("essenFolksong/irl",),
                    "Irish songs of the Essen collection (in no other set)")


@dataclass(frozen=True)
class Scenario:
    """How the player plays: drift (fraction), jitter (ms), ritardando, fermata, swing."""

    name: str
    drift: float = 0.0
    jitter_ms: float = 20.0
    ritardando: bool = True
    fermata: bool = True
    swing: bool = True
    jump: float = 0.0  # the tempo jumps this much faster (a fraction) a third into the tune


SCENARIOS = (
    Scenario("steady", 0.0, 10.0, False, False, False),
    Scenario("drift10", 0.10),
    Scenario("drift20", 0.20),
    Scenario("drift20_jitter30", 0.20, 30.0),
)
JUMP = Scenario("jump25", 0.0, 20.0, False, False, True, 0.25)  # a new section taken faster:
# reported beside the scenarios, in none of the choices that loop over them
JUMP_AT = 1 / 3  # of the tune


@dataclass
class Performance:
    """Onsets (ns, pitch, velocity, release ns) and the performer's true beat times."""

    onsets: list[tuple[int, int, int, int]]
    count_in: list[int]
    beats: list[int]
    meter: Meter
    fermata_span: tuple[int, int] | None  # from the held note's notated end to the next onset
    positions: list[tuple[int, float]]  # each melody onset (ns) and its true place (beats)
    jump_ns: int | None = None  # when the tempo jumped


def perform(piece: Piece, scenario: Scenario, seed: int, bpm: float = 100.0) -> Performance:
    """Play a melody as a person would under a scenario."""
    rng = random.Random(seed)
    meter = piece.bars[0].meter
    per_bar = meter.beats_per_bar
    beat_q = meter.bar_quarters / per_bar
    end_q = piece.bars[-1].end
    fermata_q, extra_s = _fermata(piece, beat_q) if scenario.fermata else (None, 0.0)
    clock = _TempoMap(bpm * beat_q, scenario, end_q, beat_q, fermata_q, extra_s, rng)
    jump_ns = clock.ns(clock.jump_q) if scenario.jump else None
    count_in = [clock.ns(-beat_q * k) for k in range(meter.count_in_beats(), 0, -1)]
    beats = [clock.ns(q * beat_q) for q in range(int(round(end_q / beat_q)) + 1)]
    onsets, positions = [], []
    for note in piece.melody:
        start = _swung(note.start, beat_q) if scenario.swing else note.start
        on = clock.ns(start) + round(rng.gauss(0, scenario.jitter_ms) * 1e6)
        positions.append((on, start / beat_q))
        off = clock.ns(note.end) - 30_000_000
        velocity = 90 if abs(note.start / beat_q % per_bar) < 1e-6 else 70
        velocity = max(1, min(127, velocity + rng.randint(-10, 10)))
        onsets.append((on, note.pitch, velocity, max(off, on + 20_000_000)))
        if abs(note.start / beat_q % per_bar) < 1e-6:  # a chord on the downbeat
            onsets.append((on + rng.randint(2, 15) * 1_000_000, note.pitch - 4, velocity - 10,
                           max(off, on + 20_000_000)))
    count_in = [t + round(rng.gauss(0, scenario.jitter_ms) * 1e6) for t in count_in]
    onsets.sort()
    span = None
    if fermata_q is not None:
        later = [on for on, *_ in onsets if on > clock.ns(fermata_q - 1e-6)]
        span = (clock.ns(fermata_q - 1e-6), min(later, default=clock.ns(end_q)))
    return Performance(onsets, count_in, beats, meter, span, positions, jump_ns)


def _swung(start: float, beat_q: float) -> float:
    """An off-beat eighth played two thirds of the way through the beat."""
    if beat_q == 1.0 and abs(start % 1.0 - 0.5) < 1e-6:
        return start + 1.0 / 6.0
    return start


def _fermata(piece: Piece, beat_q: float) -> tuple[float, float]:
    """Where the fermata's note ends (quarters) and how long it is held beyond (s): a note
    of a beat or more, ending on a beat, nearest the middle of the tune."""
    middle = piece.bars[len(piece.bars) // 2].start
    notes = [n for n in piece.melody if n.duration >= beat_q - 1e-6
             and abs(n.end / beat_q - round(n.end / beat_q)) < 1e-6] or piece.melody
    note = min(notes, key=lambda n: (abs(n.end - middle), -n.duration))
    return note.end, 1.5


class _TempoMap:
    """Quarter notes -> ns under a tempo curve; a fermata inserts time at its note's end."""

    def __init__(self, quarter_bpm: float, scenario: Scenario, end_q: float, beat_q: float,
                 fermata_q: float | None, extra_s: float, rng: random.Random):
        self.base = 60.0 / quarter_bpm
        self.scenario, self.end_q = scenario, end_q
        self.phase = rng.choice((1.0, -1.0))  # speeds up first or slows down first
        self.rit_from = end_q - 2 * 4 * beat_q if scenario.ritardando else end_q + 1
        self.jump_q = round(end_q * JUMP_AT / beat_q) * beat_q  # on a beat
        self.fermata_q, self.extra_s = fermata_q, extra_s
        self.cycle = max(end_q, DRIFT_CYCLE_BEATS * beat_q)  # gradual: a minute or longer
        self.step = 1.0 / 48
        self.origin = 5.0 * NS  # bar 0: a count-in of two bars before it starts after time 0
        self._sums = [0.0]

    def _seconds_per_quarter(self, q: float) -> float:
        drift = self.scenario.drift * self.phase * math.sin(2 * math.pi * max(0.0, q) / self.cycle)
        factor = 1.0 + drift
        if q > self.rit_from:
            factor *= 1.0 - 0.4 * (q - self.rit_from) / (self.end_q - self.rit_from)
        if q >= self.jump_q:
            factor *= 1.0 + self.scenario.jump
        return self.base / factor

    def ns(self, q: float) -> int:
        """The time of a position in quarters (count-in positions are negative)."""
        if q <= 0:
            return round(self.origin + q * self.base * NS)
        steps = int(q / self.step)
        while len(self._sums) <= steps:
            k = len(self._sums) - 1
            self._sums.append(self._sums[-1] + self.step * self._seconds_per_quarter(
                (k + 0.5) * self.step))
        seconds = self._sums[steps] + (q - steps * self.step) * self._seconds_per_quarter(q)
        if self.fermata_q is not None and q >= self.fermata_q - 1e-9:
            seconds += self.extra_s
        return round(self.origin + seconds * NS)


def play_band(perf: Performance, follow: bool,
              params: TrackerParams | None = None) -> tuple[list[int], int]:
    """The band's beat times (from bar 0 on) and how often the tracker got lost; without
    ``follow`` the band keeps the count-in's tempo; ``params``: the tracker's (default its
    own)."""
    tracker = BeatTracker.from_count_in(perf.count_in, perf.meter, params)
    start = tracker.estimate(perf.count_in[-1])
    if not follow:
        return [start.beat_time_ns(b) for b in range(len(perf.beats))], 0
    return band_beats(tracker, perf, perf.count_in[-1])


def key_events(perf: Performance) -> list[tuple[int, int, int, int]]:
    """The performance's keys down and up in time order: (ns, 0 down / 1 up, pitch,
    velocity)."""
    return sorted([(on, 0, p, v) for on, p, v, _ in perf.onsets]
                  + [(off, 1, p, 0) for _, p, _, off in perf.onsets])


def band_beats(tracker: BeatTracker, perf: Performance, start_ns: int) -> tuple[list[int], int]:
    """The beats a band fixing each ``COMMIT_MS`` ahead at ``tracker``'s prediction plays from
    ``start_ns`` on, the performance's notes fed to it, and how often it got lost."""
    events = key_events(perf)
    commit = round(COMMIT_MS * 1e6)
    band, last, lost, was_lost = [], start_ns, 0, False
    end = perf.beats[-1] + 2 * NS
    index = 0
    now = start_ns
    while now < end:
        estimate = tracker.estimate(now)
        if estimate.state == LOST and not was_lost:
            lost += 1
        was_lost = estimate.state == LOST
        due = None
        if estimate.state not in (LOST, FERMATA):
            beat = estimate.next_beat(max(now + commit, last + round(estimate.period_ns / 2)))
            due = estimate.beat_time_ns(beat) - commit
            if due <= now:
                last = estimate.beat_time_ns(beat)
                band.append(last)
                continue
        following = events[index][0] if index < len(events) else end
        if due is not None and due < following:
            now = due
            continue
        now = following
        while index < len(events) and events[index][0] <= now:
            t, kind, pitch, velocity = events[index]
            if kind:
                tracker.release(t, pitch)
            else:
                tracker.onset(t, pitch, velocity)
            index += 1
    return band, lost


def bar_place(perf: Performance, params: TrackerParams | None = None) -> dict[str, list[int]]:
    """How often the tracker counts the player's notes on a beat at their true place in the
    bar (a band a beat off puts its downbeats on the player's second beat, which the beat
    error cannot see): [right, all] before the fermata and after it."""
    tracker = BeatTracker.from_count_in(perf.count_in, perf.meter, params)
    places = dict(perf.positions)
    after = perf.fermata_span[1] if perf.fermata_span else None
    counts = {"before": [0, 0], "after_fermata": [0, 0]}
    events = key_events(perf)
    for time, kind, pitch, velocity in events:
        if kind:
            tracker.release(time, pitch)
            continue
        tracker.onset(time, pitch, velocity)
        place = places.get(time)
        if place is None or abs(place - round(place)) > 1e-6:
            continue  # a chord's second note, or a note between beats
        right = (round(tracker.beat_count) - round(place)) % perf.meter.beats_per_bar == 0
        tally = counts["after_fermata" if after is not None and time >= after else "before"]
        tally[0] += right
        tally[1] += 1
    return counts


def bar_place_shares(runs: list[dict[str, list[int]]]) -> dict[str, float | None]:
    """The share (%) of notes counted at their place in the bar, over runs of ``bar_place``."""
    out: dict[str, float | None] = {}
    for part in ("before", "after_fermata"):
        right, total = (sum(run[part][k] for run in runs) for k in (0, 1))
        out[part] = round(100 * right / total, 1) if total else None
    return out


def tracker_cost_ms(perf: Performance) -> list[float]:
    """How long the tracker takes over each of a performance's onsets (ms, wall time: the
    worker's cost per note)."""
    tracker = BeatTracker.from_count_in(perf.count_in, perf.meter)
    costs = []
    for on, pitch, velocity, off in perf.onsets:
        started = perf_counter_ns()
        tracker.onset(on, pitch, velocity)
        tracker.estimate(on + 1)
        costs.append((perf_counter_ns() - started) / 1e6)
        tracker.release(off, pitch)  # (releases out of order with onsets: cost only)
    return costs


def oracle_band(perf: Performance, beats: int = ORACLE_BEATS, degree: int = 1) -> list[int]:
    """A reference, not a band: each beat placed ``COMMIT_MS`` before it sounds by a
    polynomial in the beat number (``degree`` 1: a straight line) through the onsets of the
    last ``beats`` beats at their true metrical places (which no listener knows), the
    fermata's two sides apart."""
    commit = round(COMMIT_MS * 1e6)
    after = perf.fermata_span[1] if perf.fermata_span else None
    out = []
    for beat, true_ns in enumerate(perf.beats):
        side = after is not None and true_ns >= after
        known = [(t, p) for t, p in perf.positions if t < true_ns - commit
                 and p > beat - beats and (after is not None and t >= after) == side]
        if len({p for _, p in known}) <= degree:
            continue
        coefficients = np.polyfit([p - beat for _, p in known], [t for t, _ in known], degree)
        out.append(round(coefficients[-1]))
    return sorted(out)


def beat_errors(perf: Performance, band: list[int]) -> dict:
    """The band's beats against the true ones: errors (ms), time to lock (beats)."""
    span = perf.fermata_span or (0, -1)
    errors, matched = [], []
    truth = [b for b in perf.beats if not span[0] < b < span[1]]
    for time in band:
        if time > perf.beats[-1] + LOCK_MS * 1e6:
            break  # the tune is over
        if span[0] - LOCK_MS * 1e6 < time < span[1] - LOCK_MS * 1e6:
            continue  # beats into the fermata: counted apart
        nearest = min(truth, key=lambda b: abs(b - time))
        errors.append(abs(time - nearest) / 1e6)
        matched.append(nearest)
    lock = _lock_beats(errors)
    after = [e for e, b in zip(errors, matched, strict=True) if b >= span[1]] \
        if perf.fermata_span else []
    into = sum(1 for time in band if span[0] + LOCK_MS * 1e6 < time < span[1] - LOCK_MS * 1e6)
    end = perf.beats[-END_BEATS] if len(perf.beats) > END_BEATS else perf.beats[0]
    relock = [b for b in truth if b >= span[1]][:RELOCK_BEATS] if perf.fermata_span else []
    jumped = [e for e, b in zip(errors, matched, strict=True) if b >= perf.jump_ns] \
        if perf.jump_ns is not None else []
    return {"errors": errors, "lock": lock, "relock": _lock_beats(after) if after else None,
            "jump_relock": _lock_beats(jumped) if jumped else None,
            "into_fermata": into, "missed": max(0, len(truth) - len(set(matched))),
            "end": [e for e, b in zip(errors, matched, strict=True) if b >= end],
            "gradual": [e for e, b in zip(errors, matched, strict=True)
                        if b < end and b not in relock]}


def _lock_beats(errors: list[float]) -> int | None:
    """Beats until the first run of LOCK_RUN beats within LOCK_MS."""
    run = 0
    for index, error in enumerate(errors):
        run = run + 1 if error <= LOCK_MS else 0
        if run == LOCK_RUN:
            return index - LOCK_RUN + 1
    return None


def follow_figures(count: int = 12, tuning: bool = False,
                   engine: Callable[[Performance], list[int]] | None = None) -> dict:
    """The figures of every scenario, Follow beside the fixed tempo, over ``count`` melodies;
    with ``engine`` (a performance -> the real engine's band beats) its rows too."""
    pieces = collection_melodies(TUNING if tuning else REPORTED, count)
    out: dict = {"melodies": f"{len(pieces)} of {(TUNING if tuning else REPORTED).sources}",
                 "commit_ms": COMMIT_MS}
    modes = ("follow", "fixed", "oracle", "engine") if engine else ("follow", "fixed", "oracle")
    costs = [c for seed, piece in enumerate(pieces)
             for c in tracker_cost_ms(perform(piece, SCENARIOS[-1], seed))]
    out["tracker_onset_ms"] = _percentiles(costs)
    for scenario in (*SCENARIOS, JUMP):
        for mode in modes:
            runs = []
            for seed, piece in enumerate(pieces):
                perf = perform(piece, scenario, seed)
                band, lost = engine(perf) if mode == "engine" else \
                    (oracle_band(perf), None) if mode == "oracle" else \
                    play_band(perf, mode == "follow")
                runs.append((beat_errors(perf, band), lost, perf))
            out[f"{scenario.name}_{mode}"] = gather_runs(runs)
            if mode == "follow":
                out[f"{scenario.name}_{mode}"]["bar_place_pct"] = bar_place_shares(
                    [bar_place(perf) for _, _, perf in runs])
    return out


def tracker_rows(pieces: list, scenario: Scenario, params: TrackerParams | None = None
                 ) -> tuple[dict, dict[str, float | None]]:
    """The modelled band's row (``gather_runs``) and its bar place shares over ``pieces``
    played under ``scenario``, with the tracker's ``params`` (a choice script's setting)."""
    runs, places = [], []
    for seed, piece in enumerate(pieces):
        perf = perform(piece, scenario, seed)
        band, lost = play_band(perf, True, params)
        runs.append((beat_errors(perf, band), lost, perf))
        places.append(bar_place(perf, params))
    return gather_runs(runs), bar_place_shares(places)


def gather_runs(runs: list) -> dict:
    """A row's figures from its runs: (beat errors, lost events, performance) each."""
    errors = [e for result, _, _ in runs for e in result["errors"]]
    locks = [r["lock"] for r, _, _ in runs]
    relocks = [r["relock"] for r, _, perf in runs if perf.fermata_span]
    jumps = [r["jump_relock"] for r, _, perf in runs if perf.jump_ns is not None]
    end = [e for result, _, _ in runs for e in result["end"]]
    gradual = [e for result, _, _ in runs for e in result["gradual"]]
    return {"beat_error_ms": _percentiles(errors), "last_beats_ms": _percentiles(end),
            "gradual_beats_ms": _percentiles(gradual),
            "lock_beats": _worst(locks), "relock_beats": _worst(relocks),
            **({"jump_relock_beats": _worst(jumps)} if jumps else {}),
            "beats_into_fermata_max": max(r["into_fermata"] for r, _, _ in runs),
            "lost_events": None if any(lost is None for _, lost, _ in runs)
            else sum(lost for _, lost, _ in runs),  # (None: a mode that cannot get lost)
            "missed_beats": sum(r["missed"] for r, _, _ in runs)}


def _percentiles(values: list[float]) -> dict:
    """p50, p95 and max (ms) and how many."""
    data = np.asarray(values or [0.0], float)
    return {"p50": round(float(np.percentile(data, 50)), 1),
            "p95": round(float(np.percentile(data, 95)), 1),
            "max": round(float(data.max()), 1), "n": len(values)}


def _worst(values: list) -> dict:
    """Beats to lock: median and worst of the runs that locked, and how many never did."""
    locked = sorted(v for v in values if v is not None)
    return {"p50": locked[len(locked) // 2] if locked else None,
            "max": locked[-1] if locked else None, "never": len(values) - len(locked)}
