import numpy as np

from coperformer.music.meter import Meter
from coperformer.music.notes import Note, Piece, bars_for, fold_pitch
from coperformer.music.roll import REST, grid_from_piece, line_to_notes, reduce_to_voices


def test_held_and_repeated_notes_differ():
    held = Piece([Note(60, 0, 2)], [], bars_for(Meter(4, 4), 4))
    repeated = Piece([Note(60, 0, 1), Note(60, 1, 2)], [], bars_for(Meter(4, 4), 4))
    a, b = grid_from_piece(held), grid_from_piece(repeated)
    assert (a.melody == b.melody).all()
    assert a.melody_onset.sum() == 1 and b.melody_onset.sum() == 2


def test_melody_takes_the_top_note_of_chords():
    piece = Piece([Note(60, 0, 1), Note(67, 0, 1), Note(64, 1, 2)], [], bars_for(Meter(4, 4), 4))
    grid = grid_from_piece(piece)
    assert grid.melody[0] == 67 and grid.melody[4] == 64


def test_three_band_parts_map_to_voices_and_decode_back():
    band = [[Note(67, 0, 4)], [Note(64, 0, 2), Note(62, 2, 4)], [Note(48, 0, 1), Note(48, 1, 4)]]
    piece = Piece([Note(72, 0, 4)], band, bars_for(Meter(4, 4), 4))
    grid = grid_from_piece(piece)
    assert list(grid.band[:, 0]) == [67, 64, 48]
    bass = line_to_notes(grid.band[2], grid.band_onset[2])
    assert [(n.pitch, n.start, n.end) for n in bass] == [(48, 0, 1), (48, 1, 4)]


def test_other_band_sizes_are_reduced_to_top_middle_bass():
    notes = [Note(p, 0, 1) for p in (40, 52, 55, 60, 64)]
    pitches, onsets = reduce_to_voices(notes, 4)
    assert list(pitches[:, 0]) == [64, 55, 40]
    assert onsets[:, 0].all() and not onsets[:, 1].any()
    assert (pitches[:, 4:] == REST).all()


def test_pickup_bar_and_three_four_layout():
    bars = bars_for(Meter(3, 4), 7)
    piece = Piece([Note(67, 2, 3), Note(72, 3, 6)], [], bars)
    grid = grid_from_piece(piece)
    assert list(grid.bar_len) == [12, 12, 12]
    assert grid.melody[8] == 67 and grid.melody_onset[12]


def test_fold_pitch_moves_by_octaves():
    assert fold_pitch(30, 55, 90) == 66
    assert fold_pitch(100, 55, 90) == 88
    assert fold_pitch(60, 55, 90) == 60


def test_long_bars_become_several_model_bars():
    piece = Piece([Note(60, 0, 6)], [], bars_for(Meter(12, 8), 6))
    grid = grid_from_piece(piece)
    assert list(grid.bar_len) == [12, 12]
    assert np.all(grid.melody[:24] == 60)
