import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


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
    yield win
    if win.controller.running:
        win.controller.stop()
