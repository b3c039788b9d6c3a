"""The window's dialogs and layout, through real Qt (offscreen), the real model and FluidSynth:
Takes… closes with Esc, the banner moves nothing, 1366x768 needs no scroll bar (long port
names, soundfont paths and chart errors included), the mixer's columns line up, the recovery
question is drawn like the window and its take is listed, the save dialog opens where the
last take went, every intro key and a range of split points are offered."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from coperformer.gui.panels import INTRO_KEYS, NO_INTRO, NO_SPLIT, QWERTY_LABEL, SPLITS
from coperformer.music.chord_names import parse_note
from coperformer.music.endings import parse_key
from coperformer.music.harmony import Key
from tests.gui.test_takes import _record_a_take

LONG_PORT = "Roland Digital Piano FP-30X:Roland Digital Piano FP-30X MIDI 1 28:0"
# what is left of 1366x768 under a title bar (about 30 px) and a desktop panel (about 40)
SCREEN_W, SCREEN_H = 1366, 768 - 70


@pytest.fixture
def ports():
    return [LONG_PORT, "USB Keyboard MIDI 1"]


@pytest.fixture
def themed():
    """The app's own style sheet, as `coperformer gui` applies it (removed afterwards)."""
    from coperformer.gui.app import apply_theme

    app = QApplication.instance()
    apply_theme(app)
    yield app
    app.setStyleSheet("")


def _scroll_bars(window) -> tuple[bool, bool]:
    scroller = window.centralWidget()
    return (scroller.horizontalScrollBar().isVisible(),
            scroller.verticalScrollBar().isVisible())


def _resized(window, qtbot, width, height) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (width, height), timeout=3000)
    QApplication.processEvents()


def test_takes_closes_with_esc_and_the_banner_moves_nothing(window, qtbot, fast_melody,
                                                            tmp_path, monkeypatch):
    _record_a_take(window, qtbot, fast_melody, tmp_path / "take.mid", monkeypatch)
    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    dialog = window.show_takes()
    dialog.play_selected()
    assert window.controller.idle.playing
    dialog.activateWindow()  # as a click on it would
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    qtbot.keyClick(dialog, Qt.Key_Escape)  # the key filter asks each widget for its window
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert window.banner.isHidden(), window.banner.text()  # no error said
    assert not window.controller.idle.playing  # closed with Esc: the take stops too

    play = window.transport.play
    before = play.mapTo(window, QPoint(0, 0))
    window.show_error("a message long enough to wrap over several lines " * 8)
    QApplication.processEvents()
    assert window.banner.isVisible()
    assert play.mapTo(window, QPoint(0, 0)) == before  # nothing pushed down
    roll = window.roll.geometry()
    assert window.banner.parentWidget() is window.roll and window.banner.width() == roll.width()
    with qtbot.waitSignal(play.toggled) as clicked:
        qtbot.mouseClick(play, Qt.LeftButton)  # the click lands on Play
    assert clicked.args == [True]
    play.setChecked(False)
    assert not window.controller.running
    qtbot.mouseClick(window.banner, Qt.LeftButton)  # a click puts the message away
    assert window.banner.isHidden()


@pytest.mark.parametrize("size", [(SCREEN_W, SCREEN_H), (1280, 720)])
def test_the_window_fits_1366_by_768_without_scroll_bars(window, qtbot, themed, tmp_path,
                                                         size):
    _resized(window, qtbot, *size)
    assert _scroll_bars(window) == (False, False)
    window.input_panel.picker.setCurrentText(LONG_PORT)  # long names, paths and errors
    window.set_soundfont(str(tmp_path / ("a-soundfont-kept-in-a-deep-folder-" * 4 + ".sf2")))
    chart = tmp_path / ("a-chord-chart-with-a-very-long-name-" * 3 + ".txt")
    chart.write_bytes(b"\xff\xfe not text")
    assert not window.band.chart.open_file(str(chart))
    window.band.chart.edit.setText("C | Am | F G7 | " + "Xq7b13sus" * 12)
    window.show_error("an error as long as it likes " * 12)
    QApplication.processEvents()
    assert _scroll_bars(window) == (False, False)
    central = window.centralWidget().widget()
    assert central.minimumSizeHint().width() <= size[0]
    assert central.minimumSizeHint().height() + window.statusBar().height() <= size[1]
    band = window.band.mapTo(window, QPoint(window.band.width(), 0))
    assert band.x() <= window.width()
    status = window.band.chart.status
    assert "Xq7b13sus" * 12 in status.text()
    assert status.shown_text() != status.text() and status.tip() == status.text()  # cut
    assert status.mapTo(window, QPoint(status.width(), 0)).x() <= band.x()


def test_a_long_port_name_shows_whole_in_the_list_and_its_tip(window):
    picker = window.input_panel.picker
    picker.setCurrentText(LONG_PORT)
    assert picker.toolTip() == LONG_PORT
    assert picker.view().minimumWidth() >= picker.fontMetrics().horizontalAdvance(LONG_PORT)
    picker.setCurrentText("USB Keyboard MIDI 1")  # a usual name is not cut at all
    assert picker.width() > picker.fontMetrics().horizontalAdvance("USB Keyboard MIDI 1") + 20


def test_the_mixer_columns_line_up(window, qtbot):
    _resized(window, qtbot, 1280, 720)
    strips = window.mixer_strips
    assert len(strips) == 5  # the player, three voices, the drum kit

    def columns(strip):
        return [w.mapTo(window, QPoint(0, 0)).x() for w in (strip.program, strip.volume,
                                                           strip.mute, strip.solo)]

    assert len({tuple(columns(s)) for s in strips}) == 1, [columns(s) for s in strips]
    assert len({s.program.width() for s in strips}) == 1


def test_the_recovery_question_is_drawn_like_the_window_and_its_take_is_listed(
        window, themed, monkeypatch):
    from coperformer.common.paths import recordings_dir
    from coperformer.engine.clock import VirtualClock
    from coperformer.engine.recorder import Recorder
    from coperformer.engine.transport import Transport
    from coperformer.gui.app import offer_recovery, recovery_box

    folder = recordings_dir()
    folder.mkdir(parents=True, exist_ok=True)
    journal = folder / "jam-crash.mid.journal"
    recorder = Recorder(journal)
    transport = Transport(120)
    transport.start(VirtualClock().now_ns())
    recorder.begin([], transport)
    recorder.player(1_000_000, (0x90, 60, 90))
    recorder.player(500_000_000, (0x80, 60, 0))
    recorder.close()

    box = recovery_box(window, journal)
    image = box.grab().toImage()
    background = window.centralWidget().widget().grab().toImage().pixelColor(2, 2)
    corner = image.pixelColor(2, 2)
    assert corner.name() == background.name() and corner.lightness() > 0
    assert str(journal) in box.text() and box.defaultButton() is box.button(QMessageBox.Yes)

    monkeypatch.setattr(QMessageBox, "exec", lambda b: b.button(QMessageBox.Yes).click())
    written = offer_recovery(window)
    assert [p.name for p in written] == ["jam-crash-recovered.mid"]
    listed = window.show_takes()
    assert listed.list.count() == 1
    assert listed.list.item(0).text().startswith("jam-crash-recovered.mid")
    listed.close()


def test_the_save_dialog_opens_where_the_last_take_went(window, qtbot, fast_melody, tmp_path,
                                                        monkeypatch, settings):
    from pathlib import Path

    from coperformer.gui.takes import takes_folder

    first = takes_folder(window.settings)
    assert first.is_dir() and first != Path.cwd()
    mine = tmp_path / "my takes"
    mine.mkdir()
    _record_a_take(window, qtbot, fast_melody, mine / "one.mid", monkeypatch)
    proposed = []
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: proposed.append(Path(a[2])) or ("", ""))
    window.recording.record.setChecked(True)
    from tests.gui.test_window import _play_file

    _play_file(window, fast_melody)
    qtbot.waitUntil(lambda: window.roll.band_notes_count() > 10, timeout=15000)
    window.transport.play.setChecked(False)  # Stop asks where to save: where the last went
    assert proposed and proposed[0].parent == mine
    window.settings.sync()  # remembered for the next start too
    assert takes_folder(type(settings)(settings.fileName(), settings.format())) == mine


def test_every_intro_key_is_offered_and_played(window, qtbot, fast_melody):
    from tests.gui.test_window import _play_file

    intro = window.transport.intro
    offered = [intro.itemText(i) for i in range(intro.count())]
    assert offered[0] == NO_INTRO and offered[1:] == INTRO_KEYS
    keys = {parse_key(text.removeprefix("intro ")) for text in INTRO_KEYS}
    assert keys == {Key(tonic, minor) for tonic in range(12) for minor in (False, True)}
    intro.setCurrentText("intro F#m")  # one of the keys the list used to lack
    assert window.options().intro == "F#m"
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    assert window.controller.jam.session.config.intro == Key(6, True)
    window.transport.play.setChecked(False)


def test_split_points_from_c2_to_c6(window):
    split = window.band.split
    offered = [split.itemText(i) for i in range(split.count())]
    assert offered[0] == NO_SPLIT and offered[1:] == SPLITS
    pitches = [parse_note(text.removeprefix("chords below ")) for text in SPLITS]
    assert pitches == list(range(36, 85, 6))  # every C and F#, C2 .. C6
    split.setCurrentText("chords below C5")
    assert parse_note(window.options().split) == 72
