"""Training the key finder: the key a tune ends in as its truth, data from the training folk
collections only, and a fit that hears its training tunes better than the correlation."""

from __future__ import annotations

import numpy as np

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.collections import EVALUATION, PLANNER_TRAINING, TUNING
from coperformer.model.key_training import (
    KeyConfig,
    fit_key_finder,
    key_accuracy,
    key_examples,
    tune_key_truth,
)
from coperformer.music.chords import chord_index
from coperformer.music.harmony import Key
from coperformer.music.key_finder import correlation_finder
from coperformer.music.roll import Grid


def _grid(pitches: list[int]) -> Grid:
    melody = np.asarray(pitches, np.int16).repeat(4)
    bars = len(melody) // 16
    return Grid(melody, np.ones_like(melody, bool), np.full((3, melody.size), -1, np.int16),
                np.zeros((3, melody.size), bool), np.arange(bars, dtype=np.int32) * 16,
                np.full(bars, 16, np.int32), np.zeros(bars, np.int8))


def test_the_truth_is_the_key_a_tune_ends_in():
    g_major = _grid([74, 71, 67, 71, 74, 74, 76, 71, 69, 69, 74, 74, 71, 69, 67, 67])  # no C
    assert tune_key_truth(g_major) == Key(7, False)
    labels = np.full(g_major.steps, chord_index(2, "maj"), np.int32)  # a D chord: D major fits
    assert tune_key_truth(g_major, labels).tonic == 2


def test_the_folk_data_is_never_an_evaluation_or_tuning_collection():
    training = {s for c in PLANNER_TRAINING for s in c.sources}
    judged = {s for group in (EVALUATION, TUNING) for c in group for s in c.sources}
    assert training and not training & judged


def test_a_fit_hears_its_tunes_keys_better_than_the_correlation():
    tunes = [(t.grid, tune_key_truth(t.grid, t.labels)) for t in chorale_tunes()["train"][:60]]
    x, y, heard = key_examples(tunes)
    assert x.shape[0] == y.shape[0] == heard.shape[0] > 100 and heard.max() <= 16
    finder = fit_key_finder(x, y, KeyConfig(steps=150))
    learned, correlation = key_accuracy(finder, tunes), key_accuracy(correlation_finder(), tunes)
    assert learned["first_16_bars"] > correlation["first_16_bars"] + 0.05
