"""Styles: another model takes over mid-jam at the next bar, through the real engine."""

import time

import mido

from coperformer.io.take_check import note_balance
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from coperformer.model.store import load_model
from tests.host_probe import HostProbe, assert_on_time
from tests.midi_helpers import band_bars, melody_notes, write_midi

BARS = 10


def test_changing_style_mid_jam_takes_the_next_bar_with_no_gap(tmp_path, shipped_model,
                                                                second_style):
    melody = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": melody_notes(BARS)}],
                        bpm=240)
    take = tmp_path / "take.mid"
    jam = Jam.build(JamOptions(input=str(melody), count_in=0, record=take))
    first, second = jam.model, load_model(str(second_style))
    with HostProbe() as host:
        jam.start()
        while jam.running and (jam.snapshot().planned_bar or 0) < 4:
            time.sleep(0.01)
        jam.set_style(second)
        jam.set_style(second)  # the same style again changes nothing
        while jam.running:
            time.sleep(0.05)
        result = jam.finish()
    assert result.error is None, result.error
    assert jam.session.band.generator is second is not first
    assert result.stats["style_changes"] == 1
    assert_on_time(result.stats["missed_deadlines"], host, jam.options.margin_ms)
    assert set(range(1, BARS)) <= band_bars(take)  # the band never fell silent
    for track in (2, 3, 4):
        assert note_balance(take, track)[1] == 0  # every band note ended
    programs: dict[int, list[int]] = {}
    for track in mido.MidiFile(take).tracks:
        for message in track:
            if message.type == "program_change":
                programs.setdefault(message.channel, []).append(message.program)
    assert first.programs != second.programs
    assert programs == {ch: [a, b] for ch, a, b in zip((1, 2, 3), first.programs,
                                                       second.programs, strict=True)}
