"""`coperformer bench --follow`: performances with a known pulse, and the figures' shape."""

from __future__ import annotations

from coperformer.bench.follow import (
    SCENARIOS,
    TUNING,
    Scenario,
    beat_errors,
    follow_figures,
    perform,
    play_band,
)
from coperformer.model.collections import EVALUATION, PLANNER_TRAINING, collection_melodies
from coperformer.model.collections import TUNING as CHORD_TUNING


def test_the_follow_melodies_are_in_no_other_set():
    from coperformer.bench.follow import REPORTED

    used = {s for c in EVALUATION + CHORD_TUNING + PLANNER_TRAINING for s in c.sources}
    assert not used & set(REPORTED.sources)
    assert not used & set(TUNING.sources)
    assert not set(REPORTED.sources) & set(TUNING.sources)


def test_a_performance_has_its_true_beats_and_a_fermata():
    piece = collection_melodies(TUNING, 1)[0]
    perf = perform(piece, Scenario("all", 0.2), seed=1)
    assert len(perf.count_in) == perf.meter.beats_per_bar
    assert all(b > a for a, b in zip(perf.beats, perf.beats[1:], strict=False))
    start, end = perf.fermata_span
    assert end - start > 1_000_000_000  # the held note's extra time
    beat_gaps = [b - a for a, b in zip(perf.beats, perf.beats[1:], strict=False)]
    assert max(beat_gaps) > 1_000_000_000  # the fermata sits between two true beats
    band, lost = play_band(perf, follow=True)
    fixed, _ = play_band(perf, follow=False)
    assert band and fixed and lost >= 0
    assert beat_errors(perf, band)["errors"]


def test_the_figures_have_every_scenario_beside_the_fixed_tempo():
    figures = follow_figures(2, tuning=True)
    for scenario in SCENARIOS:
        for mode in ("follow", "fixed"):
            row = figures[f"{scenario.name}_{mode}"]
            assert set(row["beat_error_ms"]) == {"p50", "p95", "max", "n"}
            assert row["beat_error_ms"]["n"] > 0
            assert {"lock_beats", "relock_beats", "lost_events"} <= set(row)
