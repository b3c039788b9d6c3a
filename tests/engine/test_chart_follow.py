"""A chord chart in the engine (virtual time, a generator that holds the chord it is given):
the band plays the chart from bar 0 after a count-in, each change inside a bar on its beat,
and a worker that stalls past one change still follows the next ones."""

from coperformer.engine.clock import VirtualClock
from coperformer.engine.events import NOTE_ON, InputEvent
from coperformer.engine.intents import SetChart
from coperformer.music.chord_chart import parse_chart
from tests.engine.test_left_follow import BAR_NS, BEAT_NS, LEAD_NS, ChordTones
from tests.engine.test_session import make_session, play_bars, run_until

CHART = "C D E F | G"
CLASSES = [{0, 4, 7}, {2, 6, 9}, {4, 8, 11}, {5, 9, 0}]  # C D E F, a beat each


def _chart_jam(clock, bars=3, chart=CHART):
    """A session on ``chart`` with a count-in bar: a first note starts the count-in at 0, the
    melody follows from bar 0 (at BAR_NS)."""
    session, sink, _ = make_session(clock, ChordTones(), None, bpm=120, count_in=1,
                                    metronome=False, chart=parse_chart(chart))
    session.start()
    session.feed(InputEvent(0, NOTE_ON, 72, 90, raw=(0x90, 72, 90)))
    play_bars(session, bars, BAR_NS, BAR_NS)
    return session, sink


def _bar_zero(sink) -> list:
    return [n for n in sink.scheduled if BAR_NS <= n.on_ns < 2 * BAR_NS]


def test_the_chart_is_played_from_bar_zero_with_a_change_on_every_beat():
    clock = VirtualClock()
    session, sink = _chart_jam(clock)
    run_until(session, clock, 2 * BAR_NS)
    notes = _bar_zero(sink)
    assert {n.on_ns for n in notes} == {BAR_NS + k * BEAT_NS for k in range(4)}
    for note in notes:
        assert note.pitch % 12 in CLASSES[(note.on_ns - BAR_NS) // BEAT_NS], note
    ends = {at for _c, _p, at in sink.ended}
    assert {BAR_NS + k * BEAT_NS for k in (1, 2, 3)} <= ends  # C's notes end where D comes in
    stats = session.stats.as_dict()
    assert stats["replan_ms"]["n"] == 3 and stats["late_replans"] == 0
    assert stats["replan_margin_ms"]["min"] == LEAD_NS / 1e6


def test_a_worker_that_stalls_past_a_change_still_plays_the_later_ones():
    clock = VirtualClock()
    session, sink = _chart_jam(clock)
    beat1 = BAR_NS + BEAT_NS
    run_until(session, clock, beat1 - LEAD_NS - 1_000_000)
    clock.wait_until(beat1 + 5_000_000)  # the worker stalls past the change to D
    run_until(session, clock, 2 * BAR_NS)
    later = {(n.on_ns - BAR_NS) // BEAT_NS for n in _bar_zero(sink) if n.on_ns > beat1}
    assert later == {2, 3}  # E and F still come, on their beats
    for note in _bar_zero(sink):
        if note.on_ns > beat1:
            assert note.pitch % 12 in CLASSES[(note.on_ns - BAR_NS) // BEAT_NS], note


def test_no_chord_silences_the_band_from_its_beat():
    clock = VirtualClock()
    session, sink = _chart_jam(clock, chart="N.C. | C N.C. | G")
    run_until(session, clock, 4 * BAR_NS)
    starts = {n.on_ns for n in sink.scheduled}
    assert not [at for at in starts if BAR_NS <= at < 2 * BAR_NS]  # bar 0: N.C.
    assert 2 * BAR_NS in starts and 3 * BAR_NS in starts  # C, then G next bar
    assert not [at for at in starts if 2 * BAR_NS < at < 3 * BAR_NS]
    assert {at for _c, _p, at in sink.ended} == {2 * BAR_NS + 2 * BEAT_NS}  # C ends at beat 3


def test_a_chart_set_during_the_jam_plays_from_the_next_bar_and_can_be_taken_back():
    clock = VirtualClock()
    session, sink, _ = make_session(clock, ChordTones(), None, bpm=120, count_in=0,
                                    metronome=False)
    session.start()
    play_bars(session, 6, BAR_NS, 0)
    run_until(session, clock, 2 * BAR_NS + BEAT_NS)  # bar 2, beat 2
    session.request(SetChart(parse_chart("F G")))
    run_until(session, clock, 4 * BAR_NS + BEAT_NS)
    session.request(SetChart(None))
    run_until(session, clock, 6 * BAR_NS)

    def classes(start_ns, end_ns):
        return {n.pitch % 12 for n in sink.scheduled if start_ns <= n.on_ns < end_ns}

    assert classes(2 * BAR_NS, 3 * BAR_NS) == {0, 4, 7}  # bar 2 was decided before
    for bar in (3, 4):  # F on beats 1-2, G on 3-4, the bar handed over by beats
        assert classes(bar * BAR_NS, bar * BAR_NS + 2 * BEAT_NS) == {5, 9, 0}
        assert classes(bar * BAR_NS + 2 * BEAT_NS, (bar + 1) * BAR_NS) == {7, 11, 2}
    assert classes(5 * BAR_NS, 6 * BAR_NS) == {0, 4, 7}  # the chart taken back
