"""The window's Ending button in a C-major tune that dwells on E, G and B (read as E minor by a
key profile alone): the final chord is C major, under the melody, the next bar (real window
offscreen, model and FluidSynth)."""

from tests.engine.test_first_hour import C_TUNE
from tests.gui.test_window import _play_file
from tests.midi_helpers import write_midi


def test_the_ending_button_ends_a_c_major_tune_on_c_under_the_melody(window, qtbot, tmp_path):
    notes = [(pitch, 4 * bar + beat, 4 * bar + beat + 0.9)
             for bar, pitches in enumerate(C_TUNE * 3) for beat, pitch in enumerate(pitches)
             if pitch is not None]
    source = write_midi(tmp_path / "c.mid", [{"channel": 0, "notes": notes}], bpm=200)
    planned = {}
    window.bridge.planned.connect(lambda bar, scheduled: planned.__setitem__(bar, scheduled))
    _play_file(window, source)
    assert window.controller.running, window.banner.text()
    session = window.controller.jam.session
    qtbot.waitUntil(lambda: (session.snapshot().last_bar or 0) >= 8, timeout=20000)
    window.transport.ending.click()
    asked = session.snapshot().last_bar
    qtbot.waitUntil(lambda: not window.transport.play.isChecked(), timeout=15000)
    assert session.ending.bar in (asked + 1, asked + 2)  # the next bar not decided yet
    final = sorted(n.pitch for n in planned[session.ending.bar])
    assert {p % 12 for p in final} == {0, 4, 7} and final[0] % 12 == 0, final  # C major
    assert max(final) < 60, final  # under the melody (its lowest notes: D4, C4)
