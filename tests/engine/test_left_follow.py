"""The left hand followed from the next beat: with a split, a chord held mid-bar has the rest
of the bar planned again from the next beat (virtual time, a generator that plays the chord
it is given as whole notes)."""

import numpy as np

from coperformer.engine.beat_handover import BeatHandover
from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import NOTE_ON, InputEvent
from coperformer.engine.recorder import Recorder
from coperformer.engine.sinks import ScheduledNote
from tests.engine.fakes import FakeBar
from tests.engine.test_session import make_session, play_bars, run_until

BAR_NS, BEAT_NS = 2 * NS_PER_S, NS_PER_S // 2  # 120 BPM, 4/4
LEAD_NS = 40_000_000  # the default margin


class ChordTones:
    """Each voice holds one tone of the chord it is given (or of C major) for the bar, or
    strikes it on every beat."""

    def __init__(self, every_beat: bool = False):
        self.step = 4 if every_beat else 16

    def generate(self, context, current, offline, rng, profile, chord=None, avoid=frozenset()):
        classes = chord.pitch_classes if chord else (0, 4, 7)
        length = int(current.valid[0].sum())
        pitches = np.full((3, 16), -1, np.int16)
        onsets = np.zeros((3, 16), bool)
        for voice, (octave, tone) in enumerate(zip((60, 48, 36), classes, strict=False)):
            pitches[voice, :length] = octave + tone
            onsets[voice, 0:length:self.step] = True
        return FakeBar(pitches, onsets)


def _split_jam(clock, bars, every_beat=False, recorder=None):
    """A started session with a split at G3, the player's melody fed for ``bars`` bars."""
    session, sink, _ = make_session(clock, ChordTones(every_beat), recorder, bpm=120,
                                    count_in=0, metronome=False, split=55)
    session.start()
    play_bars(session, bars, BAR_NS, 0)
    return session, sink


def _left(session, at_ns, pitches):
    for pitch in pitches:
        session.feed(InputEvent(at_ns, NOTE_ON, pitch, 70, raw=(0x90, pitch, 70)))


def test_a_chord_changed_mid_bar_is_followed_from_the_next_beat():
    clock = VirtualClock()
    session, sink = _split_jam(clock, 5, recorder=Recorder(None))
    run_until(session, clock, 2 * BAR_NS + BEAT_NS + BEAT_NS // 2)  # bar 2, beat 2 and a half
    _left(session, clock.now_ns(), (45, 48, 52))  # A minor
    run_until(session, clock, 4 * BAR_NS)
    change = 2 * BAR_NS + 2 * BEAT_NS  # the next beat
    across = [n for n in sink.scheduled if n.on_ns < change < n.off_ns]
    assert across and sorted(sink.ended) == sorted((n.channel, n.pitch, change) for n in across)
    after = [n for n in sink.scheduled if change <= n.on_ns < 3 * BAR_NS]
    assert after and {n.pitch % 12 for n in after} <= {9, 0, 4}
    assert all(n.on_ns == change for n in after)  # re-struck at the beat, not later
    assert all(n.on_ns >= 2 * BAR_NS for n in sink.scheduled if n.pitch % 12 == 9)
    take = session.recorder.recording.notes
    cut = [n for n in take if 2 * BAR_NS <= n.on_ns < change]
    assert cut and all(n.off_ns == change for n in cut)  # the take holds what sounded


class SlowChordTones(ChordTones):
    """ChordTones that takes ``cost_ns`` of virtual time for every bar it generates."""

    def __init__(self, clock, cost_ns):
        super().__init__()
        self.clock, self.cost_ns = clock, cost_ns

    def generate(self, *args, **kwargs):
        self.clock.advance(self.cost_ns)
        return super().generate(*args, **kwargs)


def test_each_replan_is_timed_against_its_beat():
    clock = VirtualClock()
    session, _ = _split_jam(clock, 5)
    run_until(session, clock, 2 * BAR_NS + BEAT_NS + BEAT_NS // 2)
    _left(session, clock.now_ns(), (45, 48, 52))
    run_until(session, clock, 4 * BAR_NS)
    stats = session.stats.as_dict()
    assert stats["replan_ms"]["n"] == 1 and stats["late_replans"] == 0
    assert stats["replan_margin_ms"]["min"] == LEAD_NS / 1e6  # done at once, a lead ahead


def test_a_replan_done_after_its_beat_is_counted_late():
    clock = VirtualClock()
    session, _, _ = make_session(clock, SlowChordTones(clock, LEAD_NS + 10_000_000), bpm=120,
                                 count_in=0, metronome=False, split=55)
    session.start()
    play_bars(session, 5, BAR_NS, 0)
    run_until(session, clock, 2 * BAR_NS + BEAT_NS + BEAT_NS // 2)
    _left(session, clock.now_ns(), (45, 48, 52))
    run_until(session, clock, 4 * BAR_NS)
    stats = session.stats.as_dict()
    assert stats["replan_ms"]["n"] == 1 and stats["late_replans"] == 1
    assert stats["replan_margin_ms"]["max"] == -10.0 and stats["replan_ms"]["max"] == 50.0


def test_without_a_split_a_bar_goes_out_whole_at_its_decision():
    clock = VirtualClock()
    session, sink, _ = make_session(clock, ChordTones(), bpm=120, count_in=0, metronome=False)
    session.start()
    play_bars(session, 3, BAR_NS, 0)
    run_until(session, clock, BAR_NS - LEAD_NS)  # bar 1's decision point
    assert session.steering.handover is None
    assert {n.on_ns for n in sink.scheduled} == {BAR_NS}  # the whole bar, at once


def test_a_change_too_late_in_the_bar_waits_for_the_next_decision():
    clock = VirtualClock()
    session, sink, _ = make_session(clock, ChordTones(), bpm=120, count_in=0, metronome=False,
                                    split=55)
    session.start()
    play_bars(session, 4, BAR_NS, 0)
    run_until(session, clock, 3 * BAR_NS - 2 * LEAD_NS)  # the bar's last beat already went
    _left(session, clock.now_ns(), (45, 48, 52))
    run_until(session, clock, 3 * BAR_NS + BEAT_NS)
    assert not sink.ended
    assert {n.pitch % 12 for n in sink.scheduled if n.on_ns >= 3 * BAR_NS} <= {9, 0, 4}


def test_the_handover_keeps_a_note_that_fits_and_drops_nothing_decided():
    notes = [ScheduledNote(0, 400, 1, 67, 80), ScheduledNote(0, 400, 2, 64, 80),
             ScheduledNote(300, 400, 3, 48, 80)]
    handover = BeatHandover(lead_ns=10)
    assert handover.hold(1, notes) == ([], [])
    assert handover.due(0) == notes[:2] and handover.next_ns() == 290
    new = [ScheduledNote(0, 400, 1, 67, 80), ScheduledNote(0, 400, 2, 69, 80)]
    ended, kept = handover.replace_from(200, new)
    assert ended == [notes[1]] and kept == {(1, 67)}
    assert handover.held == [ScheduledNote(200, 400, 2, 69, 80)]  # re-struck at the beat
    final, late = handover.hold(2, [])
    assert late == [ScheduledNote(200, 400, 2, 69, 80)]  # still handed, never dropped
    assert ScheduledNote(0, 200, 2, 64, 80) in final and notes[0] in final


def test_a_bar_ended_early_drops_its_notes_from_there_and_cuts_those_across_it():
    notes = [ScheduledNote(0, 400, 1, 67, 80), ScheduledNote(100, 250, 2, 64, 80),
             ScheduledNote(200, 400, 3, 48, 80), ScheduledNote(300, 400, 1, 72, 80)]
    handover = BeatHandover(lead_ns=10)
    handover.hold(1, notes)
    handover.due(0)
    handover.replan_ns = 300  # the beat decision there goes too
    ended = handover.end_at(300, within_ns=50)  # the next bar starts a beat sooner, at 300
    assert ended == [notes[0]] and handover.handed == [ScheduledNote(0, 300, 1, 67, 80)]
    assert handover.held == notes[1:3] and handover.replan_ns is None  # beat 4's is dropped
    assert handover.due(90) == [notes[1]]
    assert handover.due(190) == [ScheduledNote(200, 300, 3, 48, 80)]  # cut there
    final, late = handover.hold(2, [])
    assert not late and handover.until_ns is None and max(n.off_ns for n in final) == 300


def test_panic_silences_the_rest_of_the_bar_with_a_split_too():
    from coperformer.engine.intents import Panic

    clock = VirtualClock()
    session, sink = _split_jam(clock, 4, every_beat=True)
    run_until(session, clock, 2 * BAR_NS + BEAT_NS // 2)
    assert [n for n in sink.scheduled if n.on_ns == 2 * BAR_NS]
    session.request(Panic())
    run_until(session, clock, 3 * BAR_NS - 2 * LEAD_NS)
    assert sink.panics == 1
    assert not [n for n in sink.scheduled if 2 * BAR_NS < n.on_ns < 3 * BAR_NS]
    run_until(session, clock, 3 * BAR_NS + BEAT_NS)
    assert [n for n in sink.scheduled if n.on_ns == 3 * BAR_NS]  # back at the next bar


def test_a_new_note_is_not_cut_by_an_old_notes_own_note_off():
    handover = BeatHandover(lead_ns=10)
    handover.hold(1, [ScheduledNote(0, 400, 2, 64, 80), ScheduledNote(0, 400, 3, 48, 80)])
    handover.due(0)
    new = [ScheduledNote(300, 400, 2, 64, 80),  # E again on beat 4: 64's note-off at 400 is coming
           ScheduledNote(200, 300, 3, 50, 80), ScheduledNote(400, 500, 3, 48, 80)]
    ended, kept = handover.replace_from(200, new)
    assert {(n.channel, n.pitch) for n in ended} == {(2, 64), (3, 48)} and not kept
    assert handover.held == [ScheduledNote(200, 300, 3, 50, 80),
                             ScheduledNote(400, 500, 3, 48, 80)]  # after the old off: kept


def test_in_six_eight_the_band_follows_from_the_next_dotted_quarter():
    from coperformer.music.meter import Meter

    clock = VirtualClock()
    bar_ns = 3 * NS_PER_S // 2  # 6/8 at 120 quarters a minute
    session, sink, _ = make_session(clock, ChordTones(), Recorder(None), bpm=120, count_in=0,
                                    metronome=False, split=55, meter=Meter.parse("6/8"))
    session.start()
    play_bars(session, 5, bar_ns, 0, beats=2)
    run_until(session, clock, 2 * bar_ns + NS_PER_S // 5)  # early in bar 2's first beat
    _left(session, clock.now_ns(), (45, 48, 52))  # A minor
    run_until(session, clock, 3 * bar_ns)
    beat = 2 * bar_ns + bar_ns // 2  # the second dotted quarter (not the second quarter)
    assert sink.ended and {at for _c, _p, at in sink.ended} == {beat}
    assert {n.on_ns for n in sink.scheduled if 2 * bar_ns < n.on_ns < 3 * bar_ns} == {beat}


def _slow_jam(clock, meter, bar_ns, beats):
    """A started session at 60 quarters a minute with a split at G3, melody fed for 5 bars."""
    from coperformer.music.meter import Meter

    session, sink, _ = make_session(clock, ChordTones(), Recorder(None), bpm=60, count_in=0,
                                    metronome=False, split=55, meter=Meter.parse(meter))
    session.start()
    play_bars(session, 5, bar_ns, 0, beats=beats)
    return session, sink


def test_at_a_slow_tempo_the_band_follows_from_the_next_eighth():
    clock = VirtualClock()
    bar_ns, beat_ns = 4 * NS_PER_S, NS_PER_S  # 4/4 at 60 BPM: a beat is a second
    session, sink = _slow_jam(clock, "4/4", bar_ns, 4)
    run_until(session, clock, 2 * bar_ns + beat_ns + beat_ns // 5)  # just after beat 2
    _left(session, clock.now_ns(), (45, 48, 52))  # A minor
    run_until(session, clock, 3 * bar_ns)
    half = 2 * bar_ns + beat_ns + beat_ns // 2  # the "and" of beat 2, not beat 3
    assert sink.ended and {at for _c, _p, at in sink.ended} == {half}
    assert {n.on_ns for n in sink.scheduled if 2 * bar_ns < n.on_ns < 3 * bar_ns} == {half}


def test_a_slow_compound_beat_is_followed_by_its_thirds():
    clock = VirtualClock()
    bar_ns = 3 * NS_PER_S  # 6/8 at 60 quarters a minute: a dotted quarter is 1.5 s
    session, sink = _slow_jam(clock, "6/8", bar_ns, 2)
    run_until(session, clock, 2 * bar_ns + NS_PER_S // 5)
    _left(session, clock.now_ns(), (45, 48, 52))
    run_until(session, clock, 3 * bar_ns)
    eighth = 2 * bar_ns + NS_PER_S // 2  # the second eighth of the first dotted quarter
    assert sink.ended and {at for _c, _p, at in sink.ended} == {eighth}
    assert {n.on_ns for n in sink.scheduled if 2 * bar_ns < n.on_ns < 3 * bar_ns} == {eighth}


def test_a_worker_too_late_for_the_beat_follows_from_the_one_after():
    clock = VirtualClock()
    session, sink = _split_jam(clock, 5, recorder=Recorder(None))
    run_until(session, clock, 2 * BAR_NS + BEAT_NS // 2)
    _left(session, clock.now_ns(), (45, 48, 52))  # A minor: beat 2 would follow it
    session.poll(clock.now_ns())
    clock.wait_until(2 * BAR_NS + BEAT_NS + 5_000_000)  # the worker stalls past beat 2
    run_until(session, clock, 3 * BAR_NS - 2 * LEAD_NS)
    beat3 = 2 * BAR_NS + 2 * BEAT_NS
    assert sink.ended and {at for _c, _p, at in sink.ended} == {beat3}
    assert {n.on_ns for n in sink.scheduled if 2 * BAR_NS < n.on_ns < 3 * BAR_NS} == {beat3}


def test_after_panic_a_chord_change_does_not_bring_the_bar_back():
    from coperformer.engine.intents import Panic

    clock = VirtualClock()
    session, sink = _split_jam(clock, 4, every_beat=True)
    run_until(session, clock, 2 * BAR_NS + BEAT_NS // 2)
    _left(session, clock.now_ns(), (45, 48, 52))  # a re-plan from beat 2 is asked for
    session.request(Panic())
    session.poll(clock.now_ns())
    _left(session, clock.now_ns() + 1, (43, 47, 50))  # and another chord after the panic
    run_until(session, clock, 3 * BAR_NS - 2 * LEAD_NS)
    assert not sink.ended
    assert not [n for n in sink.scheduled if 2 * BAR_NS < n.on_ns < 3 * BAR_NS]
