"""Steering the band with the left hand, through the real model and engine: every band note
in a bar under a declared chord is a tone of that chord (the measure the issue asks for)."""

import time

import mido

from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from tests.midi_helpers import melody_notes, write_midi

CHORDS = [(45, 48, 52), (41, 45, 48), (43, 47, 50, 53), (36, 40, 43)]  # Am F G7 C, 2 bars each
CLASSES = [{p % 12 for p in chord} for chord in CHORDS]


def test_bars_under_a_declared_chord_fit_it(tmp_path, shipped_model):
    left = [(p, 8.0 * i, 8.0 * i + 7.5) for i, chord in enumerate(CHORDS) for p in chord]
    source = write_midi(tmp_path / "two-hands.mid", [
        {"channel": 0, "notes": melody_notes(9, low=67)}, {"channel": 0, "notes": left}],
        bpm=200, midi_type=0)
    take = tmp_path / "take.mid"
    jam = Jam.build(JamOptions(input=str(source), count_in=0, record=take, split="F#3"))
    jam.start()
    while jam.running:
        time.sleep(0.05)
    assert jam.finish().stats["missed_deadlines"] == 0
    midi = mido.MidiFile(take)
    fits, total = 0, 0
    for track in midi.tracks[2:5]:
        ticks = 0
        for message in track:
            ticks += message.time
            if message.type == "note_on" and message.velocity:
                bar = ticks // (4 * midi.ticks_per_beat)
                held = (bar - 1) // 2  # the chord held in the bar before (the decision)
                if bar >= 1 and (bar - 1) % 2 == 1 and held < len(CHORDS):
                    total += 1  # the second bar of each chord: declared a bar before
                    fits += message.note % 12 in CLASSES[held]
    assert total > 12 and fits == total, f"{fits} of {total} band notes fit the chord"
