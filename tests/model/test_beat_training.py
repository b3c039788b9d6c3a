"""The beat harmonizer's training data (a chorale's beats and Bach's chord on each, read in
the melody's key), its succession table, a few training steps, and its held-out figures."""

import numpy as np
import pytest

from coperformer.model.beat_training import (
    BeatConfig,
    agreement,
    export_beats,
    fit_beats,
    transition_counts,
    tune_examples,
)
from coperformer.model.chord_data import chorale_tunes, transposed
from coperformer.music.beat_harmonizer import BEAT_FEATURES
from coperformer.music.chord_model import grid_beat_steps
from coperformer.music.chords import VOCABULARY, chord_root, transpose_chord, tune_key


@pytest.fixture(scope="module")
def chorales():
    """The chorales by split (read once for the module)."""
    return chorale_tunes()


def test_each_beat_teaches_bachs_chord_on_it_in_the_melodys_key(chorales):
    tune = chorales["train"][0]
    x, y = tune_examples(tune)
    beats = sum(-(-len(bar) // beat) for bar, beat in
                zip(tune.melody_bars(), grid_beat_steps(tune.grid), strict=True))
    assert x.shape == (beats, BEAT_FEATURES) and y.shape == (beats,)
    tonic = tune_key(tune.grid.melody).tonic
    first = int(tune.labels[0])
    assert y[0] == transpose_chord(first, -tonic)  # the first beat's chord, key-relative
    moved_x, moved_y = tune_examples(transposed(tune, 2))
    assert np.array_equal(moved_y, y) and np.allclose(moved_x, x)  # a key is a key


def test_the_succession_table_counts_neighbouring_beats(chorales):
    tunes = chorales["train"][:3]
    counts = transition_counts(tunes)
    assert counts.shape == (VOCABULARY, VOCABULARY)
    pairs = sum(int(np.count_nonzero((y[:-1] >= 0) & (y[1:] >= 0)))
                for _, y in (tune_examples(t) for t in tunes))
    assert counts.sum() == pairs
    tonic = 0  # chords are key-relative: I (major) is the row most often left or kept
    assert chord_root(int(counts.sum(axis=1).argmax())) == tonic


def test_a_few_steps_make_a_harmonizer_whose_figures_are_shares(chorales):
    tunes = chorales
    examples = [tune_examples(t) for t in tunes["train"][:20]]
    x = np.concatenate([f for f, _ in examples])
    y = np.concatenate([labels for _, labels in examples])
    keep = y >= 0
    net = fit_beats(x[keep], y[keep], BeatConfig(steps=30, batch=64))
    harmonizer = export_beats(net, transition_counts(tunes["train"][:20]))
    harmonizer.check()
    figures = agreement(harmonizer, tunes["validation"][:5])
    assert 0 <= figures["symbol"] <= figures["root"] <= 1
    assert 0 < figures["note_in_chord"] <= 1 and figures["human_changes_per_bar"] > 0
    assert np.allclose(np.exp(harmonizer.transitions).sum(axis=1), 1.0, atol=1e-4)
