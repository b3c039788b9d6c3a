"""The band's register follows the player's: the upper voices keep under the melody, and a
voice set to float keeps above it (through the real model and a recorded take)."""

import time

import numpy as np

from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from coperformer.model.decoding import chord_mask
from coperformer.music import features as F
from coperformer.music.chord_type import Chord
from tests.midi_helpers import melody_notes, note_ons, write_midi


def test_a_floating_voice_may_only_take_chord_tones_above_the_player():
    chord = Chord((0, 4, 7), 0, ceiling=60, top=67, floating=frozenset({0}))
    mask = chord_mask(chord)
    pitches = np.arange(F.BAND_SIZE) + F.BAND_LOW
    assert set(pitches[mask[0]]) == {72, 76, 79}  # above G4
    assert max(pitches[mask[1]]) <= 60 and set(pitches[mask[1]] % 12) <= {0, 4, 7}
    high = chord_mask(Chord((0, 4, 7), 0, ceiling=60, top=79, floating=frozenset({0})))
    assert mask[0].sum() < high[0].sum()  # no room above: any chord tone, never none


def _notes_by_bar(path, bar_quarters=4.0):
    return {name: [(int(at // bar_quarters), pitch) for at, pitch in ons]
            for name, ons in note_ons(path).items()}


def _take(tmp_path, floating):
    melody = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": melody_notes(10, low=60)}],
                        bpm=240)
    take = tmp_path / f"take-{len(floating)}.mid"
    jam = Jam.build(JamOptions(input=str(melody), count_in=0, record=take,
                               floating=frozenset(floating)))
    jam.start()
    while jam.running:
        time.sleep(0.05)
    assert jam.finish().error is None
    return _notes_by_bar(take)


def _share_above(notes, voice):
    highest = {}
    for bar, pitch in notes["Melody"]:
        highest[bar] = max(highest.get(bar, 0), pitch)
    judged = [(pitch > highest[bar - 1]) for bar, pitch in notes[voice] if bar - 1 in highest]
    return sum(judged) / max(1, len(judged)), len(judged)


def test_the_top_voice_floats_above_the_melody_when_asked(tmp_path, shipped_model):
    floating = _take(tmp_path, {0})
    under = _take(tmp_path, set())
    above_share, judged = _share_above(floating, "Alto")
    assert judged >= 8 and above_share >= 0.9
    assert _share_above(under, "Alto")[0] <= 0.1  # by default it keeps under
    assert _share_above(floating, "Tenor")[0] <= 0.1  # the other voice still keeps under
