"""The window's Follow me switch: it reaches the jam, and the position shows the tracked tempo."""

import re

from tests.gui.test_window import _play_file


def test_follow_me_reaches_the_session_and_shows_the_tempo(window, qtbot, fast_melody):
    window.transport.follow.setChecked(True)
    assert window.options().follow
    _play_file(window, fast_melody, tempo=200)
    assert window.controller.running, window.banner.text()
    qtbot.waitUntil(lambda: (window.controller.snapshot().planned_bar or 0) >= 2,
                    timeout=15000)
    qtbot.waitUntil(lambda: "BPM" in window.transport.position.text(), timeout=5000)
    shown = re.search(r"(\d+) BPM", window.transport.position.text())
    assert shown and 180 <= int(shown.group(1)) <= 220  # the file's 200 BPM, as tracked
    qtbot.waitUntil(lambda: "%" in window.transport.follow.text(), timeout=5000)
    sure = re.search(r"Follow me (\d+)%", window.transport.follow.text())
    assert sure and int(sure.group(1)) >= 50  # a steady file: the tracker is sure of it
    window.transport.play.setChecked(False)
    window.transport.follow.setChecked(False)
    assert not window.options().follow


def test_follow_me_is_remembered(window, qtbot, settings):
    from PySide6.QtCore import QSettings

    from coperformer.gui.settings import load_settings

    window.transport.follow.setChecked(True)
    qtbot.waitUntil(lambda: str(QSettings(settings.fileName(), QSettings.IniFormat).value(
        "follow")).lower() == "true", timeout=5000)
    window.transport.follow.setChecked(False)
    load_settings(window, QSettings(settings.fileName(), QSettings.IniFormat))
    assert window.transport.follow.isChecked()


def test_the_switch_says_what_the_tracker_does():
    from coperformer.gui.status_text import follow_label
    from coperformer.music.beat_tracker import FERMATA, LOCKED, LOST

    assert follow_label(None) == "Follow me"
    assert follow_label((LOCKED, 0.87)) == "Follow me 87%"
    assert follow_label((LOST, 0.0)) == "Follow me: lost"
    assert follow_label((FERMATA, 0.9)) == "Follow me: fermata"
