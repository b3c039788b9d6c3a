"""Human chord data from music21's corpus (split by tune, never the evaluation tunes), its
transposition invariance, and `coperformer train-chords` (a few steps, resumed)."""

import json

import numpy as np

from coperformer.cli.main import main
from coperformer.model import dataset as D
from coperformer.model.chord_data import (
    LEAD_SHEETS,
    SHIFTS,
    chorale_tunes,
    labelled_sets,
    lead_sheet_tunes,
    training_arrays,
    transposed,
    tune_examples,
)
from coperformer.model.chord_training import checkpoint_path
from coperformer.model.collections import EVALUATION, TUNING
from coperformer.model.store import load_chord_model
from coperformer.music.chord_model import (
    FEATURES,
    INSIDE_AT,
    MINOR_FEATURE,
    ChordModel,
    heard_key,
)
from coperformer.music.chords import VOCABULARY, bar_chord, transpose_chord


def test_splits_are_by_tune_disjoint_and_keep_the_gan_test_chorales_held_out():
    sets = labelled_sets()
    names = {part: [t.name for t in tunes] for part, tunes in sets.items()}
    assert all(len(set(n)) == len(n) for n in names.values())
    assert not set(names["train"]) & set(names["validation"])
    assert not set(names["train"]) & set(names["test"])
    assert not set(names["validation"]) & set(names["test"])
    bars, _ = D.load_corpus("bach")
    gan_test = set(D.corpus_split("bach", bars.names)["test"])
    assert gan_test <= set(names["test"]) and not gan_test & set(names["train"])
    assert {t.name for t in lead_sheet_tunes()} <= set(names["test"])
    assert len(names["train"]) > 200


def test_no_evaluation_or_tuning_collection_is_read_for_chords():
    sources = {s.rstrip("/") for group in (EVALUATION, TUNING) for c in group for s in c.sources}
    for source in LEAD_SHEETS:
        assert not any(source.startswith(s) or s.startswith(source.rsplit(".", 1)[0])
                       for s in sources)
    names = [t.name for tunes in labelled_sets().values() for t in tunes]
    assert all(n.startswith("bach/") or n.split("#")[0] in LEAD_SHEETS for n in names)


def test_lead_sheets_carry_their_written_chords():
    tunes = lead_sheet_tunes()
    assert len(tunes) == 4
    for tune in tunes:
        chords = [c for c in tune.bar_chords() if c is not None]
        assert len(chords) > 0.8 * tune.grid.bars and len(set(chords)) >= 3


def test_the_training_tunes_come_in_all_twelve_keys_and_read_alike_in_each():
    tune, finder = chorale_tunes()["train"][0], load_chord_model().keys
    x, y = tune_examples(tune, finder)
    assert x.shape[1] == FEATURES and len(x) == len(y) > 5
    assert y.max() < VOCABULARY
    for shift in (-5, 1, 4):
        moved = transposed(tune, shift)
        assert moved.grid.melody[0] == tune.grid.melody[0] + shift
        tx, ty = tune_examples(moved, finder)
        keep = np.arange(FEATURES) != MINOR_FEATURE + 1  # the key's margin moves with the prior
        same = (tx[:, keep] == x[:, keep]).all(axis=1) & (ty == y)
        assert same.mean() >= 0.6  # only the key prior (major, common keys) tells them apart
    arrays = training_arrays(finder)  # the first tune comes first, in each of the 12 keys
    in_all_keys = np.concatenate([tune_examples(transposed(tune, s), finder)[1]
                                  for s in SHIFTS])
    assert len(SHIFTS) == 12
    assert np.array_equal(arrays["y_train"][: len(in_all_keys)], in_all_keys)


def test_train_chords_writes_a_model_and_card_and_resumes(tmp_path, capsys):
    out = tmp_path / "chords.npz"
    checkpoint_path(out).unlink(missing_ok=True)
    assert main(["train-chords", "--out", str(out), "--steps", "4", "--beat-steps", "4"]) == 0
    assert "validation: top1=" in capsys.readouterr().out
    model = ChordModel.load(out)
    arrays = training_arrays(model.keys)
    log_probs = model.log_probs(arrays["x_test"][:3])
    assert log_probs.shape == (3, VOCABULARY)
    assert np.allclose(np.exp(log_probs).sum(axis=1), 1.0, atol=1e-4)
    card = json.loads(out.with_suffix(".json").read_text())
    for key in ("data", "command", "config", "wall_seconds", "metrics", "sha256", "objective",
                "key_finder", "beat_harmonizer"):
        assert key in card
    assert card["metrics"]["test"]["examples"] == len(arrays["y_test"])
    assert 0 < card["metrics"]["validation"]["top1"] <= 1
    assert card["config"]["beats"]["steps"] == 4
    beats = card["beat_harmonizer"]["held_out_agreement"]["validation"]
    assert 0 <= beats["root"] <= 1 and 0 < beats["note_in_chord"] <= 1
    assert main(["train-chords", "--out", str(out), "--steps", "4", "--beat-steps", "4",
                 "--resume"]) == 0
    assert "resumed at step 4" in capsys.readouterr().out
    checkpoint_path(out).unlink(missing_ok=True)


def test_each_bar_teaches_its_first_chord_and_its_second_halfs_from_the_first_half():
    tune, finder = chorale_tunes()["train"][0], load_chord_model().keys
    x, y = tune_examples(tune, finder)
    bars, halves = tune.melody_bars(), tune.halves()
    split = [b for b in range(1, len(bars))
             if halves[b].half is not None and halves[b].second is not None]
    assert split, "a chorale's 4/4 bars may change at their half"
    inside = x[:, -1] == 1.0  # the first half heard, its chord given
    assert inside.sum() == len(split) and (~inside).sum() == sum(
        h.first is not None for h in halves[1:])
    for row, b in enumerate(split):
        first_half = bars[b][:halves[b].half]
        tonic = heard_key(bars[:b] + [first_half], finder).key.tonic
        assert y[inside][row] == transpose_chord(halves[b].second, -tonic)
        given = x[inside][row, INSIDE_AT + 12:INSIDE_AT + 12 + VOCABULARY].argmax()
        assert given == transpose_chord(halves[b].first, -tonic)
    labels = tune.labels[tune.grid.bar_slice(1)]
    assert halves[1].half == labels.shape[0] // 2
    assert halves[1].first == bar_chord(labels[:halves[1].half])
    assert halves[1].second == bar_chord(labels[halves[1].half:])
