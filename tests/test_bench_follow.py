"""`coperformer bench --follow`: performances with a known pulse, and the figures' shape."""

from __future__ import annotations

import pytest

from coperformer.bench.follow import (
    SCENARIOS,
    TUNING,
    Scenario,
    beat_errors,
    follow_figures,
    oracle_band,
    perform,
    play_band,
)
from coperformer.bench.performer import BESIDE, JUMP
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
    assert len(perf.count_in) == perf.meter.count_in_beats() == 6  # two bars of 3/4
    assert 0 < perf.count_in[0] < perf.beats[0]
    assert all(b > a for a, b in zip(perf.beats, perf.beats[1:], strict=False))
    start, end = perf.fermata_span
    assert end - start > 1_000_000_000  # the held note's extra time
    beat_gaps = [b - a for a, b in zip(perf.beats, perf.beats[1:], strict=False)]
    assert max(beat_gaps) > 1_000_000_000  # the fermata sits between two true beats
    band, lost = play_band(perf, follow=True)
    fixed, _ = play_band(perf, follow=False)
    assert band and fixed and lost >= 0
    assert beat_errors(perf, band)["errors"]


def test_a_jump_performance_goes_a_quarter_faster_from_a_beat_a_third_into_the_tune():
    perf = perform(collection_melodies(TUNING, 1)[0], JUMP, seed=1)
    assert perf.fermata_span is None and perf.jump_ns is not None
    at = perf.beats.index(perf.jump_ns)  # on a true beat
    assert len(perf.beats) / 4 < at < len(perf.beats) / 2
    gaps = [b - a for a, b in zip(perf.beats, perf.beats[1:], strict=False)]
    assert max(gaps[:at]) == min(gaps[:at])  # steady before (no drift, no ritardando)
    assert max(gaps[at:]) == min(gaps[at:])
    assert gaps[at - 1] / gaps[at] == pytest.approx(1.25, abs=1e-6)


def test_the_gradual_beats_leave_out_the_tune_s_end_and_the_beats_after_the_fermata():
    """A band on every true beat but 150 ms off on the first after the fermata (late) and on
    the last one (early): both errors are in all the beats', neither in the gradual part's."""
    perf = perform(collection_melodies(TUNING, 1)[0], Scenario("all", 0.2), seed=1)
    after = next(k for k, b in enumerate(perf.beats) if b >= perf.fermata_span[1])
    off = {after: 150_000_000, len(perf.beats) - 1: -150_000_000}
    band = [b + off.get(k, 0) for k, b in enumerate(perf.beats)]
    result = beat_errors(perf, band)
    assert sorted(result["errors"])[-3:] == [0.0, 150.0, 150.0]
    assert result["gradual"] and max(result["gradual"]) == 0.0
    assert 150.0 in result["end"]


def test_the_figures_have_every_scenario_beside_the_fixed_tempo():
    figures = follow_figures(2, tuning=True)
    for scenario in (*SCENARIOS, *BESIDE):
        for mode in ("follow", "fixed", "oracle"):
            row = figures[f"{scenario.name}_{mode}"]
            assert ("jump_relock_beats" in row) == (scenario is JUMP)
            assert set(row["beat_error_ms"]) == {"p50", "p95", "max", "n"}
            assert row["beat_error_ms"]["n"] > 0
            assert {"lock_beats", "relock_beats", "lost_events", "last_beats_ms",
                    "gradual_beats_ms"} <= set(row)
    cost = figures["tracker_onset_ms"]
    assert cost["n"] > 50 and 0 < cost["p50"] <= cost["p95"] <= cost["max"]


def _engine(shipped_model):
    from coperformer.bench.follow_engine import engine_beats
    from coperformer.model.store import load_chord_model, load_model

    model, chords = load_model(str(shipped_model)), load_chord_model()
    return lambda perf, follow=True, guess=None: engine_beats(perf, model, chords, follow,
                                                             guess=guess)


def test_the_real_engine_follows_a_drifting_performer_that_a_fixed_tempo_loses(shipped_model):
    engine = _engine(shipped_model)
    piece = collection_melodies(TUNING, 1)[0]
    perf = perform(piece, Scenario("drift20", 0.2, ritardando=False, fermata=False), seed=3)
    (followed_beats, lost), (fixed_beats, never) = engine(perf), engine(perf, False)
    followed = sorted(beat_errors(perf, followed_beats)["errors"])
    fixed = sorted(beat_errors(perf, fixed_beats)["errors"])
    assert isinstance(lost, int) and never is None  # counted in Follow mode; fixed: no tracker
    assert len(followed) > 20 and len(fixed) > 20
    assert followed[len(followed) // 2] < 0.5 * fixed[len(fixed) // 2], (followed, fixed)


def test_the_figures_have_the_engine_rows(shipped_model):
    figures = follow_figures(1, tuning=True, engine=_engine(shipped_model))
    for scenario in SCENARIOS:
        row = figures[f"{scenario.name}_engine"]
        assert row["beat_error_ms"]["n"] > 0 and row["lost_events"] >= 0  # counted


def test_the_oracle_knows_where_each_note_belongs():
    piece = collection_melodies(TUNING, 1)[0]
    clean = perform(piece, Scenario("clean", 0.2, 0.0, False, False, False), seed=2)
    errors = sorted(beat_errors(clean, oracle_band(clean))["errors"])
    assert errors and errors[len(errors) // 2] < 10.0  # no jitter: the drift's curve alone
    jittered = perform(piece, Scenario("drift20", 0.2), seed=2)
    noisy = sorted(beat_errors(jittered, oracle_band(jittered))["errors"])
    assert noisy[len(noisy) // 2] > 2 * errors[len(errors) // 2]  # the jitter is felt
    places = [place for _, place in jittered.positions]
    assert len(places) == len(piece.melody) and places == sorted(places)


def test_the_tune_start_rows_play_from_the_second_bar_of_tunes_without_a_pick_up():
    from coperformer.bench.tune_start import (
        GUESSES,
        starts_on_a_downbeat,
        tune_start_band,
        tune_start_figures,
    )

    pieces = [p for p in collection_melodies(TUNING, 12) if starts_on_a_downbeat(p)]
    assert pieces and not all(starts_on_a_downbeat(p) for p in collection_melodies(TUNING, 12))
    perf = perform(pieces[0], SCENARIOS[0], seed=0)
    band, lost = tune_start_band(perf, GUESSES[1])
    per_bar = perf.meter.beats_per_bar
    assert band and min(band) > perf.beats[per_bar - 1] and lost == 0  # in on bar 2
    assert min(abs(band[0] - b) for b in perf.beats) < 60_000_000  # found from a wrong guess
    figures = tune_start_figures(1, tuning=True)
    for scenario in SCENARIOS:
        assert figures[f"{scenario.name}_tune_start"]["beat_error_ms"]["n"] > 0


def test_the_engine_starts_a_tune_with_no_count_in_on_its_first_note(shipped_model):
    from coperformer.bench.tune_start import starts_on_a_downbeat, tune_start_figures

    engine = _engine(shipped_model)
    piece = next(p for p in collection_melodies(TUNING, 12) if starts_on_a_downbeat(p))
    perf = perform(piece, SCENARIOS[0], seed=0)
    band, lost = engine(perf, guess=1.15)  # the tempo set 15 % fast
    per_bar = perf.meter.beats_per_bar
    errors = beat_errors(perf, [b for b in band if b > perf.beats[2 * per_bar - 1]])["errors"]
    assert errors and sorted(errors)[len(errors) // 2] < 15.0 and lost == 0  # found
    figures = tune_start_figures(1, tuning=True, engine=lambda p, g: engine(p, guess=g))
    assert figures["steady_tune_start_engine"]["beat_error_ms"]["n"] > 0


def test_the_bar_place_sees_a_band_counting_a_beat_off():
    from coperformer.bench.follow import bar_place, bar_place_shares

    piece = collection_melodies(TUNING, 1)[0]
    perf = perform(piece, SCENARIOS[0], seed=3)
    right = bar_place_shares([bar_place(perf)])
    assert right["before"] > 95.0 and right["after_fermata"] is None  # (steady: no fermata)
    beat = perf.count_in[1] - perf.count_in[0]
    perf.count_in = [t + beat for t in perf.count_in]  # counted in a beat late: a beat off
    assert bar_place_shares([bar_place(perf)])["before"] < 50.0
    figures = follow_figures(1, tuning=True)
    assert set(figures["drift20_follow"]["bar_place_pct"]) == {"before", "after_fermata"}
