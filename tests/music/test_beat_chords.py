"""The live band's chord beat by beat (music/beat_chords.py and the planner's plan_beat): what
the next-beat model reads, that it reads nothing of the beat it decides, and how the planner
changes chord at a beat or keeps the one sounding."""

import numpy as np
import pytest

from coperformer.common.paths import data_dir
from coperformer.music.beat_chords import (
    CHORDS_AT,
    INPUT_CHORDS,
    NEXT_BEAT_FEATURES,
    PAST_BEATS,
    Frame,
    NextBeatModel,
    beat_starts,
    next_beat_features,
)
from coperformer.music.chord_model import ChordModel
from coperformer.music.chords import NO_CHORD_INDEX, VOCABULARY, chord_index, chord_root
from coperformer.music.harmony import Key
from coperformer.music.listening import HarmonyPlanner
from coperformer.music.roll import REST
from tests.engine.fakes import second_beat_chord_model

ARPEGGIO = np.repeat(np.asarray([60, 64, 67, 64], np.int16), 4)  # C E G E, a bar of quarters


def test_beats_start_on_each_bars_beats_and_a_short_bar_keeps_its_own():
    assert beat_starts([16, 16], [4, 4]) == [0, 4, 8, 12, 16, 20, 24, 28]
    assert beat_starts([12, 6], [6, 6]) == [0, 6, 12]  # 6/8: dotted quarters
    assert beat_starts([4, 16], [4, 4]) == [0, 4, 8, 12, 16]  # a pickup of one beat


def test_the_features_are_read_in_the_key_heard():
    heard = np.concatenate([ARPEGGIO, ARPEGGIO[:8]])
    starts = beat_starts([16, 8], [4, 4])
    in_c = next_beat_features(heard, starts, 2, Frame(0, False, 0.5), (chord_index(0, "maj"),
                                                                       None))
    up = np.where(heard == REST, REST, heard + 5).astype(np.int16)
    in_f = next_beat_features(up, starts, 2, Frame(5, False, 0.5), (chord_index(5, "maj"), None))
    assert in_c.shape == (NEXT_BEAT_FEATURES,)
    np.testing.assert_array_equal(in_c, in_f)


def test_only_the_last_beats_heard_are_read_beat_by_beat():
    long = np.tile(ARPEGGIO, 4)
    starts = beat_starts([16] * 4, [4] * 4)
    changed = long.copy()
    changed[:4] = 62  # a note more than PAST_BEATS beats back
    frame = Frame(0, False, 0.5)
    a = next_beat_features(long, starts, 0, frame, (None, None))
    b = next_beat_features(changed, starts, 0, frame, (None, None))
    window = slice(0, CHORDS_AT - 12)  # the beats read one by one and the beat's place
    np.testing.assert_array_equal(a[window], b[window])
    assert not np.array_equal(a, b)  # the melody's pitch classes so far still hear it
    assert len(starts) > PAST_BEATS


def test_no_chord_before_is_its_own_input():
    features = next_beat_features(ARPEGGIO, [0, 4, 8, 12], 0, Frame(0, False, 1.0),
                                  (None, chord_index(7, "maj")))
    chords = features[CHORDS_AT:CHORDS_AT + 2 * INPUT_CHORDS].reshape(2, INPUT_CHORDS)
    assert chords[0].argmax() == NO_CHORD_INDEX and chords[0].sum() == 1
    assert chords[1].argmax() == chord_index(7, "maj") and chords[1].sum() == 1


def test_a_next_beat_model_of_the_wrong_shape_is_refused():
    wrong = NextBeatModel(np.zeros((NEXT_BEAT_FEATURES - 1, 4), np.float32),
                          np.zeros(4, np.float32), np.zeros((4, VOCABULARY), np.float32),
                          np.zeros(VOCABULARY, np.float32))
    with pytest.raises(ValueError, match="next-beat model"):
        wrong.check()


def test_a_chord_model_file_without_a_next_beat_model_is_refused(tmp_path):
    with np.load(data_dir("models") / "chords.npz") as data:
        kept = {name: data[name] for name in data.files if not name.startswith("next_")}
    np.savez(tmp_path / "old.npz", **kept)
    with pytest.raises(ValueError, match="retrain"):
        ChordModel.load(tmp_path / "old.npz")


def test_the_planner_changes_chord_at_the_beat_the_model_asks_and_keeps_it_elsewhere():
    planner = HarmonyPlanner(second_beat_chord_model(), adventure=0.0, key=Key(0, False))
    bars = [ARPEGGIO] * 3
    assert planner.plan(bars, 3).name == "C"
    assert planner.plan_beat(bars, 4, ARPEGGIO[:4], 4) is None  # bar 4 was never planned
    preview = planner.plan_beat(bars, 3, ARPEGGIO[:4], 4, commit=False)
    assert preview.name == "G" and planner.played[3] == chord_index(0, "maj")
    second = planner.plan_beat(bars, 3, ARPEGGIO[:4], 4)
    assert second.name == "G" and set(second.pitch_classes) == {7, 11, 2}
    assert planner.played[3] == chord_index(7, "maj") and planner.beats[-1] == chord_index(7,
                                                                                           "maj")
    assert planner.plan_beat(bars, 3, ARPEGGIO[:8], 4).name == "C"  # the bar's tonic again
    assert planner.plan_beat(bars, 3, ARPEGGIO[:12], 4) is None  # C goes on
    assert planner.beats == [chord_index(0, "maj")] * 2


def test_the_shipped_next_beat_model_hears_a_dominant_coming():
    """The shipped model, on a C major tune whose bar so far has outlined G7 (G B D F): the
    next beat's likeliest chords are G's and C's, as people harmonize it."""
    model = ChordModel.load(data_dir("models") / "chords.npz")
    planner = HarmonyPlanner(model, adventure=0.0, key=Key(0, False))
    tonic = np.repeat(np.asarray([60, 64, 67, 72], np.int16), 4)
    dominant = np.repeat(np.asarray([67, 71, 74, 77], np.int16), 2)
    bars = [tonic, tonic]
    planner.plan(bars, 2)
    planner.plan_beat(bars, 2, dominant, 4)
    assert chord_root(planner.played[2]) in (7, 0)  # the chord sounding from the next beat
