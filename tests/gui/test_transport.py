"""The transport through the real window: a sane position while sync start waits, and a
meter changed while playing taking effect at a bar line."""

from coperformer.gui.panels import QWERTY_LABEL
from coperformer.gui.status_text import NO_POSITION
from tests.gui.test_window import _play_file


def test_sync_start_waits_with_a_sane_position_then_starts_on_the_first_note(window, qtbot):
    window.transport.position.setText("1891:2")  # whatever an earlier jam left there
    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    window.transport.sync_start.setChecked(True)
    window.transport.play.setChecked(True)
    assert window.controller.running, window.banner.text()
    qtbot.wait(400)
    assert window.transport.position.text() == NO_POSITION
    assert not window.controller.snapshot().started
    qtbot.keyPress(window, "a")  # C: the first note starts bar 1
    qtbot.waitUntil(lambda: window.controller.snapshot().started, timeout=3000)
    qtbot.keyRelease(window, "a")
    qtbot.waitUntil(lambda: window.transport.position.text().startswith("1:"), timeout=3000)
    window.transport.play.setChecked(False)


def test_the_position_counts_the_count_in_the_player_plays(window, qtbot):
    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    window.transport.follow.setChecked(True)
    window.transport.sync_start.setChecked(True)
    window.transport.count_in.setValue(1)
    window.transport.play.setChecked(True)
    assert window.controller.running, window.banner.text()
    qtbot.waitUntil(lambda: window.transport.position.text() == "count-in 0/4", timeout=3000)
    for beat, key in enumerate("asd", 1):  # three beats of the four, half a second apart
        qtbot.keyPress(window, key)
        qtbot.waitUntil(lambda b=beat: window.transport.position.text() == f"count-in {b}/4",
                        timeout=3000)
        qtbot.keyRelease(window, key)
        qtbot.wait(450)
    assert not window.controller.snapshot().started
    qtbot.keyPress(window, "f")  # the fourth: bar 1 starts on the next beat
    qtbot.waitUntil(lambda: window.controller.snapshot().started, timeout=3000)
    qtbot.keyRelease(window, "f")
    qtbot.waitUntil(lambda: window.transport.position.text()[:2] in ("0:", "1:"), timeout=3000)
    window.transport.play.setChecked(False)
    window.transport.follow.setChecked(False)


def test_a_meter_changed_while_playing_starts_at_the_next_free_bar_line(window, qtbot,
                                                                          fast_melody):
    _play_file(window, fast_melody, tempo=160)
    qtbot.waitUntil(lambda: (window.controller.snapshot().planned_bar or 0) >= 1,
                    timeout=15000)
    planned = window.controller.snapshot().planned_bar
    window.transport.meter.setCurrentText("3/4")
    qtbot.waitUntil(lambda: len(window.controller.snapshot().segments) >= 2, timeout=5000)
    change = window.controller.snapshot().segments[-1]
    assert str(change.meter) == "3/4" and change.first_bar > planned
    first_shown = change.first_bar + 1  # the position shows bars from 1
    qtbot.waitUntil(lambda: int(window.transport.position.text().split(":")[0]) > first_shown,
                    timeout=15000)
    beats = {int(window.transport.position.text().split(":")[1]) for _ in range(40)
             if not qtbot.wait(50)}
    assert max(beats) <= 3  # the display counts three beats now
    window.transport.play.setChecked(False)


def test_the_float_above_box_moves_a_voice_over_the_player_mid_jam(window, qtbot,
                                                                    fast_melody, settings):
    from coperformer.engine.sinks import BAND_CHANNELS

    alto, tenor, bass = (s for s in window.strips if s.channel in BAND_CHANNELS)
    assert alto.above is not None and tenor.above is not None and bass.above is None
    _play_file(window, fast_melody, tempo=160)
    band = window.controller.jam.session.band
    alto.above.setChecked(True)
    qtbot.waitUntil(lambda: band.floating == {0}, timeout=5000)  # applied by the worker
    alto.above.setChecked(False)
    qtbot.waitUntil(lambda: band.floating == frozenset(), timeout=5000)
    window.transport.play.setChecked(False)
    tenor.above.setChecked(True)  # saved when it changes, not only at Stop or close
    assert window.options().floating == {1}  # the next jam starts with it
    qtbot.waitUntil(lambda: str(settings.value(f"voices/{tenor.channel}/above")).lower()
                    == "true", timeout=5000)  # saved when it changes
