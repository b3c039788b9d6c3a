"""Steering the band with the left hand, through the real model and engine: every band note
fits the chord the left hand held a beat before it starts, whether the chord changes on a
bar line or in the middle of a bar (the band follows from the next beat; at a slow tempo from
the next eighth)."""


import pytest

from coperformer.io.midifile import read_song
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from tests.host_probe import play_to_end
from tests.jam.helpers import REPLAN_MARGIN_MS
from tests.midi_helpers import melody_notes, note_ons, write_midi

CHORDS = [(45, 48, 52), (41, 45, 48), (43, 47, 50, 53), (36, 40, 43)]  # Am F G7 C, 2 bars each
CLASSES = [{p % 12 for p in chord} for chord in CHORDS]


def _jam_two_hands(tmp_path, bpm: float, offset: float):
    """Play the melody above F#3 and the chords below it (changing ``offset`` quarters into
    every other bar) through the real model, recorded, with the re-plans' margin; returns the
    jam's result and take."""
    left = [(p, 8.0 * i + offset, 8.0 * i + offset + 7.5) for i, chord in enumerate(CHORDS)
            for p in chord]
    source = write_midi(tmp_path / "two-hands.mid", [
        {"channel": 0, "notes": melody_notes(9, low=67)}, {"channel": 0, "notes": left}],
        bpm=bpm, midi_type=0)
    take = tmp_path / "take.mid"
    jam = Jam.build(JamOptions(input=str(source), count_in=0, record=take, split="F#3",
                                margin_ms=REPLAN_MARGIN_MS))
    return play_to_end(jam), take


@pytest.mark.parametrize("offset", [0.0, 2.0])  # chords change on the bar line, or on beat 3
def test_band_notes_fit_the_chord_held_a_beat_before(tmp_path, shipped_model, offset):
    result, take = _jam_two_hands(tmp_path, 200, offset)
    assert result.stats["replan_ms"]["n"] >= 3 and "re-plans inside bars" in result.summary()
    ons = note_ons(take)
    fits, total, changes = 0, 0, 0
    for name in ("Alto", "Tenor", "Bass"):
        for at, pitch in ons[name]:
            held = int((at - 1 - offset) // 8)  # the chord held a beat before the note
            if 0 <= held < len(CHORDS) and at >= 1 + offset:
                total += 1
                fits += pitch % 12 in CLASSES[held]
                changes += (at - offset) % 8 == 1  # the beat after a chord change
    assert total > 40 and changes >= 6
    assert fits == total, f"{fits} of {total} band notes fit the chord"


def test_at_a_slow_tempo_the_band_sounds_the_new_chord_from_the_next_eighth(tmp_path,
                                                                            shipped_model):
    offset = 1.25  # a sixteenth after beat 2: the next eighth (1.5) comes before beat 3
    result, take = _jam_two_hands(tmp_path, 70, offset)
    song = read_song(take)
    band = [n for t in song.tracks if t.name in ("Alto", "Tenor", "Bass") for n in t.notes]
    sounding = []
    for change in range(1, len(CHORDS)):  # just after the eighth that follows each change
        probe = round((8 * change + offset + 0.25 + 0.1) * song.ticks_per_beat)
        sounding += [(change, pitch) for pitch, on, off, _ in band if on <= probe < off]
    assert len(sounding) >= 3
    misfits = [(change, pitch) for change, pitch in sounding if pitch % 12 not in CLASSES[change]]
    assert not misfits, f"{misfits} sound after the eighth that follows a change"
