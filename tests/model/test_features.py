import numpy as np

from coperformer.music import features as F
from coperformer.music.meter import Meter
from coperformer.music.notes import Note, Piece, bars_for
from coperformer.music.roll import grid_from_piece


def _slots():
    melody = [Note(60 + i, i, i + 1) for i in range(8)]
    band = [[Note(55, 0, 8)], [Note(52, 0, 8)], [Note(36, 0, 8)]]
    return F.slots_from_grid(grid_from_piece(Piece(melody, band, bars_for(Meter(3, 4), 8))))


def test_slots_pad_short_bars_and_mark_validity():
    slots = _slots()
    assert slots.melody.shape == (3, 16)
    assert slots.valid[0, :12].all() and not slots.valid[0, 12:].any()
    assert slots.take(np.array([-1])).valid.sum() == 0


def test_class_index_folds_out_of_range_pitches():
    idx = F.class_index(np.array([-1, F.MELODY_LOW, F.MELODY_LOW - 12, 120]), F.MELODY_LOW,
                        F.MELODY_SIZE)
    assert idx[0] == 0 and idx[1] == 1 and idx[2] == 1
    assert 1 <= idx[3] <= F.MELODY_SIZE


def test_feature_shapes():
    slots = _slots()
    ctx = slots.take(F.context_index(np.array([2]), np.array([0])).reshape(-1))
    assert F.context_features(ctx, 1).shape == (1, F.CONTEXT_CHANNELS, 64)
    assert F.melody_features(slots).shape == (3, F.MELODY_CHANNELS, 16)
    assert list(F.context_index(np.array([1]), np.array([0]))[0]) == [-1, -1, -1, 0]


def test_history_profile_is_causal_and_normalized():
    slots = _slots()
    per_bar = F.bar_pitch_classes(slots)
    profiles = F.history_profiles(per_bar, np.zeros(3, np.int32))
    assert (profiles[0] == 0).all()
    assert profiles[1].max() == 1.0
    assert (profiles[1][[(60 + i) % 12 for i in range(3)]] > 0).all()
    assert profiles[1][(60 + 5) % 12] == 0
