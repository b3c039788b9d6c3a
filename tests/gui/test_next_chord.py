"""The chord board's "next" is the chord that sounds next: in a bar "F G7" it shows G7 until
beat 3 (grey while previewed), then the next bar's chord; through the real window (offscreen),
model and FluidSynth."""

from tests.gui.test_window import _play_file


def test_the_board_shows_the_change_inside_the_bar_as_next(window, qtbot, fast_melody):
    window.band.chart.edit.setText("Am | F G7 | C | Dm")
    board, shown = window.chords, []

    def look(*_):
        shown.append((board.now.text(), board.next.text(), board.next.property("provisional")))

    window.bridge.next_chord.connect(look)  # after the board's own slot: what it shows now
    window.bridge.bar.connect(look)
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    qtbot.waitUntil(lambda: ("C", "Dm", False) in shown, timeout=20000)
    window.transport.play.setChecked(False)
    assert ("F", "G7", True) in shown  # in bar "F G7", G7 is next until its beat
    assert ("G7", "C", False) in shown  # then the next bar's, decided before its line
    assert not [s for s in shown if s[0] == "F" and s[1] == "C"]  # never past the G7
