"""The band measured through the engine's own session in virtual time (the shipped GAN and
chord model): live, it listens and decides from bar 2; offline, the melody known ahead, it
plays a harmonization of the whole tune from the first bar."""

import numpy as np
import pytest

from coperformer.model.live_engine import engine_live, engine_offline, harmonized_steps, perform
from coperformer.model.store import load_chord_model, load_model
from coperformer.music.chord_metrics import ChordTally
from coperformer.music.listening import HarmonyPlanner
from coperformer.music.meter import Meter
from coperformer.music.notes import Bar, Note, Piece, bars_for
from coperformer.music.roll import REST, grid_from_piece

TUNE = [[60, 64, 67, 64], [65, 69, 72, 69], [67, 71, 74, 71], [72, 67, 64, 60],
        [60, 64, 67, 64], [65, 69, 72, 69], [67, 65, 62, 59], [60, 60, 60, 60]]


def _grid(bars, pickup: list[int] = ()):
    lead = len(pickup)
    notes = [Note(p, i, i + 0.9) for i, p in enumerate(pickup)]
    notes += [Note(p, lead + b * 4 + i, lead + b * 4 + i + 0.9) for b, bar in enumerate(bars)
              for i, p in enumerate(bar)]
    bars_ = bars_for(Meter(4, 4), lead + 4.0 * len(bars), start=float(lead))
    if lead:  # a pickup: a short first bar
        bars_ = [Bar(0.0, Meter(lead, 4)), *bars_]
    return grid_from_piece(Piece(notes, [], bars_))


def test_the_live_band_listens_a_bar_then_decides_every_bar():
    model, chords = load_model("bach"), load_chord_model()
    grid = _grid(TUNE)
    band, declared = engine_live(model, chords, grid, seed=0, adventure=0.0)
    assert (declared.root[:16] == -1).all() and (declared.root[32:] != -1).all()
    assert (band.band[:, 16:] != REST).any() and (band.band[:, :16] == REST).all()
    tally = ChordTally()
    tally.add(grid, declared, None)
    assert tally.figures()["note_in_chord"] > 0.3


def test_the_coming_bars_previews_change_no_note_the_band_plays():
    """Each beat's preview of the coming bar draws what its decision draws: with them or
    without, the same notes at the same times and the same chords decided (each bar's last
    beat is silent, so decisions take their preview as it was)."""
    model, chords = load_model("bach"), load_chord_model()
    grid = _grid([bar[:3] for bar in TUNE])
    runs = [perform(model, chords, grid, seed=5, adventure=0.7, bpm=240, previews=previews)
            for previews in (True, False)]
    with_previews, without = (sorted(run.sink.scheduled) for run in runs)
    assert len(with_previews) > 40 and with_previews == without
    assert runs[0].session.band.reused > 2  # the decisions did take previews
    decided = [{bar: chord.name for bar, chord in run.planner.decided.items() if chord}
               for run in runs]  # (a bar with no chord: the band waits, nothing declared)
    assert decided[0] == decided[1] and len(decided[0]) >= len(TUNE) - 1, decided


def test_offline_the_band_plays_the_harmonization_from_a_pickup_on():
    """The whole tune harmonized first, then played through the session with the melody
    known ahead: every chord given is declared where it was planned, the band sounds from the
    pickup (not before it) and keeps to the chord's tones."""
    model, chords = load_model("bach"), load_chord_model()
    grid = _grid(TUNE, pickup=[67])
    planned = harmonized_steps(HarmonyPlanner(chords, 0.0), grid)
    band, declared = engine_offline(model, chords, grid, seed=0, adventure=0.0)
    assert [c.root if c else -1 for c in planned] == declared.root.tolist()
    assert (declared.root != -1).all()
    sounding = band.band != REST
    assert sounding[:, :4].any(), "the band plays the pickup"
    assert sounding.any(axis=0)[4:].mean() > 0.9
    in_chord = [int(pitch) % 12 in planned[step].pitch_classes
                for line in band.band for step, pitch in enumerate(line) if pitch != REST]
    assert np.mean(in_chord) > 0.95, np.mean(in_chord)


@pytest.mark.parametrize("meter", ["3/8", "2/4"])
def test_a_tune_in_a_meter_the_model_reads_as_other_plays_in_its_own_bars(meter):
    """2/4 and 3/8 bars are "other" to the model; the live band keeps the tune's meter all the
    same, so its chords change on the tune's bar lines (4/4's would fall mid-bar)."""
    model, chords = load_model("bach"), load_chord_model()
    kept = Meter.parse(meter)
    eighths = [[60, 64, 67], [65, 69, 72], [67, 71, 74], [72, 67, 64]] * 3
    if meter == "2/4":
        eighths = [bar + [bar[0]] for bar in eighths]
    notes = [Note(p, b * kept.bar_quarters + i * 0.5, b * kept.bar_quarters + i * 0.5 + 0.45)
             for b, bar in enumerate(eighths) for i, p in enumerate(bar)]
    grid = grid_from_piece(Piece(notes, [], bars_for(kept, kept.bar_quarters * len(eighths))))
    done = perform(model, chords, grid, seed=0, adventure=0.0, every="bar")
    assert done.session.transport.segment(0).meter == kept
    _, declared = engine_live(model, chords, grid, seed=0, adventure=0.0, every="bar")
    changes = [step for step in range(1, grid.steps) if declared.root[step] != declared.root[
        step - 1]]
    assert changes and all(step % kept.bar_steps == 0 for step in changes), changes
