"""The window while stopped and its takes: keys sound before Play, the takes list plays a
take back through the synth, exports it (metronome only when asked) and opens its folder.
Real Qt offscreen, real FluidSynth (no sound card: its render thread stands in)."""

import wave
from pathlib import Path

import numpy as np

from coperformer.gui.panels import QWERTY_LABEL
from tests.gui.test_window import _play_file


def _voices(window):
    synth = window.controller.idle.synth
    return synth.synth.synth.get_active_voice_count() if synth is not None else 0


def test_keys_sound_while_stopped_and_the_jam_takes_the_device_over(window, qtbot):
    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    assert not window.controller.running
    qtbot.keyPress(window, "a")  # C4
    qtbot.waitUntil(lambda: _voices(window) > 0, timeout=3000)
    qtbot.keyRelease(window, "a")
    window.transport.count_in.setValue(0)
    window.transport.play.setChecked(True)
    assert window.controller.running and window.controller.idle.synth is None
    window.transport.play.setChecked(False)
    qtbot.keyPress(window, "s")  # stopped again: it sounds again
    qtbot.waitUntil(lambda: _voices(window) > 0, timeout=3000)
    qtbot.keyRelease(window, "s")


def _record_a_take(window, qtbot, fast_melody, target, monkeypatch):
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), "MIDI (*.mid)"))
    window.recording.record.setChecked(True)
    _play_file(window, fast_melody)
    qtbot.waitUntil(lambda: window.roll.band_notes_count() > 10, timeout=15000)
    window.transport.play.setChecked(False)
    assert target.is_file()


def test_the_takes_list_plays_exports_and_opens_a_take(window, qtbot, fast_melody, tmp_path,
                                                       monkeypatch):
    take = tmp_path / "first.mid"
    _record_a_take(window, qtbot, fast_melody, take, monkeypatch)
    dialog = window.show_takes()
    assert dialog.list.count() == 1
    assert dialog.list.item(0).text().startswith("first.mid")
    assert "0:0" in dialog.list.item(0).text()  # its length, a few seconds
    dialog.play_selected()
    assert window.controller.idle.playing
    qtbot.waitUntil(lambda: _voices(window) > 0, timeout=5000)
    dialog.stop_playback()
    assert not window.controller.idle.playing

    exported = {}
    for click in (False, True):
        wav = tmp_path / f"take-{click}.wav"
        monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                            lambda *a, wav=wav, **k: (str(wav), "WAV (*.wav)"))
        dialog.click.setChecked(click)
        done = []
        window.exporter.done.connect(done.append)
        dialog.export_selected()
        qtbot.waitUntil(lambda done=done: bool(done), timeout=60000)
        with wave.open(str(wav)) as audio:
            exported[click] = np.frombuffer(audio.readframes(audio.getnframes()), np.int16)
    assert window.recording.export_click.isChecked()  # the dialog's box is the window's
    length = min(len(exported[False]), len(exported[True]))
    assert not np.array_equal(exported[False][:length], exported[True][:length])

    opened = []
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    assert dialog.open_folder()
    assert Path(opened[0]) == tmp_path
    dialog.close()


def test_a_take_that_went_away_leaves_the_list(window, qtbot, fast_melody, tmp_path,
                                               monkeypatch):
    take = tmp_path / "gone.mid"
    _record_a_take(window, qtbot, fast_melody, take, monkeypatch)
    take.unlink()
    assert window.show_takes().list.count() == 0
