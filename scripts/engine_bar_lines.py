"""Measured at stop 38 (issue 20): how often the real engine's bar lines fall on the player's
downbeats in `bench --follow`'s performances (12 melodies, Follow mode in virtual time), before
the fermata and after it, with the tracker as it is or (``old``) as it was before stop 38 kept
its place in the bar (the onset after a fermata on the next beat; no doubt after long notes);
with the beat error of the engine rows.

    .venv/bin/python scripts/engine_bar_lines.py [now|old] [reported|tuning]   (2 minutes)
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np

from coperformer.bench import follow
from coperformer.bench import follow_engine as engine
from coperformer.model.store import load_chord_model, load_model
from coperformer.music import beat_tracker


def bar_lines(transport, perf: follow.Performance) -> list[int]:
    """[on a downbeat, all] of the band's bar lines from bar 1, before and after the fermata
    (not those inside it: the band waits there, holding its chord)."""
    beats, per_bar = np.array(perf.beats), perf.meter.beats_per_bar
    held, after = perf.fermata_span or (None, None)
    counts, bar = [0, 0, 0, 0], 1
    while transport.bar_start_ns(bar) < beats[-1]:
        start = transport.bar_start_ns(bar)
        bar += 1
        if held is not None and held < start < after:
            continue
        part = 2 if after is not None and start >= after else 0
        counts[part] += int(np.abs(beats - start).argmin()) % per_bar == 0
        counts[part + 1] += 1
    return counts


def main() -> None:
    """A line per drift scenario."""
    if sys.argv[1:2] == ["old"]:
        params = beat_tracker.TrackerParams
        beat_tracker.TrackerParams = lambda *a, **k: replace(params(*a, **k), resume_next=1.0,
                                                              doubt_share=0.0)
    model, chords = load_model(None), load_chord_model()
    seen = {}
    pair = engine._on_beats

    def spy(transport, decided, played):
        seen["transport"] = transport
        return pair(transport, decided, played)
    engine._on_beats = spy
    tuning = sys.argv[2:3] == ["tuning"]
    pieces = follow.collection_melodies(follow.TUNING if tuning else follow.REPORTED, 12)
    for scenario in follow.SCENARIOS[1:]:
        total, runs = np.zeros(4), []
        for seed, piece in enumerate(pieces):
            perf = follow.perform(piece, scenario, seed)
            band, lost = engine.engine_beats(perf, model, chords, True)
            runs.append((follow.beat_errors(perf, band), lost, perf))
            total += bar_lines(seen["transport"], perf)
        row = follow.gather_runs(runs)
        print(f"{scenario.name}: bar lines on the player's downbeats before the fermata "
              f"{100 * total[0] / total[1]:.1f} %, after it {100 * total[2] / total[3]:.1f} %; "
              f"beat error {row['beat_error_ms']}", flush=True)


if __name__ == "__main__":
    main()
