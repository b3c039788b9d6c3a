"""Bench pieces that need a real session: the soak (here a few seconds of it) and the left
hand's re-plans."""

from coperformer.bench.onsets import GRID_NOTES, JACK_GRID_NOTES
from coperformer.bench.sessions import chart_figures, flood_figures, left_hand_figures
from coperformer.bench.soak import SLICES, soak_figures
from coperformer.engine.session_config import DEFAULT_MARGIN_MS
from tests.host_probe import HostProbe, assert_on_time


def test_a_short_soak_reports_misses_memory_and_a_whole_take(shipped_model):
    with HostProbe() as host:
        figures = soak_figures(None, 0.1)
    assert figures["bars"] >= 5
    assert_on_time(figures["missed_deadlines"], host, DEFAULT_MARGIN_MS)
    assert figures["rss_start_mb"] > 50 and figures["rss_peak_mb"] >= figures["rss_end_mb"]
    assert figures["player_notes_in_take"] >= 5 * 8 and figures["unended_in_take"] == 0
    assert 0 < figures["cpu_percent"] < 200
    assert figures["plan_ms"]["n"] >= 2 * (figures["bars"] - 2)  # every other beat, timed
    slices = figures["slices"]
    assert len(slices) == SLICES and [s["from_s"] for s in slices] == sorted(
        s["from_s"] for s in slices)
    assert sum(s["decision_ms"]["n"] for s in slices) == figures["bars"]
    assert sum(s["late_bars"] for s in slices) <= figures["missed_deadlines"]
    assert 0 <= figures["late_with_host_stall"] <= figures["missed_deadlines"]


def test_the_left_hand_bench_times_a_replan_in_every_bar(shipped_model, tmp_path):
    with HostProbe() as host:
        figures = left_hand_figures(None, tmp_path, bars=6)
    assert figures["replan_ms"]["n"] >= 3  # a chord changes on beat 3 of every bar
    assert_on_time(figures["late_replans"] + figures["missed_deadlines"], host, DEFAULT_MARGIN_MS)
    _assert_replans_before_their_beats(figures)


def test_the_chart_bench_times_each_change_inside_a_bar(shipped_model, tmp_path):
    with HostProbe() as host:
        figures = chart_figures(None, tmp_path, bars=6)
    assert figures["replan_ms"]["n"] >= 5  # bars 1 and 3 change inside; bar 5 repeats bar 1
    assert_on_time(figures["late_replans"] + figures["missed_deadlines"], host, DEFAULT_MARGIN_MS)
    _assert_replans_before_their_beats(figures)


def _assert_replans_before_their_beats(figures: dict) -> None:
    """Each re-plan done before its beat, at most a lead: the earliest margin is positive
    unless a re-plan came late. A late one (its margin negative) is judged by assert_on_time
    against the host's stalls; required positive here as well, a late re-plan that a stall
    explains failed the test all the same."""
    margin = figures["replan_margin_ms"]
    assert margin["min"] <= 40.0, margin
    assert margin["min"] > 0 or figures["late_replans"] > 0, (margin, figures["late_replans"])


def test_the_flood_bench_floods_the_live_input_and_the_take_keeps_every_note(shipped_model,
                                                                            tmp_path):
    """A second of 1,000 note-ons through the jam's input path (a MIDI file that dense is
    refused as hostile, which broke `coperformer bench`): every note in the take, each ended."""
    with HostProbe() as host:
        figures = flood_figures(None, tmp_path, seconds=1.0, per_second=1000)
    assert figures["notes_sent"] == 1000
    assert figures["notes_in_take"] == 1000 and figures["unterminated_in_take"] == 0, figures
    assert_on_time(figures["missed_deadlines"], host, DEFAULT_MARGIN_MS)


def test_bench_onsets_prints_the_onset_error_through_jack(tmp_path):
    """`coperformer bench --onsets`: the figures' shape (the bound is the audio tests')."""
    import json
    import subprocess
    import sys

    out = tmp_path / "onsets.json"
    done = subprocess.run([sys.executable, "-m", "coperformer.cli", "bench", "--onsets",
                           "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    for key in ("onset_error_ms", "onset_error_jack128_ms", "onset_error_jack64_ms"):
        notes = JACK_GRID_NOTES if "jack" in key else GRID_NOTES
        assert figures[key]["n"] + figures.get(key.replace("error", "missing")[:-3], 0) == notes
        assert key in done.stdout


def test_the_headline_counts_every_session_s_missed_deadlines():
    """A miss at 120 BPM, or in the chart's session, is not hidden behind the 240 BPM one's 0."""
    from coperformer.bench.sessions import missed_in

    figures = {"session_120bpm": {"missed_deadlines": 1, "bars": 12},
               "session_240bpm": {"missed_deadlines": 0}, "chart": {"missed_deadlines": 2},
               "soak": {"missed_deadlines": 0, "inner": {"missed_deadlines": 1}}, "x": 3}
    assert missed_in(figures) == 4


def test_the_pass_through_is_timed_while_dense_bars_are_handed_over(soundfont):
    from coperformer.bench.passthrough import passthrough_figures

    figures = passthrough_figures(soundfont, seconds=1.0)
    assert figures["schedule_ms"]["n"] >= 2 and figures["notes_per_bar"] == 64
    assert figures["passthrough_ms"]["n"] > 50
    assert figures["passthrough_ms"]["p50"] < 5.0  # generous: 0.06-0.08 ms measured


def test_the_soaks_slices_print_a_row_a_line(capsys):
    from coperformer.cli.bench import _print_figures

    _print_figures({"soak": {"bars": 9, "slices": [{"from_s": 0, "late_bars": 0},
                                                    {"from_s": 600, "late_bars": 2}]}}, None)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].strip() == "soak: bars=9"
    assert [line.split() for line in lines[1:]] == [["slices", "from_s=0", "late_bars=0"],
                                                    ["slices", "from_s=600", "late_bars=2"]]
