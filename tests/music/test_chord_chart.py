"""Reading a chord chart (pure): symbols, bars, repeats, where each chord starts, and one-line
errors that name the bar."""

import pytest

from coperformer.music.chord_chart import ChartError, chords_by_step, parse_chart, parse_chord
from coperformer.music.meter import Meter
from coperformer.music.notes import Bar


@pytest.mark.parametrize("symbol, classes, bass, label", [
    ("C", (0, 4, 7), 0, "C"),
    ("Am", (9, 0, 4), 9, "Am"),
    ("F#m7", (6, 9, 1, 4), 6, "F#m7"),
    ("Bb/D", (10, 2, 5), 2, "Bb/D"),
    ("G7", (7, 11, 2, 5), 7, "G7"),
    ("Ebmaj7", (3, 7, 10, 2), 3, "Ebmaj7"),
    ("Gsus", (7, 0, 2), 7, "Gsus4"),
    ("Bdim", (11, 2, 5), 11, "Bdim"),
    ("C6", (0, 4, 7, 9), 0, "C6"),
    ("D-7", (2, 5, 9, 0), 2, "Dm7"),
    ("Caug", (0, 4, 8), 0, "Caug"),
    ("e", (4, 8, 11), 4, "E"),
])
def test_chord_symbols_are_read_with_their_bass_and_name(symbol, classes, bass, label):
    chord = parse_chord(symbol)
    assert (chord.pitch_classes, chord.bass, chord.name) == (classes, bass, label)


def test_bars_lines_and_repeats():
    chart = parse_chart("| C | Am |\nF G7 | %\n\n  Bb/D |")
    assert [[c.name for c in bar] for bar in chart.bars] == [
        ["C"], ["Am"], ["F", "G7"], ["F", "G7"], ["Bb/D"]]
    assert chart.text == "C | Am | F G7 | % | Bb/D"


def test_hash_lines_are_a_title_and_notes_and_sharps_still_read():
    chart = parse_chart("# Autumn Leaves, A section\nCm7 | F7 |\n   # the turn\nF# | C#m |")
    assert chart.text == "Cm7 | F7 | F# | C#m"


def test_chords_share_the_bar_evenly_and_the_form_repeats():
    chart = parse_chart("C | F G7 | Dm Em F G | Am Dm E")
    four, three = Meter(4, 4), Meter(3, 4)
    assert [(share, c.name) for share, c in chart.changes(1, four)] == [(0, "F"), (0.5, "G7")]
    assert [share for share, _ in chart.changes(2, four)] == [0, 0.25, 0.5, 0.75]
    assert [share for share, _ in chart.changes(3, three)] == [0, 1 / 3, 2 / 3]  # a beat each
    assert [share for share, _ in chart.changes(3, four)] == [0, 0.25, 0.5]  # 1 + 1 + 2 beats
    assert chart.chord_at(1, 0.75, four).name == "G7" and chart.chord_at(1, 0.4, four).name == "F"
    assert chart.chord_at(5, 0.5, four).name == "G7"  # bar 5 is the chart's bar 1 again


def test_more_chords_than_beats_fall_on_eighths_and_none_is_lost():
    chart = parse_chart("Dm Em F G")
    assert [share for share, _ in chart.changes(0, Meter(2, 4))] == [0, 0.25, 0.5, 0.75]
    assert [share for share, _ in chart.changes(0, Meter(6, 8))] == [0, 1 / 6, 3 / 6, 4 / 6]
    assert [share for share, _ in chart.changes(0, Meter(3, 4))] == [0, 1 / 6, 3 / 6, 4 / 6]
    assert [c.name for _, c in chart.changes(0, Meter(6, 8))] == ["Dm", "Em", "F", "G"]


def test_names_keep_the_spelling_as_written():
    assert [parse_chord(s).name for s in ("Db", "Gb/Bb", "Cmin7", "B♭maj7", "F♯m", "C/E")] == [
        "Db", "Gb/Bb", "Cm7", "Bbmaj7", "F#m", "C/E"]
    assert parse_chord("B♭").pitch_classes == (10, 2, 5)


@pytest.mark.parametrize("text, reason", [
    ("", "empty"),
    ("  | \n |", "empty"),
    ("C | H", "bar 2: not a chord symbol: 'H'"),
    ("% | C", "starts with %"),
    ("C | | D", "bar 2 of the chord chart is empty"),
    ("C D E F G", "has 5 chords; at most 4"),
    ("Cxyz", "bar 1: not a chord symbol"),
    ("C/H", "not a chord symbol"),
    ("C |" * 600, "at most 512"),
])
def test_a_bad_chart_is_one_line_naming_its_reason(text, reason):
    with pytest.raises(ChartError, match=reason) as error:
        parse_chart(text)
    assert "\n" not in str(error.value)


def test_each_grid_step_gets_the_chord_of_its_beat_in_any_meter():
    chart = parse_chart("C G | F")
    bars = [Bar(0.0, Meter(3, 4)), Bar(3.0, Meter(6, 8)), Bar(6.0, Meter(12, 8))]
    names = [chord.name for chord in chords_by_step(chart, bars, 12 + 12 + 24)]
    assert names[:12] == ["C"] * 4 + ["G"] * 8  # 3/4: chord 2 of 2 starts on beat 2
    assert names[12:24] == ["F"] * 12
    assert names[24:] == ["C"] * 12 + ["G"] * 12  # the chart again; 12/8's 4 beats: 2 each


def test_a_short_first_bar_is_a_pickup_with_no_chord():
    bars = [Bar(0.0, Meter(1, 4)), Bar(1.0, Meter(4, 4)), Bar(5.0, Meter(4, 4))]
    chords = chords_by_step(parse_chart("C | Am | F"), bars, 4 + 16 + 16)
    assert chords[:4] == [None] * 4
    assert [c.name for c in chords[4:20]] == ["C"] * 16 and chords[20].name == "Am"


@pytest.mark.parametrize("symbol", ["N.C.", "NC", "n.c."])
def test_no_chord_is_read_as_a_rest(symbol):
    chart = parse_chart(f"{symbol} | C {symbol}")
    assert chart.bars[0][0].rests and chart.bars[0][0].name == "N.C."
    assert [c.rests for c in chart.bars[1]] == [False, True]
