"""The coming bar is planned provisionally at every beat of the bar before it (chord and
notes), at least one beat before its bar line, then committed at the decision point."""

import pytest

from coperformer.common.paths import data_dir
from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.live_band import LiveBand
from coperformer.engine.lookahead import Lookahead, beat_times, lead_in_beats
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import MemorySink
from coperformer.engine.transport import Transport
from coperformer.music.chord_model import ChordModel
from coperformer.music.listening import HarmonyPlanner
from coperformer.music.meter import Meter
from tests.engine.fakes import ChordGenerator
from tests.engine.test_session import NAMES, PROGRAMS, run_until
from tests.engine.test_session_api import Events

BAR_NS, QUARTER_NS = 2 * NS_PER_S, NS_PER_S // 2  # 120 BPM, 4/4


class Ahead(Events):
    def on_chord(self, bar, name, provisional):
        self._add("chord", bar, name, provisional, self.clock.now_ns())

    def on_provisional(self, bar, notes):
        self._add("provisional", bar, notes, self.clock.now_ns())

    def on_planned(self, bar, notes):
        self._add("planned", bar, notes, self.clock.now_ns())


def _session(generator, clock):
    events = Ahead()
    events.clock = clock
    planner = HarmonyPlanner(ChordModel.load(data_dir("models") / "chords.npz"))
    band = LiveBand(generator, planner=planner)
    session = Session(SessionConfig(bpm=120, count_in=0, metronome=False), band, [MemorySink()],
                      clock, NAMES, PROGRAMS, listener=events)
    session.start()
    return session, events


def _play(session, clock, bars, steps=(0, 1, 2)):
    """C E G on the first three beats of each bar; the fourth beat rests."""
    for bar in range(bars):
        for beat, pitch in zip(steps, (60, 64, 67), strict=True):
            on = bar * BAR_NS + beat * QUARTER_NS
            run_until(session, clock, on)
            session.feed(InputEvent(on, NOTE_ON, pitch + 12 * (bar % 2), 80))
            session.feed(InputEvent(on + QUARTER_NS - 1, NOTE_OFF, pitch + 12 * (bar % 2)))


def test_the_chord_is_planned_at_every_beat_of_the_bar_before_then_decided():
    clock = VirtualClock()
    session, events = _session(ChordGenerator(), clock)
    _play(session, clock, 4)
    run_until(session, clock, 4 * BAR_NS)
    chords = [item for item in events.seen if item[0] == "chord"]
    margin = round(session.config.margin_ms * 1e6)
    for bar in (2, 3):
        ahead = [at for _, b, _, provisional, at, _ in chords if b == bar and provisional]
        decided = [at for _, b, _, provisional, at, _ in chords if b == bar and not provisional]
        assert ahead == [(bar - 1) * BAR_NS + k * QUARTER_NS for k in range(4)]
        assert max(ahead) <= bar * BAR_NS - QUARTER_NS  # at least a beat before the bar line
        assert decided[0] == bar * BAR_NS - margin  # then perhaps a new chord at a beat
        beats = [bar * BAR_NS + k * QUARTER_NS - margin for k in (1, 2, 3)]
        assert all(at in beats for at in decided[1:]) and decided == sorted(decided)
    assert all(name in {"C", "Am", "Em", "G", "F", "Dm"} or "/" in name
               for _, _, name, provisional, _, _ in chords if not provisional)
    assert session.stats.as_dict()["plan_ms"]["n"] == len(
        [e for e in events.seen if e[0] == "provisional"])  # each plan is timed


def test_the_committed_bar_is_the_last_plan_when_nothing_new_was_heard():
    from coperformer.model.store import load_model

    clock = VirtualClock()
    session, events = _session(load_model("bach"), clock)
    _play(session, clock, 6)
    run_until(session, clock, 6 * BAR_NS)

    def key(notes):
        return [(n.pitch, n.on_ns, n.off_ns, n.channel) for n in notes]

    checked = 0
    for bar in range(2, 6):
        plans = [notes for kind, b, notes, _, _ in
                 [e for e in events.seen if e[0] in ("provisional",)] if b == bar]
        decided = [notes for kind, b, notes, _, _ in
                   [e for e in events.seen if e[0] == "planned"] if b == bar]
        assert len(plans) == 4 and len(decided) == 1
        assert all(n.on_ns >= bar * BAR_NS for notes in plans for n in notes)
        if decided[0]:
            checked += 1
            assert key(plans[-1]) == key(decided[0])  # beat 4 rests: the plan holds
    assert checked >= 3


def test_a_worker_that_fell_behind_plans_once_and_never_after_the_decision():
    transport = Transport(120, Meter.parse("3/4"), 0)
    transport.start(0)
    beats = lead_in_beats(transport, 2)
    assert beats == [1_500_000_000, 2_000_000_000, 2_500_000_000]
    ahead = Lookahead()
    decision = 3 * 1_500_000_000 - 40_000_000
    assert ahead.due_ns(transport, 2, decision) == beats[0]
    assert ahead.take(transport, 2, beats[2] + 1, decision)  # late: all three at once
    assert not ahead.take(transport, 2, beats[2] + 2, decision)
    assert ahead.due_ns(transport, 2, decision) is None


@pytest.mark.parametrize("meter, count", [("6/8", 2), ("3/4", 3), ("4/4", 4)])
def test_the_lead_in_has_one_plan_per_counted_beat(meter, count):
    transport = Transport(100, Meter.parse(meter), 0)
    transport.start(0)
    assert len(lead_in_beats(transport, 3)) == count


@pytest.mark.parametrize("bpm, plans", [(240, [1, 3]), (200, [1, 3]), (150, [0, 1, 2, 3])])
def test_fast_beats_are_planned_every_other_beat_ending_on_the_last(bpm, plans):
    transport = Transport(bpm, Meter.parse("4/4"), 0)
    transport.start(0)
    beats = beat_times(transport, 2)
    assert lead_in_beats(transport, 3) == [beats[k] for k in plans]


def test_a_worker_late_past_the_decision_decides_without_planning_first():
    clock = VirtualClock()
    session, events = _session(ChordGenerator(), clock)
    _play(session, clock, 2)
    run_until(session, clock, 2 * BAR_NS - 3 * QUARTER_NS)  # bar 2's lead-in: one plan made

    def plans():
        return sum(1 for item in events.seen if item[0] == "provisional" and item[1] == 2)

    made = plans()
    assert made >= 1
    clock.wait_until(2 * BAR_NS - 20_000_000)  # the worker stalls past bar 2's decision
    session.poll(clock.now_ns())
    assert any(item[0] == "planned" and item[1] == 2 for item in events.seen)
    assert plans() == made  # nothing planned ahead that the decision at once replaces


def _planned(events):
    return [(b, [(n.pitch, n.on_ns, n.off_ns, n.channel) for n in notes])
            for kind, b, notes, *_ in events.seen if kind == "planned"]


def test_a_decision_with_nothing_new_heard_plays_its_plan_without_computing_it_again():
    """Beat 4 rests: the decision hears what the beat-4 plan heard, and takes it as it is."""
    generator = ChordGenerator()
    clock = VirtualClock()
    session, events = _session(generator, clock)
    _play(session, clock, 5)
    run_until(session, clock, 5 * BAR_NS)
    reused = session.stats.reused_plans
    assert reused >= 3, session.stats.as_dict()
    plans = sum(1 for e in events.seen if e[0] == "provisional")
    decided_bars = session.stats.bars_planned
    changes = len(session.stats.replan_ms)  # a new chord inside a bar: voiced again from it
    assert len(generator.calls) <= plans + decided_bars - reused + changes  # no bar twice
    assert session.stats.late_provisional == 0


def test_taking_the_plan_changes_no_note(monkeypatch):
    """The same session with every decision computed afresh plays the same band (the same
    chords, the same draws): taking the plan is only work not done twice."""
    from coperformer.engine import live_band
    from coperformer.model.store import load_model

    def run():
        clock = VirtualClock()
        session, events = _session(load_model("bach"), clock)
        _play(session, clock, 6)
        run_until(session, clock, 6 * BAR_NS)
        return _planned(events), session.stats.reused_plans

    taken, reused = run()
    monkeypatch.setattr(live_band.LiveBand, "_key", lambda self, request: object())  # never alike
    computed, none = run()
    assert reused >= 3 and none == 0
    assert taken == computed


def test_a_late_decision_plays_the_plan_of_a_beat_ago_rather_than_dropping_notes():
    clock = VirtualClock()
    session, events = _session(ChordGenerator(), clock)
    _play(session, clock, 2)
    run_until(session, clock, 2 * BAR_NS - QUARTER_NS)  # bar 2's last plan, at its beat 4
    session.feed(InputEvent(clock.now_ns(), NOTE_ON, 65, 80))  # heard after it: not the same
    last_plan = [notes for kind, b, notes, *_ in events.seen if kind == "provisional" and b == 2]
    clock.wait_until(2 * BAR_NS - 5_000_000)  # the worker stalls: 35 of the 40 ms margin gone
    session.poll(clock.now_ns())
    planned = [notes for kind, b, notes, *_ in events.seen if kind == "planned" and b == 2]
    assert session.stats.late_provisional == 1 and session.stats.misses == 0
    assert [n.pitch for n in planned[0]] == [n.pitch for n in last_plan[-1]]


def test_a_plan_the_old_style_made_is_not_played_after_a_style_change():
    """A style chosen between the plan ahead and the decision plays the bar, though nothing
    new was heard."""
    old, new = ChordGenerator(), ChordGenerator()
    clock = VirtualClock()
    session, events = _session(old, clock)
    _play(session, clock, 2)
    run_until(session, clock, 2 * BAR_NS - QUARTER_NS)  # bar 2's last plan, by the old style
    made = len(old.calls)
    session.band.set_generator(new)
    run_until(session, clock, 2 * BAR_NS - 10_000_000)  # bar 2 decided, bar 3 not planned yet
    assert any(kind == "planned" and b == 2 for kind, b, *_ in events.seen)
    assert len(new.calls) == 1 and len(old.calls) == made  # the new style played bar 2
