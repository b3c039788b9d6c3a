"""The roll through the real window: the coming bar's provisional plan (redrawn each beat,
replaced when decided), pitch labels, and the take still shown after Stop."""

from coperformer.engine.lookahead import lead_in_beats
from coperformer.engine.transport import Transport
from coperformer.music.meter import Meter
from tests.gui.test_window import _play_file


def test_the_roll_shows_each_beats_plan_then_the_decided_bar(window, qtbot, fast_melody):
    plans, decided = [], []
    window.bridge.provisional.connect(lambda bar, notes: plans.append((bar, len(notes))))
    window.bridge.planned.connect(lambda bar, notes: decided.append(bar))
    _play_file(window, fast_melody, tempo=160)
    assert window.controller.running, window.banner.text()
    qtbot.waitUntil(lambda: any(n for _, n in plans), timeout=15000)
    qtbot.waitUntil(lambda: any(window.roll.provisional_notes(bar) for bar, _ in plans),
                    timeout=15000)
    qtbot.waitUntil(lambda: len(decided) >= 4, timeout=20000)
    window.transport.play.setChecked(False)
    planned_bars = {bar for bar, _ in plans}
    assert {bar for bar in decided if bar >= 2} <= planned_bars  # every bar planned ahead
    beats = [bar for bar, _ in plans].count(decided[2])
    transport = Transport(160, Meter(4, 4))
    transport.start(0)
    assert beats == len(lead_in_beats(transport, 3)) == 2  # every other beat at 160 BPM
    for bar in decided:  # a decided bar keeps no provisional notes
        assert not window.roll.provisional_notes(bar)


def test_after_stop_the_roll_keeps_the_take_in_view(window, qtbot, fast_melody):
    _play_file(window, fast_melody, tempo=200)
    roll = window.roll
    qtbot.waitUntil(lambda: sum(n.band and n.start < roll.now_ns() for n in roll.notes) > 5,
                    timeout=15000)  # band notes heard already, not only planned
    window.transport.play.setChecked(False)
    qtbot.waitUntil(lambda: window.roll.frozen_ns is not None, timeout=5000)
    count, frames = window.roll.band_notes_count(), window.roll.frames
    qtbot.wait(600)
    window.roll.grab()  # a paint at the frozen time prunes nothing
    assert window.roll.band_notes_count() == count > 0
    assert window.roll.frames <= frames + 3  # a frozen roll does not repaint by itself
    assert not any(n.provisional for n in window.roll.notes)
    _play_file(window, fast_melody, tempo=200)  # a new jam starts a clean, moving roll
    assert window.roll.frozen_ns is None
    window.transport.play.setChecked(False)


def test_the_roll_labels_its_octaves(window):
    from PySide6.QtGui import QColor

    from coperformer.gui.pianoroll import LABEL

    image = window.roll.grab().toImage()
    label = QColor(LABEL)
    found = sum(1 for x in range(0, 24) for y in range(image.height())
                if abs(QColor(image.pixel(x, y)).red() - label.red()) < 30
                and abs(QColor(image.pixel(x, y)).blue() - label.blue()) < 30
                and QColor(image.pixel(x, y)).green() > 100)
    assert found > 20  # text drawn in the label colour at the left edge


def test_a_bar_planned_again_from_a_beat_replaces_its_rest(window):
    from coperformer.engine.sinks import ScheduledNote

    roll = window.roll
    start = roll.now_ns() + 10**9
    old = [ScheduledNote(start, start + 4 * 10**8, 1, 67, 80, 0),
           ScheduledNote(start, start + 4 * 10**8, 2, 64, 80, 1),
           ScheduledNote(start + 3 * 10**8, start + 4 * 10**8, 3, 48, 80, 2)]
    roll.band_planned(5, old)
    new = [ScheduledNote(start + 2 * 10**8, start + 4 * 10**8, 2, 69, 80, 1)]
    roll.band_replanned(5, start + 2 * 10**8, ((1, 67),), new)
    notes = {(n.channel, n.pitch): n for n in roll.notes if n.band}
    assert notes[(1, 67)].end == start + 4 * 10**8  # it fits the new chord: it goes on
    assert notes[(2, 64)].end == start + 2 * 10**8  # ended at the beat
    assert (3, 48) not in notes  # it had not started: gone
    assert notes[(2, 69)].start == start + 2 * 10**8
