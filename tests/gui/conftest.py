import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def wait_for_band(qtbot, window):
    """The band's strips appear once the model (loaded off the GUI thread) is ready."""
    qtbot.waitUntil(lambda: len(window.strips) == 4, timeout=30000)


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def fast_melody(tmp_path):
    """An 8-bar melody file at 200 BPM."""
    from tests.midi_helpers import melody_notes, write_midi

    return write_midi(tmp_path / "fast.mid", [{"channel": 0, "notes": melody_notes(8)}], bpm=200)


@pytest.fixture
def ports():
    return ["USB Keyboard MIDI 1"]


@pytest.fixture
def window(qtbot, settings, ports, tmp_path, monkeypatch, shipped_model):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    from coperformer.gui.app import make_window

    win = make_window(settings, list_inputs=lambda: list(ports))
    qtbot.addWidget(win)
    win.show()
    wait_for_band(qtbot, win)
    yield win
    if win.controller.running:
        win.controller.stop()
