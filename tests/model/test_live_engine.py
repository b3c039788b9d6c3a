"""The live band measured through the engine's own session in virtual time (the shipped GAN
and chord model): it decides the same chords as accompany's live loop on a 4/4 tune."""

import numpy as np

from coperformer.model.evaluation import _band, melody_only
from coperformer.model.live_engine import engine_live
from coperformer.model.store import load_chord_model, load_model
from coperformer.music.chord_metrics import ChordTally
from coperformer.music.meter import Meter
from coperformer.music.notes import Note, Piece, bars_for
from coperformer.music.roll import REST, grid_from_piece

TUNE = [[60, 64, 67, 64], [65, 69, 72, 69], [67, 71, 74, 71], [72, 67, 64, 60],
        [60, 64, 67, 64], [65, 69, 72, 69], [67, 65, 62, 59], [60, 60, 60, 60]]


def _grid(bars):
    notes = [Note(p, b * 4 + i, b * 4 + i + 0.9) for b, bar in enumerate(bars)
             for i, p in enumerate(bar)]
    return grid_from_piece(Piece(notes, [], bars_for(Meter(4, 4), 4.0 * len(bars))))


def test_the_engine_decides_what_the_accompany_loop_decides(shipped_model):
    model, chords = load_model("bach"), load_chord_model()
    grid = _grid(TUNE)
    band, declared = engine_live(model, chords, grid, seed=0, adventure=0.0)
    _, looped = _band(model, chords, "live", 0, 0.0)(melody_only(grid))
    assert np.array_equal(declared.root, looped.root)
    assert np.array_equal(declared.mask, looped.mask)
    assert (declared.root[:16] == -1).all() and (declared.root[32:] != -1).all()
    assert (band.band[:, 16:] != REST).any() and (band.band[:, :16] == REST).all()
    tally = ChordTally()
    tally.add(grid, declared, None)
    assert tally.figures()["note_in_chord"] > 0.3
