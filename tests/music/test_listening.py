"""The listening band's planner (the shipped chord model), phrase memory, and the clash /
variety / held-tonic figures."""

import time

import numpy as np

from coperformer.common.paths import data_dir
from coperformer.music.baselines import held_tonic, same_bar_triads
from coperformer.music.chord_model import (
    INSIDE_AT,
    ChordModel,
    Inside,
    bar_half,
    choose,
    chord_features,
    grid_halves,
    half_step,
    heard_key,
    recalled,
)
from coperformer.music.chords import chord_index
from coperformer.music.harmony import Key
from coperformer.music.listening import HarmonyPlanner, declared
from coperformer.music.meter import Meter
from coperformer.music.metrics import chord_agreement, measure
from coperformer.music.notes import Note, Piece, bars_for
from coperformer.music.phrase_memory import recall
from coperformer.music.roll import REST, Grid, grid_from_piece

C, F_, G = (60, 64, 67), (65, 69, 72), (67, 71, 74)
MODEL = ChordModel.load(data_dir("models") / "chords.npz")


def _bar(pitches):
    return np.repeat(np.asarray(pitches, np.int16), 16 // len(pitches))


def _tune(chords, bars=8):
    """A melody of arpeggios: one chord per bar."""
    notes = []
    for bar, chord in enumerate(chords[:bars]):
        notes += [Note(p, bar * 4 + i, bar * 4 + i + 1) for i, p in enumerate(chord + chord[:1])]
    return Piece(notes, [], bars_for(Meter(4, 4), 4 * bars))


def test_phrase_memory_recalls_what_followed_the_same_lead_in():
    a, b, c = _bar([60, 64, 67, 64]), _bar([65, 69, 72, 69]), _bar([67, 71, 74, 71])
    bars = [a, b, c, a, b]
    assert recall(bars, 5, 16) == (2, 2)  # a b -> c, twice matched
    assert recall([a, b, c], 3, 16) is None


def test_planner_waits_until_it_knows_the_key_then_keeps_its_first_chords_in_it():
    planner = HarmonyPlanner(MODEL, adventure=0.0)
    assert planner.plan([], 0) is None
    assert planner.plan([np.full(16, REST, np.int16)], 1) is None
    e = _bar([64] * 4)  # a well-known song in C opens on repeated Es: not yet a key
    assert planner.plan([e], 1) is None
    opening = [e, e, _bar([64, 67, 60, 62]), _bar([64] * 4)]
    chord = planner.plan(opening, 4)
    assert set(chord.pitch_classes) <= Key(0, False).scale()  # never C#m or any outsider


def test_an_intro_key_settles_the_key_at_once():
    e = _bar([64] * 4)
    told = HarmonyPlanner(MODEL, adventure=0.0, key=Key(0, False))
    chord = told.plan([e], 1)
    assert chord is not None and set(chord.pitch_classes) <= Key(0, False).scale()
    assert len(chord.pitch_classes) >= 3  # the key is known: a full chord


def test_an_unsure_key_gets_a_bare_root_and_fifth():
    chord = declared(0, sure=False)
    assert chord.pitch_classes == (0, 7) and chord.name == "C5"
    assert declared(0).name == "C" and declared(7 * 9 + 4).name == "G7"


def test_adventure_draws_among_plausible_chords_and_zero_is_the_likeliest():
    bars = [_bar(p) for p in ([60, 62, 64, 65], [67, 65, 64, 62], [64, 67, 72, 71],
                              [69, 67, 65, 64], [62, 65, 69, 67], [64, 62, 60, 59],
                              [57, 60, 64, 62], [65, 64, 62, 60])]

    def tune(adventure, seed):
        planner = HarmonyPlanner(MODEL, adventure, seed=seed)
        return tuple(planner.plan(bars[:now], now).name for now in range(3, len(bars) + 1))

    safe = {tune(0.0, seed) for seed in range(5)}
    bold = {tune(1.0, seed) for seed in range(30)}
    assert len(safe) == 1 and len(bold) > 1


def test_the_chord_models_decision_takes_well_under_a_millisecond():
    rng = np.random.default_rng(2)
    phrase = [rng.integers(60, 72, 16).astype(np.int16) for _ in range(8)]
    recent = [phrase[b % 8] for b in range(64)]  # a full phrase memory
    heard, found = heard_key(recent, MODEL.keys), recalled(recent)
    chords = [None] * 63 + [0]
    samples = []
    for bar in range(200):
        started = time.perf_counter_ns()
        scores = MODEL.log_probs(chord_features(recent, chords, 64 + bar, heard, found))
        choose(scores, 0.5, 0.8, np.random.default_rng(bar))
        samples.append(time.perf_counter_ns() - started)
    assert np.median(samples) < 1_000_000  # ns


def test_chord_agreement_of_a_fitting_and_a_clashing_chord():
    melody = _bar([60, 64, 67, 64])
    assert chord_agreement(melody, (0, 4, 7), 0) == 1.0
    assert chord_agreement(melody, (1, 5, 8), 1) < 0.5


def test_held_tonic_is_causal_and_drones():
    grid = grid_from_piece(_tune([C, F_, G, C, C, F_, G, C]))
    band = held_tonic(grid)
    assert (band.band[:, band.bar_slice(0)] == REST).all()  # nothing heard before bar 1
    figures = measure([band])
    assert figures["chord_variety"] == 1.0
    assert figures["onsets_per_bar"] == 3.0


def test_clash_and_variety_figures_tell_a_good_band_from_a_drone():
    grid = grid_from_piece(_tune([C, F_, G, C, C, F_, G, C]))
    fitting = measure([same_bar_triads(grid_from_piece(_tune([C, F_, G, C, C, F_, G, C])))])
    drone = measure([held_tonic(grid)])
    assert fitting["chord_variety"] > drone["chord_variety"]
    assert fitting["clash"] < drone["clash"]
    assert fitting["harmonic_agreement"] > drone["harmonic_agreement"]


def test_the_band_stops_when_the_player_stops_and_stays_under_the_player():
    planner = HarmonyPlanner(MODEL, adventure=0.0)
    a, rest = _bar(list(C) + [72]), np.full(16, REST, np.int16)
    assert planner.plan([a, a, rest], 3) is not None  # one silent bar: a breath, play on
    assert planner.plan([a, a, rest, rest], 4) is None  # two: the player stopped
    assert planner.plan([a, rest, rest, a], 4) is not None  # and is back
    unknown = np.zeros(0, np.int16)  # bars the band did not hear are not silence
    assert planner.plan([a, unknown, unknown], 3) is not None
    assert planner.plan([a, a], 2).ceiling == 60  # the lowest note of the last bar


def test_a_preview_plans_the_same_chord_and_remembers_nothing():
    from coperformer.music.chord_type import triad_name

    planner = HarmonyPlanner(MODEL, adventure=1.0)
    a, f, g = _bar(list(C) + [72]), _bar(list(F_) + [65]), _bar(list(G) + [67])
    before = dict(planner.played)
    preview = planner.plan([a, f, g, a, f], 5, commit=False)
    assert planner.played == before
    assert planner.plan([a, f, g, a, f], 5) == preview and 5 in planner.played
    assert triad_name((7, 11, 2), 11) == "G/B" and triad_name((9, 0, 4)) == "Am"
    assert triad_name((11, 2, 5)) == "Bdim"


def test_a_bars_second_half_is_decided_from_its_first_half_heard():
    from tests.engine.fakes import halving_chord_model

    planner = HarmonyPlanner(halving_chord_model(), adventure=0.0, key=Key(0, False))
    bars = [_bar([60, 64, 67, 64])] * 3
    assert planner.plan(bars, 3).name == "C"
    assert planner.plan_half(bars, 4, bars[0][:8]) is None  # bar 4 was never planned
    second = planner.plan_half(bars, 3, bars[0][:8])
    assert second.name == "G" and set(second.pitch_classes) == {7, 11, 2}
    assert planner.played[3] == chord_index(7, "maj")  # what the next bar hears as played


def test_a_bar_keeps_its_chord_when_its_half_asks_for_the_same():
    from tests.engine.fakes import halving_chord_model

    planner = HarmonyPlanner(halving_chord_model(second=0), adventure=0.0, key=Key(0, False))
    bars = [_bar([60, 64, 67, 64])] * 3
    planner.plan(bars, 3)
    assert planner.plan_half(bars, 3, bars[0][:8]) is None
    assert planner.played[3] == chord_index(0, "maj")


def test_the_first_half_heard_enters_the_features():
    recent = [_bar([60, 64, 67, 64])] * 2
    heard = heard_key(recent, MODEL.keys, Key(0, False))
    before = chord_features(recent, [None, None], 2, heard)
    half = _bar([67, 71, 67, 71])[:8]
    inside = chord_features(recent, [None, None], 2, heard,
                            inside=Inside(half, chord_index(0, "maj")))
    assert before[INSIDE_AT:].sum() == 0  # nothing of the bar heard yet
    assert inside[-1] == 1.0
    profile = inside[INSIDE_AT:INSIDE_AT + 12]
    assert profile[7] == profile[11] == 0.5 and profile.sum() == 1.0  # G and B, in C
    assert inside[INSIDE_AT + 12 + chord_index(0, "maj")] == 1.0  # the chord played in it
    last_note = slice(36, 48)  # after the profiles of the last bar, the one before, and all
    assert before[last_note].argmax() == 4 and inside[last_note].argmax() == 11  # E, then B


def test_a_bar_may_change_chord_on_the_beat_at_or_after_its_middle():
    assert bar_half(Meter(4, 4)) == 8 and bar_half(Meter(6, 8)) == 6  # beat 3; beat 2
    assert bar_half(Meter(3, 4)) == 8  # beat 3, never inside a beat
    assert bar_half(Meter(12, 8)) == 12
    assert bar_half(Meter(2, 4)) is None  # a beat before the change: the bar's chord
    assert half_step(12) == 8 and half_step(4) is None  # a short last bar; a pickup
    whole = grid_from_piece(_tune([C, G], bars=2))
    steps = 4 + 16  # a pickup of a beat, then a whole bar
    pickup = Grid(whole.melody[12:], whole.melody_onset[12:], whole.band[:, 12:],
                  whole.band_onset[:, 12:], np.array([0, 4]), np.array([4, 16]),
                  whole.meter_code)
    assert pickup.steps == steps
    assert grid_halves(pickup) == [None, 8]  # a pickup of a beat cannot change
