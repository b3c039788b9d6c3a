"""A chord chart through the real model and engine: the band plays the chart's chords from the
first bar after the count-in, changes inside a bar included, on their beat; the form repeats;
a bad chart is one line."""

import subprocess
import sys
import time
from dataclasses import replace

import pytest

from coperformer.io.midifile import read_song
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from coperformer.music.chord_chart import ChartError, parse_chart
from coperformer.music.meter import Meter
from tests.host_probe import play_to_end
from tests.jam.helpers import REPLAN_MARGIN_MS, ChordBoard
from tests.midi_helpers import markers, melody_notes, write_midi

CHART = "Am | F G7 | C | Dm Em F G"
BAND = ("Alto", "Tenor", "Bass")
FOUR_FOUR = Meter(4, 4)


def test_every_band_note_fits_the_chart_on_every_eighth_it_sounds(tmp_path, shipped_model):
    source = write_midi(tmp_path / "melody.mid", [{"channel": 0, "notes": melody_notes(10)}],
                        bpm=180)
    take = tmp_path / "take.mid"
    result = _play_chart(JamOptions(input=str(source), count_in=1, record=take, chords=CHART))
    *written, final = [(round(at, 3), name) for at, name in markers(take)]
    assert final[1] == "C" and final[0] % 4 == 0  # the file ended: the band's final chord
    checked, misfits, heard = _judge(take, parse_chart(CHART), until_q=final[0])
    assert checked > 200 and not misfits, f"{len(misfits)} of {checked}: {misfits[:8]}"
    assert 0 in heard  # the chart's first bar, on its downbeat: no bar alone first
    assert {8 * 5 + 4, 8 * 7 + 2, 8 * 7 + 6} <= heard  # changes inside bars, second round
    assert result.stats["replan_ms"]["n"] >= 8  # one per change inside a bar
    assert len(written) >= 16 and written == _chart_markers(parse_chart(CHART))[:len(written)]


def _chart_markers(chart, bars: int = 16) -> list[tuple[float, str]]:
    """Where a take or an accompaniment of ``chart`` in 4/4 should mark its chords: each
    change, in quarters."""
    out: list[tuple[float, str]] = []
    for bar in range(bars):
        for share, chord in chart.changes(bar, FOUR_FOUR):
            if not out or out[-1][1] != chord.name:
                out.append((round(4 * (bar + share), 3), chord.name))
    return out


@pytest.mark.parametrize("mode", ["offline", "live"])
def test_accompany_plays_the_chart_from_the_first_bar(tmp_path, shipped_model, mode):
    source = write_midi(tmp_path / "melody.mid", [{"channel": 0, "notes": melody_notes(8)}])
    out = tmp_path / "band.mid"
    run = subprocess.run([sys.executable, "-m", "coperformer", "accompany", str(source), "-o",
                          str(out), "--mode", mode, "--chords", CHART],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    checked, misfits, heard = _judge(out, parse_chart(CHART))
    assert checked > 120 and not misfits, f"{len(misfits)} of {checked}: {misfits[:8]}"
    assert 0 in heard and {20, 26, 28, 30} <= heard  # bar 1, and each change inside a bar
    written = [(round(at, 3), name) for at, name in markers(out)]
    assert written == _chart_markers(parse_chart(CHART), 8)


def test_more_chords_than_beats_change_on_eighths_in_three_four(tmp_path, shipped_model):
    source = write_midi(tmp_path / "melody.mid", [{"channel": 0, "notes": melody_notes(
        8, beats_per_bar=3)}], bpm=120, meter=(3, 4))
    take = tmp_path / "take.mid"
    chart = "Dm Em F G | C"
    result = _play_chart(JamOptions(input=str(source), count_in=1, record=take, chords=chart))
    final = markers(take)[-1]  # the file ended: the band's final chord, not the chart's
    checked, misfits, heard = _judge(take, parse_chart(chart), Meter(3, 4), final[0])
    assert checked > 80 and not misfits, f"{len(misfits)} of {checked}: {misfits[:8]}"
    assert {1, 3, 4} & heard and {13, 15, 16} & heard  # Em, F, G on eighths 2, 4 and 5
    assert result.stats["replan_ms"]["n"] >= 9  # three changes in every other bar


def test_no_chord_rests_the_band_in_accompany(tmp_path, shipped_model):
    source = write_midi(tmp_path / "melody.mid", [{"channel": 0, "notes": melody_notes(4)}])
    out = tmp_path / "band.mid"
    run = subprocess.run([sys.executable, "-m", "coperformer", "accompany", str(source), "-o",
                          str(out), "--chords", "N.C. | C G | F N.C. | C"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    song = read_song(out)
    tpq = song.ticks_per_beat
    band = [n for t in song.tracks if t.name in BAND for n in t.notes]
    silent = [(0, 4 * tpq), (10 * tpq, 12 * tpq)]  # bar 1, and bar 3 from beat 3
    assert band and not [(p, on, off) for p, on, off, _ in band
                         for start, end in silent if on < end and off > start + tpq // 50]
    assert {on // tpq for _p, on, _off, _v in band} >= {4, 6, 8, 12}  # C, G, F, C


def _play_chart(options: JamOptions):
    """Play a jam to its end with a generous deadline (these tests judge the chart's chords;
    the deadline tests, in virtual time, and `coperformer bench` judge the time: a shared CI
    host stole 40 ms, the default margin, once here); it missed no deadline and no re-plan
    came after its beat, but for what the host's stalls explain."""
    return play_to_end(Jam.build(replace(options, margin_ms=REPLAN_MARGIN_MS)))


def _judge(path, chart, meter: Meter = FOUR_FOUR, until_q: float | None = None,
           ) -> tuple[int, list, set[int]]:
    """Every band note at every eighth it sounds in (a note ending on an eighth does not sound
    there), those starting before ``until_q`` quarters when given (the final chord's bar):
    how many were judged, those off the chart's chord, and the eighths heard."""
    song = read_song(path)
    unit = song.ticks_per_beat // 2
    per_bar = round(meter.bar_quarters * 2)
    until = None if until_q is None else round(until_q * song.ticks_per_beat)
    checked, misfits, heard = 0, [], set()
    for pitch, on, off, _ in [n for t in song.tracks if t.name in BAND for n in t.notes
                              if until is None or n[1] < until]:
        first = on // unit
        for eighth in range(first, -(-off // unit)):
            if eighth > first and off - eighth * unit <= unit // 25:
                continue
            chord = chart.chord_at(eighth // per_bar, (eighth % per_bar) / per_bar, meter)
            checked += 1
            heard.add(eighth)
            if pitch % 12 not in chord.pitch_classes:
                misfits.append((eighth, pitch, chord.name))
    return checked, misfits, heard


def test_the_chord_board_shows_each_chart_chord_as_it_comes(tmp_path, shipped_model):
    source = write_midi(tmp_path / "melody.mid", [{"channel": 0, "notes": melody_notes(6)}],
                        bpm=200)
    board = ChordBoard()
    jam = Jam.build(JamOptions(input=str(source), count_in=0, chords=CHART), board)
    jam.start()
    while jam.running:
        time.sleep(0.05)
    jam.finish()
    assert board.decided[:7] == [(1, "F"), (1, "G7"), (2, "C"), (3, "Dm"), (3, "Em"),
                                 (3, "F"), (3, "G")]


@pytest.mark.parametrize("args, reason", [
    (["--chords", "C | H"], "bar 2: not a chord symbol"),
    (["--chords", "C | Am", "--split", "F#3"], "cannot both steer the band"),
    (["--chords", "@/nowhere/song.txt"], "/nowhere/song.txt: no such file"),
])
def test_a_bad_chart_on_the_command_line_is_one_line(tmp_path, melody_file, shipped_model,
                                                     args, reason):
    run = subprocess.run([sys.executable, "-m", "coperformer", "play", "--input",
                          str(melody_file), "--audio-driver", "none", "--record",
                          str(tmp_path / "take.mid"), *args],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and reason in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) <= 2
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != "xdg-state")
    assert written == [melody_file.name]  # no take, no journal (the state folder: its log)


def test_a_chart_file_is_played_as_its_text_would_be(tmp_path, shipped_model):
    from coperformer.cli.main import main

    source = write_midi(tmp_path / "melody.mid", [{"channel": 0, "notes": melody_notes(4)}])
    song = tmp_path / "song.txt"
    song.write_text("# a title\nAm | F G7\nC | Dm Em F G\n")
    outputs = [tmp_path / "from-file.mid", tmp_path / "from-text.mid"]
    for out, chords in zip(outputs, [f"@{song}", CHART], strict=True):
        assert main(["accompany", str(source), "-o", str(out), "--chords", chords]) == 0
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    assert [name for _, name in markers(outputs[0])][:3] == ["Am", "F", "G7"]


def test_the_chart_and_the_split_exclude_each_other_in_the_jam_too(tmp_path, melody_file):
    with pytest.raises(ChartError, match="choose one"):
        Jam.build(JamOptions(input=str(melody_file), chords="C", split="F#3"))
