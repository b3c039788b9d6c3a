import numpy as np

from coperformer.music.baselines import best_triad, previous_bar_triads, same_bar_triads
from coperformer.music.harmony import Key, estimate_key, fits_one_chord, pitch_class_mask
from coperformer.music.meter import Meter
from coperformer.music.metrics import measure
from coperformer.music.notes import Note, Piece, bars_for
from coperformer.music.roll import grid_from_piece


def test_chord_fit_uses_pitch_class_mod_12():
    assert fits_one_chord(pitch_class_mask([60, 64, 67, 72, 76]))  # C major, octaves
    assert fits_one_chord(pitch_class_mask([55, 59, 62, 65]))  # G7
    assert not fits_one_chord(pitch_class_mask([60, 61, 62]))
    # pitch 64 is pitch class 4 (E) in any octave; a wrong reshape would call it something else
    assert pitch_class_mask([64]) == pitch_class_mask([40]) == 1 << 4


def test_key_estimation_finds_major_and_minor():
    c_major = np.array([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60] * 3)
    a_minor = np.array([57, 59, 60, 62, 64, 65, 68, 69, 64, 60, 57, 57] * 3)
    from coperformer.music.harmony import pitch_class_histogram
    assert estimate_key(pitch_class_histogram(c_major)) == Key(0, False)
    assert estimate_key(pitch_class_histogram(a_minor)) == Key(9, True)


def test_best_triad_fits_the_bar():
    melody = np.array([67] * 4 + [71] * 4 + [74] * 4 + [67] * 4)
    onsets = np.zeros(16, bool)
    onsets[::4] = True
    assert best_triad(melody, onsets, Key(0, False)) == (7, 11, 2)


def _piece_with_band(band_pitches):
    melody = [Note(p, i, i + 1) for i, p in enumerate([72, 76, 79, 76] * 2)]
    band = [[Note(p, 0, 8)] for p in band_pitches]
    return grid_from_piece(Piece(melody, band, bars_for(Meter(4, 4), 8)))


def test_metrics_reward_consonant_bands_and_punish_clashes():
    good = measure([_piece_with_band([67, 64, 48])], first_bar=0)
    bad = measure([_piece_with_band([61, 62, 63])], first_bar=0)
    assert good["harmonic_agreement"] > 0.95
    assert bad["harmonic_agreement"] < 0.5
    assert bad["chord_fit"] == 0.0
    assert good["in_key"] == 1.0
    assert good["polyphony"] == 3.0 and good["onsets_per_bar"] == 1.5


def test_empty_bars_and_distinct_bars():
    grid = _piece_with_band([67, 64, 48])
    grid.band[:, 16:] = -1
    grid.band_onset[:, 16:] = False
    figures = measure([grid], first_bar=0)
    assert figures["empty_bar_rate"] == 0.5
    assert figures["distinct_bars"] == 1.0


def test_baselines_fill_bars_causally():
    tune = [60, 64, 67, 64, 65, 69, 72, 69, 67, 71, 74, 71, 72, 67, 64, 60]
    melody = [Note(p, i, i + 1) for i, p in enumerate(tune)]
    grid = grid_from_piece(Piece(melody, [], bars_for(Meter(4, 4), 16)))
    same = same_bar_triads(grid_from_piece(Piece(melody, [], bars_for(Meter(4, 4), 16))))
    previous = previous_bar_triads(grid)
    assert set(same.band[:, 0] % 12) == {0, 4, 7}
    assert set(same.band[:, 16] % 12) == {5, 9, 0}
    assert set(same.band[:, 32] % 12) == {7, 11, 2}
    assert (previous.band[:, :16] == -1).all()
    assert set(previous.band[:, 16] % 12) == {0, 4, 7}
