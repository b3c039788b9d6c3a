"""A style chosen mid-jam in the window (real window offscreen, model, FluidSynth): each voice's
sound changes once, on the bar line the new style starts, in the take as in the synth."""

import mido

from tests.gui.test_window import _play_file


def test_a_style_chosen_mid_jam_changes_each_sound_once_on_its_bar_line(
        window, qtbot, fast_melody, second_style, tmp_path, monkeypatch):
    target = tmp_path / "take.mid"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), "MIDI (*.mid)"))
    window.band.model.setCurrentText("bach")
    window.recording.record.setChecked(True)
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    jam = window.controller.jam
    first = jam.session.band.generator
    qtbot.waitUntil(lambda: (jam.snapshot().last_bar or 0) >= 2, timeout=15000)
    window.band.model.setCurrentText("palestrina")  # the strips follow with their programs
    qtbot.waitUntil(lambda: jam.session.band.generator is not first, timeout=30000)
    qtbot.waitUntil(lambda: jam.snapshot().stats.get("style_changes") == 1, timeout=5000)
    qtbot.waitUntil(lambda: synth_program(jam, 1) == 52, timeout=10000)
    window.transport.play.setChecked(False)
    midi = mido.MidiFile(target)
    bar_ticks = 4 * midi.ticks_per_beat
    changes: dict[int, list[tuple[int, int]]] = {}
    for track in midi.tracks:
        ticks = 0
        for message in track:
            ticks += message.time
            if message.type == "program_change":
                changes.setdefault(message.channel, []).append((ticks, message.program))
    for channel in (1, 2, 3):
        (_, before), (at, after) = changes[channel]  # the first sound, then the new one: once
        assert before != after and at > 0 and at % bar_ticks == 0, changes  # on a bar line


def synth_program(jam, channel: int) -> int:
    """The program FluidSynth now plays on a channel."""
    return jam.synth.synth.synth.program_info(channel)[2]
