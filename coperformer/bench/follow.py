"""`bench --follow`: the beat tracker against performances of real melodies with a known pulse.

A melody from music21's folk collections (never the evaluation or tuning sets of the chord
model) is played with a count-in, gradual tempo drift, a final ritardando, a fermata, timing
jitter and swung eighths. The band schedules each coming beat at the tracker's prediction, fixed
``COMMIT_MS`` before it sounds; its beats are compared with the performer's true beats. The
baseline is the same band at the count-in's tempo. The engine rows (``follow_engine``) play
the same performances into the real session and time its band's notes decided on beats.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter_ns

import numpy as np

from coperformer.bench.performer import (
    BESIDE,
    NS,
    SCENARIOS,
    Performance,
    Scenario,
    perform,
)
from coperformer.model.collections import Collection, collection_melodies
from coperformer.music.beat_tracker import FERMATA, LOST, BeatTracker, TrackerParams

COMMIT_MS = 50.0  # the band's beat is fixed this long before it sounds (the synth's lead)
END_BEATS = 8  # the tune's last beats (a final ritardando's), reported apart too
RELOCK_BEATS = 4  # the beats after a fermata (the band finding the player again), likewise
ORACLE_BEATS = 4  # the oracle's line goes through the onsets of this many beats
LOCK_MS = 35.0  # a band beat this near the true beat is locked
LOCK_RUN = 4  # ... for this many beats in a row
REPORTED = Collection("follow: Essen ballads 20 and Erk 5",
                      ("essenFolksong/ballad20", "essenFolksong/erk5"),
                      "German ballads and Erk's songs (in no other set)")
TUNING = Collection("follow tuning: Essen Irish", ("essenFolksong/irl",),
                    "Irish songs of the Essen collection (in no other set)")


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
    for scenario in (*SCENARIOS, *BESIDE):
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
