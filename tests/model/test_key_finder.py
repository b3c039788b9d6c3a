"""The key finder: what it reads (each key's view of the same notes), the correlation finder
it starts from, and the shipped one hearing held-out tunes' keys better than the correlation."""

from __future__ import annotations

import numpy as np

from coperformer.model.store import load_chord_model
from coperformer.music.chords import likely_key, relative_key
from coperformer.music.harmony import Key, pitch_class_histogram
from coperformer.music.key_finder import (
    KEY_FEATURES,
    KEYS,
    correlation_finder,
    key_features,
)


def _bars(seed: int, shift: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [(rng.choice([60, 62, 64, 65, 67, 69, 71], 16) + shift).astype(np.int16)
            for _ in range(3)]


def test_each_key_reads_the_notes_from_its_tonic():
    bars, moved = _bars(1), _bars(1, shift=5)
    features, moved_features = key_features(bars), key_features(moved)
    assert features.shape == (KEYS, KEY_FEATURES)
    for key in (0, 3, 14):  # C major, C# minor, G major
        shifted = (key + 2 * 5) % KEYS
        assert np.allclose(features[key, :36], moved_features[shifted, :36])
    first = features[0, 24:36]
    assert first.sum() == 1.0 and first[bars[0][0] % 12] == 1.0  # the first note, from C


def test_the_correlation_finder_hears_as_the_profile_correlation():
    finder = correlation_finder()
    for seed in range(20):
        bars = _bars(seed, shift=seed % 12)
        key, margin = finder.find(bars)
        assert key == likely_key(pitch_class_histogram(np.concatenate(bars)))[0]
        assert 0.0 <= margin <= 1.0


def test_the_relative_key_shares_the_notes():
    for row in range(KEYS):
        major, minor = (row, relative_key(row)) if row % 2 == 0 else (relative_key(row), row)
        assert Key(major // 2, False).scale() <= Key(minor // 2, True).scale()
        assert relative_key(relative_key(row)) == row


def test_the_shipped_finder_hears_held_out_chorales_keys_better_than_the_correlation():
    from coperformer.model.chord_data import chorale_tunes
    from coperformer.model.key_training import key_accuracy, tune_key_truth

    tunes = [(t.grid, tune_key_truth(t.grid, t.labels)) for t in chorale_tunes()["validation"]]
    learned = key_accuracy(load_chord_model().keys, tunes)
    correlation = key_accuracy(correlation_finder(), tunes)
    assert learned["first_4_bars"] > correlation["first_4_bars"] + 0.1
    assert learned["first_16_bars"] > correlation["first_16_bars"]
