"""The window's chord chart, through the real window (offscreen), model and FluidSynth: read
as typed, saved, instead of the split point, and played by the band from the first bar."""

from tests.gui.test_window import _play_file


def test_a_chart_is_read_as_typed_and_says_why_when_it_cannot_be(window, qtbot):
    chart = window.band.chart
    chart.edit.setText("C | Am | F G7 | %")
    assert chart.status.text() == "4 bars, repeating" and chart.playing()
    chart.edit.setText("C | Hm")
    assert "bar 2: not a chord symbol: 'Hm'" in chart.status.text() and not chart.playing()
    chart.edit.setText("   ")
    assert chart.status.text() == "" and window.options().chords is None


def test_a_chart_takes_the_split_points_place(window, qtbot):
    window.band.split.setCurrentText("chords below F#3")
    window.band.chart.edit.setText("Am | F")
    assert not window.band.split.isEnabled()
    options = window.options()
    assert (options.split, options.chords) == (None, "Am | F")
    assert [c.name for bar in options.chart().bars for c in bar] == ["Am", "F"]
    window.band.chart.edit.clear()
    assert window.band.split.isEnabled() and window.options().split == "F#3"


def test_the_band_plays_the_chart_and_the_board_shows_it(window, qtbot, fast_melody):
    window.band.chart.edit.setText("Am | F G7 | C | Dm")
    seen = []
    window.bridge.chord.connect(lambda bar, name, provisional: seen.append((bar, name,
                                                                           provisional)))
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    qtbot.waitUntil(lambda: window.chords.now.text() == "C", timeout=20000)
    window.transport.play.setChecked(False)
    decided = [(bar, name) for bar, name, provisional in seen if not provisional]
    assert decided[:3] == [(1, "F"), (1, "G7"), (2, "C")]  # no count-in: from the 2nd bar


def test_an_unreadable_chart_stops_play_with_its_reason(window, qtbot, fast_melody):
    window.band.chart.edit.setText("C | Q")
    _play_file(window, fast_melody)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    assert "bar 2: not a chord symbol" in window.banner.text()
    assert not window.controller.running and not window.transport.play.isChecked()


def test_the_chart_is_saved_as_typed_and_restored(window, qtbot, settings):
    from PySide6.QtCore import QSettings

    from coperformer.gui.settings import load_settings

    window.band.chart.edit.setText("G | D/F# | Em | C")
    qtbot.waitUntil(lambda: QSettings(settings.fileName(), QSettings.IniFormat).value(
        "chords") == "G | D/F# | Em | C", timeout=5000)
    window.band.chart.edit.setText("")
    load_settings(window, QSettings(settings.fileName(), QSettings.IniFormat))
    assert window.band.chart.text() == "G | D/F# | Em | C" and window.band.chart.playing()


def test_a_chart_typed_during_the_jam_plays_from_the_next_bar_on_return(window, qtbot,
                                                                         fast_melody):
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    from coperformer.gui.chords import NO_CHORD_SHOWN

    qtbot.waitUntil(lambda: window.chords.now.text() != NO_CHORD_SHOWN, timeout=20000)
    window.band.chart.edit.setText("Bb | Eb")
    window.band.chart.edit.editingFinished.emit()  # Return
    qtbot.waitUntil(lambda: window.chords.now.text() in ("Bb", "Eb"), timeout=20000)
    window.transport.play.setChecked(False)


def test_a_chart_during_a_split_jam_is_refused_in_the_banner(window, qtbot, fast_melody):
    window.band.split.setCurrentText("chords below F#3")
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    window.band.chart.edit.setText("Bb | Eb")
    window.band.chart.edit.editingFinished.emit()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    assert "a chord chart and a split point cannot both steer the band" in window.banner.text()
    assert window.controller.running
    window.transport.play.setChecked(False)


def test_a_chart_opens_from_a_text_file_and_a_bad_one_says_why(window, qtbot, tmp_path,
                                                               monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    song, bad = tmp_path / "song.txt", tmp_path / "bad.txt"
    song.write_text("# Blue Bossa\nCm7 | % | Fm7 | %\nDm7b5 | G7 | Cm7 | %\n")
    bad.write_bytes(b"\x00\xff\xfe")
    chart = window.band.chart
    chart.edit.setText("C | G")
    picked = [str(bad), str(song)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_: (picked.pop(0), ""))
    chart.open_button.click()
    assert chart.status.text() == "bad.txt: not UTF-8 text"  # the name, the path in the tip
    assert chart.status.toolTip() == f"{bad}: not UTF-8 text"
    assert chart.text() == "C | G"  # the line keeps what it had
    chart.open_button.click()
    assert chart.text() == "Cm7 | % | Fm7 | % | Dm7b5 | G7 | Cm7 | %"
    assert chart.status.text() == "8 bars, repeating" and chart.playing()
    assert chart.status.toolTip() == ""
