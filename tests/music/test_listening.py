"""The listening band's planner, phrase memory, and the clash / variety / held-tonic figures."""

import numpy as np

from coperformer.music.baselines import held_tonic, same_bar_triads
from coperformer.music.harmony import Key
from coperformer.music.listening import (
    CANDIDATES,
    FEATURES,
    HarmonyPlanner,
    RewardModel,
    candidate_chords,
    plan_features,
)
from coperformer.music.meter import Meter
from coperformer.music.metrics import chord_agreement, measure
from coperformer.music.notes import Note, Piece, bars_for
from coperformer.music.phrase_memory import recall
from coperformer.music.roll import REST, grid_from_piece

C, F_, G = (60, 64, 67), (65, 69, 72), (67, 71, 74)


def _bar(pitches):
    return np.repeat(np.asarray(pitches, np.int16), 16 // len(pitches))


def _tune(chords, bars=8):
    """A melody of arpeggios: one chord per bar."""
    notes = []
    for bar, chord in enumerate(chords[:bars]):
        notes += [Note(p, bar * 4 + i, bar * 4 + i + 1) for i, p in enumerate(chord + chord[:1])]
    return Piece(notes, [], bars_for(Meter(4, 4), 4 * bars))


def _chord_oracle_reward() -> RewardModel:
    """A hand-made reward model that trusts the phrase memory: score = memory overlap."""
    memory = slice(12 * 5, 12 * 6)  # the remembered bar's key-relative pitch classes
    w1 = np.zeros((FEATURES, 12), np.float32)
    w1[memory, :] = np.eye(12, dtype=np.float32)
    chords = candidate_chords(Key(0, False))
    w2 = np.zeros((12, CANDIDATES), np.float32)
    for index, chord in enumerate(chords):
        for pc in chord.pitch_classes:
            w2[pc, index] = 10.0
        w2[chord.bass, index] += 1.0 if chord.bass == chord.root else 0.0
    return RewardModel(w1, np.zeros(12, np.float32), w2, np.zeros(CANDIDATES, np.float32))


def test_features_have_the_declared_size_and_candidates_cover_inversions():
    recent = [_bar([60, 64, 67, 72]), _bar([65, 69, 72, 65])]
    assert plan_features(recent, 2, Key(0, False)).shape == (FEATURES,)
    chords = candidate_chords(Key(0, False))
    assert len(chords) == CANDIDATES
    assert {c.bass for c in chords[:3]} == {0, 4, 7}


def test_phrase_memory_recalls_what_followed_the_same_lead_in():
    a, b, c = _bar([60, 64, 67, 64]), _bar([65, 69, 72, 69]), _bar([67, 71, 74, 71])
    bars = [a, b, c, a, b]
    assert recall(bars, 5, 16) == (2, 2)  # a b -> c, twice matched
    assert recall([a, b, c], 3, 16) is None


def test_planner_waits_for_the_first_bar_and_follows_a_repeated_phrase():
    planner = HarmonyPlanner(_chord_oracle_reward(), adventure=0.0)
    assert planner.plan([], 0) is None
    assert planner.plan([np.full(16, REST, np.int16)], 1) is None
    a, f, g = _bar(list(C) + [72]), _bar(list(F_) + [65]), _bar(list(G) + [67])
    chord = planner.plan([a, f, g, a, f], 5)  # the player repeats: G comes next
    assert set(chord.pitch_classes) == {7, 11, 2}


def test_adventure_moves_away_from_the_chords_just_played():
    reward = _chord_oracle_reward()
    a = _bar(list(C) + [72])
    safe, bold = HarmonyPlanner(reward, 0.0), HarmonyPlanner(reward, 1.0)
    roots_safe = [safe.plan([a, a, a][: n + 1], n + 1).root for n in range(3)]
    roots_bold = [bold.plan([a, a, a][: n + 1], n + 1).root for n in range(3)]
    assert len(set(roots_bold)) > len(set(roots_safe))


def test_reward_model_round_trips_through_a_file(tmp_path):
    reward = _chord_oracle_reward()
    reward.save(tmp_path / "r.npz")
    loaded = RewardModel.load(tmp_path / "r.npz")
    x = np.random.default_rng(0).random(FEATURES).astype(np.float32)
    assert np.allclose(loaded.scores(x), reward.scores(x))


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
    planner = HarmonyPlanner(_chord_oracle_reward(), adventure=0.0)
    a, rest = _bar(list(C) + [72]), np.full(16, REST, np.int16)
    assert planner.plan([a, a, rest], 3) is not None  # one silent bar: a breath, play on
    assert planner.plan([a, a, rest, rest], 4) is None  # two: the player stopped
    assert planner.plan([a, rest, rest, a], 4) is not None  # and is back
    unknown = np.zeros(0, np.int16)  # bars the band did not hear are not silence
    assert planner.plan([a, unknown, unknown], 3) is not None
    assert planner.plan([a, a], 2).ceiling == 60  # the lowest note of the last bar


def test_a_preview_plans_the_same_chord_and_remembers_nothing():
    from coperformer.music.harmony import triad_name

    planner = HarmonyPlanner(_chord_oracle_reward(), adventure=1.0)
    a, f, g = _bar(list(C) + [72]), _bar(list(F_) + [65]), _bar(list(G) + [67])
    before = list(planner.roots)
    preview = planner.plan([a, f, g, a, f], 5, commit=False)
    assert list(planner.roots) == before
    assert planner.plan([a, f, g, a, f], 5) == preview and len(planner.roots) == len(before) + 1
    assert preview.name == triad_name(preview.pitch_classes, preview.bass)
    assert triad_name((7, 11, 2), 11) == "G/B" and triad_name((9, 0, 4)) == "Am"
    assert triad_name((11, 2, 5)) == "Bdim"
