"""The offline beat harmonizer: beats and their places, what a beat's melody says, the best
chain of chords, and the shipped model harmonizing a simple tune beat by beat."""

import numpy as np
import pytest

from coperformer.common.paths import data_dir
from coperformer.music.beat_harmonizer import (
    BEAT_FEATURES,
    BEAT_VALUES,
    Beat,
    BeatHarmonizer,
    beat_features,
    beat_values,
    best_chain,
    changes_by_step,
    tune_beats,
)
from coperformer.music.chord_model import ChordModel, grid_beat_steps
from coperformer.music.chord_type import PITCH_CLASS_NAMES
from coperformer.music.chords import VOCABULARY, chord_index, chord_symbol
from coperformer.music.harmony import Key
from coperformer.music.roll import REST
from tests.music.tunes import melody_grid


def test_beats_follow_each_bars_meter_and_a_pickup_keeps_its_place():
    beats = tune_beats([4, 16, 16], [4, 4, 4])  # a quarter's pickup, then two 4/4 bars
    assert beats[0] == Beat(0, 0, 3)  # the pickup is the fourth beat
    assert [b.position for b in beats[1:5]] == [0, 1, 2, 3]
    assert len(beats) == 9
    six_eight = tune_beats([12, 12], [6, 6])
    assert [(b.bar, b.step, b.position) for b in six_eight] == [(0, 0, 0), (0, 6, 1),
                                                                (1, 0, 0), (1, 6, 1)]


def test_a_beats_values_are_its_pitch_classes_its_first_note_and_its_new_notes():
    steps = np.asarray([62, 62, 64, REST], np.int16)  # D for an eighth, E, a rest (in C)
    values = beat_values(steps, 62, 0)
    assert values.shape == (BEAT_VALUES,)
    assert values[2] == 0.5 and values[4] == 0.25 and values[:12].sum() == 0.75
    assert values[12 + 2] == 1.0  # D on the beat
    assert values[-1] == 0.25  # only E starts: D was sounding before the beat
    assert beat_values(steps, None, 2)[-1] == 0.5  # read in D, and D starts too
    assert beat_values(steps, None, 2)[0] == 0.5


def test_features_read_the_beats_around_and_mark_the_tunes_ends():
    bars = [np.asarray([60] * 16, np.int16), np.asarray([67] * 16, np.int16)]
    beats = tune_beats([16, 16], [4, 4])
    features = beat_features(bars, beats, [4, 4], Key(0, False))
    assert features.shape == (8, BEAT_FEATURES) and features.dtype == np.float32
    assert not np.array_equal(features[0], features[1])  # they see different neighbours
    assert features[0, :BEAT_VALUES + 1].sum() == 0.0  # nothing six beats before the first
    assert features[-1, -2] == 0.0 and features[-1, -4] == 1.0  # the last beat is last


def test_the_best_chain_weighs_each_beat_against_the_step_between():
    log_probs = np.log(np.asarray([[0.9, 0.1], [0.45, 0.55], [0.9, 0.1]]))
    assert best_chain(log_probs, np.zeros((2, 2))) == [0, 1, 0]
    staying = np.log(np.asarray([[0.9, 0.1], [0.1, 0.9]]))
    assert best_chain(log_probs, staying) == [0, 0, 0]  # a change costs more than it gains
    assert best_chain(np.zeros((0, 2)), staying) == []


def test_changes_hold_until_the_next_one_through_a_bar_without_any():
    starts = np.asarray([0, 4, 8])
    by_step = changes_by_step(starts, 10, [[(2, "C")], [], [(0, "G"), (1, "D")]], None)
    assert by_step == [None, None, "C", "C", "C", "C", "C", "C", "G", "D"]


def test_a_harmonizer_with_the_wrong_shape_is_refused():
    wrong = BeatHarmonizer(np.zeros((3, 1), np.float32), np.zeros(1, np.float32),
                           np.zeros((1, VOCABULARY), np.float32), np.zeros(VOCABULARY, np.float32),
                           np.zeros((VOCABULARY, VOCABULARY), np.float32))
    with pytest.raises(ValueError, match="beat harmonizer for 3 features"):
        wrong.check()


def _name(index):
    return chord_symbol(index, PITCH_CLASS_NAMES)


def test_the_shipped_harmonizer_hears_tonic_dominant_and_subdominant_beat_by_beat():
    model = ChordModel.load(data_dir("models") / "chords.npz")
    tune = [[60, 64, 67, 64], [67, 71, 74, 71], [60, 64, 67, 72], [65, 69, 72, 69],
            [67, 71, 74, 65], [72, 67, 64, 60]]
    grid = melody_grid(tune)
    bars = [grid.melody[grid.bar_slice(b)] for b in range(grid.bars)]
    harmonized = model.beats.harmonize(bars, grid_beat_steps(grid), Key(0, False))
    firsts = [_name(changes[0][1]) for changes in harmonized]
    assert firsts[0] == "C" and _name(harmonized[-1][-1][1]) == "C"
    assert _name(dict(harmonized[1])[4]) in ("G", "G7")  # the second bar's B
    assert firsts[3] in ("F", "Dm", "Dm7") and firsts[4] in ("G", "G7")
    assert all(step % 4 == 0 for changes in harmonized for step, _ in changes)  # on beats
    assert all(changes[0][0] == 0 for changes in harmonized)  # every bar names its chord
    moved = model.beats.harmonize([bar + 2 for bar in bars], grid_beat_steps(grid),
                                  Key(2, False))  # the same tune in D
    assert [[(s, (c + 2 * 9) % VOCABULARY) for s, c in changes] for changes in harmonized] \
        == [[(s, c) for s, c in changes] for changes in moved]
    assert chord_index(2, "maj") == moved[0][0][1]
