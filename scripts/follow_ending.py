"""Measured at stop 38 (issue 20), nothing kept: where the Follow band's beat errors are at a
tune's end, and two ideas for it, on the tracker's tuning melodies (essenFolksong/irl; never
the reported ones), the tracker's modelled band as `bench --follow` plays it.

1. Beat error p50 / p95 (ms) by where the band's beat falls: the middle of the tune, the final
   ritardando's last 8 beats before the player's last note, and over the last note held (the
   beats the band plays after the player's last onset).
2. Could the tracker tell the last note held in a ritardando (to hold the final chord with the
   player, as a band does)? The period's growth over the recent beats, read at the tune's last
   onset, against the same at every long note struck on a downbeat in the middle of the tune;
   and how often the last onset is on the tracker's downbeat.
3. The predictions carrying the slowing mode's own trend (its rate, weighed by how likely it
   is) instead of the trend fitted through the recent periods: at most (``max``) or mixed.

    .venv/bin/python scripts/follow_ending.py [MELODIES]   (30 by default; about 2 minutes)
"""

from __future__ import annotations

import math
import sys

import numpy as np

from coperformer.bench import follow
from coperformer.music.beat_tracker import BeatTracker

FITTED_TREND = BeatTracker._period_trend


def regions(perf: follow.Performance, band: list[int]) -> dict[str, list[float]]:
    """The band's beat errors (ms) by where they fall, counted as ``beat_errors`` does."""
    last_onset = max(on for on, *_ in perf.onsets)
    ritardando = perf.beats[-follow.END_BEATS]
    slack = follow.LOCK_MS * 1e6
    span = perf.fermata_span or (0, -1)
    truth = [b for b in perf.beats if not span[0] < b < span[1]]
    out: dict[str, list[float]] = {"middle": [], "ritardando": [], "over the last note": []}
    for time in band:
        if time > perf.beats[-1] + slack:
            break
        if span[0] - slack < time < span[1] - slack:
            continue
        error = min(abs(time - b) for b in truth) / 1e6
        where = "over the last note" if time > last_onset + slack else \
            "ritardando" if time >= ritardando - slack else "middle"
        out[where].append(error)
    return out


def slowing_trend(mode: str):
    """A trend reading that carries the slowing mode's rate (``max`` or ``mix``)."""
    def trend(self: BeatTracker) -> float:
        fitted = FITTED_TREND(self)
        weight = float(self._grid.weights[1])
        implied = self._period * (math.exp(self._grid.modes.rates[1]) - 1) * weight
        return max(fitted, implied) if mode == "max" else (1 - weight) * fitted + implied
    return trend


def error_rows(pieces: list, label: str) -> None:
    """Part 1 (and 3): a line per scenario."""
    for scenario in follow.SCENARIOS:
        places: dict[str, list[float]] = {}
        errors, lost = [], 0
        for seed, piece in enumerate(pieces):
            perf = follow.perform(piece, scenario, seed)
            band, count = follow.play_band(perf, True)
            lost += count
            errors += follow.beat_errors(perf, band)["errors"]
            for where, values in regions(perf, band).items():
                places.setdefault(where, []).extend(values)
        cells = [f"{where} {_p(values)}" for where, values in places.items()]
        print(f"{label}, {scenario.name}: all {_p(errors)} | " + " | ".join(cells)
              + f" | lost {lost}", flush=True)


def slowing_rows(pieces: list) -> None:
    """Part 2: a line per scenario."""
    for scenario in follow.SCENARIOS:
        finals, middles, downbeats = [], [], 0
        for seed, piece in enumerate(pieces):
            perf = follow.perform(piece, scenario, seed)
            tracker = BeatTracker.from_count_in(perf.count_in, perf.meter)
            last_onset = max(on for on, *_ in perf.onsets)
            for on, pitch, velocity, off in perf.onsets:
                tracker.onset(on, pitch, velocity)
                if not tracker._history:
                    continue
                growth = tracker._period / tracker._history[0][1]
                beat = tracker._beat
                downbeat = abs(beat - round(beat)) <= tracker.params.off_beat and \
                    round(beat) % tracker.beats_per_bar == 0
                if on == last_onset:
                    finals.append(growth)
                    downbeats += downbeat
                elif on < perf.beats[-follow.END_BEATS] and downbeat \
                        and off - on > 1.5 * tracker._period:
                    middles.append(growth)
        print(f"{scenario.name}: the last onset's period growth p10 / p50 "
              f"{np.percentile(finals, 10):.3f} / {np.percentile(finals, 50):.3f}, on a "
              f"downbeat {downbeats} of {len(finals)} | long downbeat notes mid-tune "
              f"({len(middles)}): p95 {np.percentile(middles, 95):.3f}, max "
              f"{max(middles):.3f}", flush=True)


def _p(values: list[float]) -> str:
    return f"{np.percentile(values, 50):.1f} / {np.percentile(values, 95):.1f}" \
        if values else "-"


def main() -> None:
    """The three parts."""
    pieces = follow.collection_melodies(follow.TUNING, int(sys.argv[1]) if len(sys.argv) > 1
                                        else 30)
    error_rows(pieces, "today's tracker")
    slowing_rows(pieces)
    for mode in ("max", "mix"):
        BeatTracker._period_trend = slowing_trend(mode)
        error_rows(pieces, f"slowing mode's trend ({mode})")
    BeatTracker._period_trend = FITTED_TREND


if __name__ == "__main__":
    main()
