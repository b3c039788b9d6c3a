"""Follow mode through the real session in virtual time: the band's bars land where the
player's downbeats are, through a drift and a ritardando; no click after the count-in."""

from __future__ import annotations

import random

import pytest

from coperformer.engine.chord_hold import CUT_OFF_NS
from coperformer.engine.clock import VirtualClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.listener import QuietListener
from coperformer.engine.live_band import LiveBand
from coperformer.engine.recorder import Recorder
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import BAND_CHANNELS, METRONOME_CHANNEL, MemorySink
from coperformer.engine.tempo_follow import SLOWEST_BEAT_NS, TempoFollower
from coperformer.music.beat_tracker import LOCKED
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.meter import Meter
from tests.engine.fakes import ChordGenerator
from tests.engine.test_session import NAMES, PROGRAMS, make_session, run_until

MS = 1_000_000


def _perform(periods_ms: list[float], start_ns: int, seed: int, first_beat: int = 0,
             loud: int = 90) -> tuple[list, list[int]]:
    """Quarter notes on the beats (and a softer swung eighth between), jittered 10 ms, the
    first on beat ``first_beat`` (0: a downbeat) of a bar of four, each downbeat louder
    (``loud``); the events and the true beat times."""
    rng = random.Random(seed)
    events, beats, t = [], [], start_ns
    for index, period in enumerate(periods_ms):
        beats.append(t)
        pitch = 72 + index % 5
        on = t + round(rng.gauss(0, 10) * MS)
        events.append(InputEvent(on, NOTE_ON, pitch, loud if (index + first_beat) % 4 == 0
                                 else 75))
        events.append(InputEvent(on + round(period * MS * 0.5), NOTE_OFF, pitch))
        mid = t + round(period * MS * 2 / 3)
        events.append(InputEvent(mid, NOTE_ON, pitch + 2, 60))
        events.append(InputEvent(mid + round(period * MS / 4), NOTE_OFF, pitch + 2))
        t += round(period * MS)
    return sorted(events, key=lambda e: e.time_ns), beats


def _play(periods_ms: list[float], follow: bool, seed: int = 1):
    clock = VirtualClock()
    session, sink, _ = make_session(clock, bpm=120, count_in=1, follow=follow)
    session.start()
    bar0 = session.transport.bar_start_ns(0)
    events, beats = _perform(periods_ms, bar0, seed)
    for event in events:  # each note arrives at its time
        run_until(session, clock, event.time_ns)
        session.feed(event)
    run_until(session, clock, beats[-1])
    band = sorted(n.on_ns for n in sink.scheduled if n.channel in BAND_CHANNELS)
    errors = {bar: _nearest(band, beats[bar * 4]) for bar in range(len(beats) // 4)
              if band and band[0] < beats[bar * 4] + 250 * MS}
    return session, sink, errors


def _nearest(times: list[int], beat_ns: int) -> float:
    """How far (ms) the band's note nearest a player's beat is from it."""
    return min(abs(t - beat_ns) for t in times) / MS


def test_the_band_follows_a_gradual_drift_that_a_fixed_tempo_loses():
    periods = [500.0 * (1 + 0.2 * min(k, 48) / 48) for k in range(64)]  # 20 % slower
    session, sink, errors = _play(periods, follow=True)
    assert len(errors) >= 12
    late = {bar: e for bar, e in errors.items() if bar >= 3}
    assert max(late.values()) < 30.0, late
    _, _, fixed = _play(periods, follow=False)
    assert max(fixed.values()) > 150.0  # the same band at a fixed tempo drifts away
    assert session.stats.misses == 0
    clicks = [n for n in sink.scheduled if n.channel == METRONOME_CHANNEL]
    assert clicks and max(n.on_ns for n in clicks) < session.transport.bar_start_ns(0)


def test_the_band_follows_a_ritardando():
    periods = [500.0] * 24 + [500.0 * (1 + 0.04 * k) for k in range(1, 13)]  # 48 % slower
    session, _, errors = _play(periods, follow=True, seed=2)
    assert max(e for bar, e in errors.items() if bar >= 2) < 60.0, errors
    assert session.transport.bpm_at(session.next_bar - 1) < 100.0  # the tempo came down


@pytest.mark.parametrize("first_note", [False, True])
def test_a_ritardando_s_bar_is_timed_by_its_beats_to_come_not_by_its_first(first_note):
    """The coming bar's tempo takes it to the next predicted downbeat, the period's trend
    carried (500, 520, 540 and 560 ms: 2.12 s); in the first bars of a tune started on its
    first note the tempo still settles from a guess, and a bar goes at its first beat's."""
    from coperformer.engine.transport import Transport
    from coperformer.music.beat_tracker import BeatEstimate

    follower = TempoFollower()
    follower.start(Transport(120.0), first_note)
    for bar in (2, 3):  # (the estimate read at each bar's downbeat)
        estimate = BeatEstimate(4 * bar, 0, 500.0 * MS, 1.0, LOCKED, 20.0 * MS)
        settling = first_note and bar < 3
        assert follower.bar_bpm(estimate, bar) == pytest.approx(120.0 if settling
                                                                else 60 * 4 / 2.12)


def test_the_tempo_map_is_recorded_in_the_snapshot():
    periods = [500.0 * (1 + 0.2 * min(k, 32) / 32) for k in range(40)]
    session, _, _ = _play(periods, follow=True, seed=3)
    session.poll(session.clock.now_ns())
    bpms = [segment.bpm for segment in session.snapshot().segments]
    assert len(bpms) > 3 and min(bpms) < 110.0


def _back_from_a_fermata(beats_after: int, first_beat: int, loud: int = 90):
    """Bar 3's downbeat held 4.3 s (a fermata), then ``beats_after`` beats a little slower,
    the first on beat ``first_beat`` of the player's bar (see ``_perform``), played into a
    Follow mode session: (session, sink, recorder, (bar 0's, the held note's and the first
    note after it's times))."""
    clock = VirtualClock()
    recorder = Recorder()
    session, sink, _ = make_session(clock, recorder=recorder, bpm=120, count_in=1,
                                    follow=True)
    session.start()
    bar0 = session.transport.bar_start_ns(0)
    before, beats_before = _perform([500.0] * 12, bar0, 4)
    held_from = beats_before[-1] + 500 * MS  # bar 3's downbeat, held 4.3 s
    resume = held_from + 4300 * MS
    after, _ = _perform([520.0] * beats_after, resume, 5, first_beat, loud)
    held = [InputEvent(held_from, NOTE_ON, 79, 95), InputEvent(resume - 40 * MS, NOTE_OFF, 79)]
    for event in sorted(before + held + after, key=lambda e: e.time_ns):
        run_until(session, clock, event.time_ns)
        session.feed(event)
    run_until(session, clock, resume + beats_after * 520 * MS)
    return session, sink, recorder, (bar0, held_from, resume)


@pytest.mark.parametrize("first_beat", [1, 0])
def test_the_band_holds_its_chord_through_a_fermata_and_picks_up_after_it(first_beat):
    """The held note is bar 3's downbeat; the player goes on with the beat after it (beat 2:
    the next bar line three beats after the pick-up), or, as their accents then say, with a
    downbeat (the note was written longer): the next bar line a bar after it."""
    session, sink, recorder, (bar0, held_from, resume) = _back_from_a_fermata(16, first_beat)
    band = [n for n in sink.scheduled if n.channel in BAND_CHANNELS]
    recognized = held_from + 2000 * MS  # four beats with nothing new, the note held
    next_line = bar0 + ((recognized - bar0) // (2000 * MS) + 1) * 2000 * MS
    waiting = [n for n in band if next_line <= n.on_ns < resume]
    assert not waiting, "the band ends the bar it decided, then waits"
    downbeats = [resume + ((4 - first_beat) + 4 * k) * 520 * MS for k in range(3)]
    held_chord = [n for n in recorder.recording.notes if held_from < n.on_ns < resume
                  and n.off_ns > resume]  # sounded in the fermata, ended after the player
    assert len(held_chord) == 3 and {n.channel for n in held_chord} <= set(BAND_CHANNELS)
    back = downbeats[:1] if first_beat else [resume + 3 * 520 * MS, downbeats[0]]
    assert all(n.on_ns >= recognized and min(abs(n.off_ns - line) for line in back) < 40 * MS
               for n in held_chord), held_chord  # ... on the bar line the band comes back
    # (which a downbeat after the fermata cannot tell yet: the beat after the held note's is
    # likelier, until the next notes' accents say otherwise)
    assert not [(m, n) for m in recorder.recording.notes for n in held_chord if m is not n
                and (m.channel, m.pitch) == (n.channel, n.pitch) and m.on_ns < n.on_ns < m.off_ns]
    assert sorted(sink.immediate) == sorted(
        [(n.channel, n.pitch, n.velocity) for n in held_chord]
        + [(n.channel, n.pitch, 0) for n in held_chord])
    bars = {}
    for note in band:
        if note.on_ns >= resume:
            bar = session.transport.bar_at(note.on_ns)
            bars[bar] = min(bars.get(bar, note.on_ns), note.on_ns)
    starts = sorted(bars.values())
    assert len(starts) >= 3, "the band picks up after the fermata"
    errors = [abs(start - line) / MS for start, line in zip(starts, downbeats, strict=False)]
    settled = 1 if first_beat else 2  # (the accents of two bars move the band's bar lines)
    assert max(errors[settled:]) < 40.0, errors  # its bars land on the player's bar lines
    beats_after = [resume + k * 520 * MS for k in range(16)]
    off_beat = [round(_nearest(beats_after, n.on_ns)) for n in band
                if resume < n.on_ns < beats_after[-1] and _nearest(beats_after, n.on_ns) > 60]
    assert not off_beat, off_beat  # while its count of the bar moves, its notes stay on beats


def test_when_the_count_of_the_bar_moves_back_a_beat_the_next_bar_comes_a_beat_sooner():
    """After a fermata the player comes back on beat 3 (the band takes it for beat 2, the
    beat after the held note's), their downbeats loud: once the tracker's count moves back a
    beat, the band's next bar starts on the player's downbeat, a beat sooner than it would
    have, and the bar being played ends there (no note of it after the new bar line)."""
    session, _, recorder, (_, _, resume) = _back_from_a_fermata(22, 2, loud=120)
    transport = session.transport
    lines = [transport.bar_start_ns(bar) for bar in range(transport.bar_at(resume),
                                                           transport.bar_at(resume) + 5)]
    downbeats = [resume + (2 + 4 * k) * 520 * MS for k in range(6)]
    on_line = [min(abs(line - d) for d in downbeats) < 40 * MS for line in lines]
    assert on_line[2:] == [True] * 3, lines  # the third bar after coming back, and on
    band = [n for n in recorder.recording.notes if n.channel in BAND_CHANNELS
            and n.on_ns >= resume]
    near = 0.3 * 520 * MS  # (a note moves at most this far to the player's predicted beat)
    for line in lines[1:]:  # the band strikes a chord a beat: one a voice at each bar line
        struck = [(n.channel, n.on_ns) for n in band if abs(n.on_ns - line) < near]
        assert len(struck) == len({channel for channel, _ in struck}) == 3, "bars overlap"
        assert not [n for n in band if n.on_ns < line - near < line + near < n.off_ns]
    assert session.stats.misses == 0


@pytest.mark.parametrize("sync_stop", [False, True])
def test_in_a_fermata_the_band_strikes_nothing_new_and_lets_go_with_the_player(sync_stop):
    """The last note is held six beats and let go; the player stays silent. Found four beats
    in, the fermata stops the band's bar there; its chord sounds while the key is down and
    ends at the player's cut-off, not a bar later (nor never). With sync stop the tune ends a
    bar after the cut-off; without, the band waits for the player."""
    clock = VirtualClock()
    recorder = Recorder()
    session, sink, _ = make_session(clock, recorder=recorder, bpm=120, count_in=1,
                                    follow=True, sync_stop=sync_stop)
    session.start()
    bar0 = session.transport.bar_start_ns(0)
    before, beats = _perform([500.0] * 16, bar0, 3)
    held_from = beats[-1] + 500 * MS  # bar 4's downbeat
    released = held_from + 3000 * MS
    final = [InputEvent(held_from, NOTE_ON, 72, 90), InputEvent(released, NOTE_OFF, 72)]
    for event in sorted(before + final, key=lambda e: e.time_ns):
        run_until(session, clock, event.time_ns)
        session.feed(event)
    run_until(session, clock, released + 1900 * MS)
    assert not session.finished  # a bar (2 s) of silence has not passed yet
    run_until(session, clock, released + 8000 * MS)
    assert session.follow.tempo.waiting and session.finished == sync_stop
    # four beats with nothing new, the note held; then the beat already handed over sounds
    found = held_from + 2000 * MS + 250 * MS
    struck = [n.on_ns for n in sink.scheduled if n.channel in BAND_CHANNELS + (DRUM_CHANNEL,)
              and n.on_ns > found]
    assert not struck, f"{len(struck)} notes struck after the fermata was found"
    held = [n for n in recorder.recording.notes if n.on_ns > found]
    assert len(held) == 3 and {n.channel for n in held} <= set(BAND_CHANNELS)
    assert all(released < n.off_ns <= released + CUT_OFF_NS + 60 * MS for n in held), held
    assert sorted(sink.immediate) == sorted([(n.channel, n.pitch, n.velocity) for n in held]
                                            + [(n.channel, n.pitch, 0) for n in held])


def _beat_errors(periods_ms: list[float], seed: int) -> list[float]:
    """How far the band's note nearest each of the player's beats is from it (ms), from
    bar 2 on (the last two beats, not handed over yet, left out)."""
    session, sink, _ = _play(periods_ms, follow=True, seed=seed)
    band = sorted(n.on_ns for n in sink.scheduled if n.channel in BAND_CHANNELS)
    beats = _perform(periods_ms, session.transport.bar_start_ns(0), seed)[1]
    return [_nearest(band, beat) for beat in beats[8:-2]]


@pytest.mark.parametrize("periods", [
    [500.0 * (1 + 0.2 * min(k, 48) / 48) for k in range(64)],  # 20 % slower
    [500.0 / (1 + 0.25 * min(k, 48) / 48) for k in range(64)],  # 25 % faster
], ids=["slowing", "quickening"])
def test_each_beat_lands_on_the_players_beat_not_only_the_downbeat(monkeypatch, periods):
    errors = sorted(_beat_errors(periods, 2))
    p50, p95 = errors[len(errors) // 2], errors[int(0.95 * len(errors))]
    assert p50 < 12.0 and p95 < 40.0, (p50, p95)
    monkeypatch.setattr(TempoFollower, "warp", lambda self, transport, now_ns: None)
    by_bar = sorted(_beat_errors(periods, 2))  # whole bars re-timed, beats as decided
    # speeding up, whole bars re-timed fall well behind; slowing down, the tracker's slowing
    # mode carries the trend into whole bars as well, and they are no better
    assert by_bar[len(by_bar) // 2] > (1.4 if periods[-1] < periods[0] else 1.0) * p50


def test_the_drums_move_with_the_band_onto_the_players_beats():
    periods = [500.0 * (1 + 0.2 * min(k, 48) / 48) for k in range(64)]
    clock = VirtualClock()
    session, sink, _ = make_session(clock, bpm=120, count_in=1, follow=True, drums="straight")
    session.start()
    events, beats = _perform(periods, session.transport.bar_start_ns(0), 4)
    for event in events:
        run_until(session, clock, event.time_ns)
        session.feed(event)
    run_until(session, clock, beats[-1])
    band = sorted(n.on_ns for n in sink.scheduled if n.channel in BAND_CHANNELS)
    drums = sorted(n.on_ns for n in sink.scheduled if n.channel == DRUM_CHANNEL)
    on_beats = [min(band, key=lambda t, b=b: abs(t - b)) for b in beats[12:-2]]
    apart = [_nearest(drums, t) for t in on_beats]  # the band's beat and the drums' hit
    assert drums and sum(a <= 2.0 for a in apart) >= 0.9 * len(apart), apart


class _Warnings(QuietListener):
    """Keeps the warnings told to the player."""

    def __init__(self) -> None:
        self.told: list[str] = []

    def on_warning(self, message: str) -> None:
        """Keep it."""
        self.told.append(message)


def _follow_session() -> tuple[VirtualClock, Session, MemorySink, _Warnings]:
    """A Follow session with the listening band and drums, started, its warnings kept."""
    clock, listener, sink = VirtualClock(), _Warnings(), MemorySink()
    session = Session(SessionConfig(bpm=120, count_in=1, follow=True, drums="straight"),
                      LiveBand(ChordGenerator()), [sink], clock, NAMES, PROGRAMS, None,
                      listener)
    session.start()
    return clock, session, sink, listener


def _lost_and_found(seed: int, new_period_ms: float, beats: int):
    """16 beats at 120 BPM, 28 notes with no pulse at all, then ``beats`` on a new pulse,
    played into a Follow session: (clock, session, sink, listener, the first 16 beats, when
    the notes with no pulse ended, the new pulse's beats)."""
    clock, session, sink, listener = _follow_session()
    steady, first = _perform([500.0] * 16, session.transport.bar_start_ns(0), 6)
    rng, t, scattered = random.Random(seed), first[-1], []
    for _ in range(28):
        t += round(rng.uniform(130, 420) * MS)
        scattered += [InputEvent(t, NOTE_ON, 70, 80), InputEvent(t + 60 * MS, NOTE_OFF, 70)]
    again, new_beats = _perform([new_period_ms] * beats, t + round(new_period_ms * MS), 7)
    for event in steady + scattered + again:
        run_until(session, clock, event.time_ns)
        session.feed(event)
    return clock, session, sink, listener, first, t, new_beats


def test_lost_the_band_holds_its_chord_says_so_and_comes_back_on_a_new_pulse():
    clock, session, sink, listener, beats, t, _ = _lost_and_found(9, 460.0, 40)
    held = session.stats.held_bars
    assert held >= 1 and len(listener.told) == 1 and "lost your beat" in listener.told[0]
    assert session.follow.tempo.lost_events >= 1  # counted (the bench's engine rows report it)
    lost_bars = range(session.transport.bar_at(beats[-1]) + 2,
                      session.transport.bar_at(t))
    band = [n for n in sink.scheduled if n.channel in BAND_CHANNELS]
    drums = [n for n in sink.scheduled if n.channel == DRUM_CHANNEL]
    holding = [bar for bar in lost_bars
               if len({n.on_ns for n in band if session.transport.bar_at(n.on_ns) == bar}) == 1]
    assert holding, "a bar while lost: one chord, struck once"
    assert not [d for d in drums if session.transport.bar_at(d.on_ns) in holding]
    assert session.follow.tempo.status(clock.now_ns())[0] == LOCKED  # found again on the new pulse
    assert session.snapshot().follow[0] == LOCKED
    run_until(session, clock, clock.now_ns() + 4000 * MS)
    assert session.stats.held_bars == held  # and the band plays its bars again


@pytest.mark.parametrize("seed", [9, 10, 11])
def test_found_again_after_notes_with_no_pulse_the_band_plays_on_the_new_beats(seed):
    """Lost in seconds of notes with no pulse, the tracker counts on while the band holds its
    bars where they were; found again on a new pulse, the band's next bar goes to the player's
    next bar line, and its notes fall on the player's beats (not a bar's worth of beats away,
    where its bars stood)."""
    _, session, sink, _, _, _, new_beats = _lost_and_found(seed, 400.0, 48)
    assert session.stats.held_bars >= 1
    band = sorted(n.on_ns for n in sink.scheduled if n.channel in BAND_CHANNELS)
    late = [_nearest(band, beat) for beat in new_beats[28:-4]]
    assert max(late) < 40.0, late


def test_a_sudden_new_tempo_is_heard_as_lost_and_the_band_comes_back_on_it():
    """16 beats at 120 BPM, then the player jumps to 160 (375 ms a beat) in quarter notes:
    the band says it lost the beat, holds its chord, and within a few bars its notes fall on
    the player's new beats again."""
    clock, session, sink, listener = _follow_session()
    steady, beats = _perform([500.0] * 16, session.transport.bar_start_ns(0), 6)
    rng, start = random.Random(4), beats[-1] + 500 * MS
    jumped = [start + k * 375 * MS for k in range(48)]
    faster = []
    for index, beat in enumerate(jumped):
        on = beat + round(rng.gauss(0, 10) * MS)
        faster += [InputEvent(on, NOTE_ON, 72 + index % 5, 90 if index % 4 == 0 else 75),
                   InputEvent(on + 180 * MS, NOTE_OFF, 72 + index % 5)]
    for event in steady + faster:
        run_until(session, clock, event.time_ns)
        session.feed(event)
    assert len(listener.told) == 1 and "lost your beat" in listener.told[0]
    assert session.stats.held_bars >= 1
    assert session.follow.tempo.status(clock.now_ns())[0] == LOCKED
    band = sorted(n.on_ns for n in sink.scheduled if n.channel in BAND_CHANNELS)
    late = [_nearest(band, beat) for beat in jumped[24:-4]]  # the last of the 48 beats
    assert max(late) < 40.0, late
    assert session.stats.misses == 0


def test_the_player_counts_in_and_the_band_takes_the_tempo_from_it():
    clock = VirtualClock()
    session, sink, _ = make_session(clock, bpm=120, follow=True, sync_start=True)
    session.start()
    session.feed(InputEvent(200 * MS, NOTE_ON, 50, 60))  # a stray note, long before
    session.feed(InputEvent(300 * MS, NOTE_OFF, 50))
    first = 200 * MS + SLOWEST_BEAT_NS + 500 * MS
    count_in = [first + k * 540 * MS + jitter * MS for k, jitter in enumerate((0, 6, -5, 3))]
    for index, on in enumerate(count_in):
        run_until(session, clock, on)
        assert not session.transport.started  # the band waits for the whole bar
        session.feed(InputEvent(on, NOTE_ON, 60, 90))
        session.feed(InputEvent(on + 3 * MS, NOTE_ON, 64, 90))  # a chord: one beat
        session.feed(InputEvent(on + 200 * MS, NOTE_OFF, 60))
        session.feed(InputEvent(on + 200 * MS, NOTE_OFF, 64))
        run_until(session, clock, on + 10 * MS)
        assert session.transport.started == (index == 3)
    assert session.transport.bpm_at(0) == pytest.approx(60_000 / 540, rel=0.02)
    assert abs(session.transport.bar_start_ns(0) - (first + 4 * 540 * MS)) < 10 * MS
    events, beats = _perform([540.0] * 24, session.transport.bar_start_ns(0), 8)
    for event in events:
        run_until(session, clock, event.time_ns)
        session.feed(event)
    band = sorted(n.on_ns for n in sink.scheduled if n.channel in BAND_CHANNELS)
    assert band and abs(band[0] - beats[4]) < 30 * MS  # in on bar 1, at the player's tempo
    assert not [n for n in sink.scheduled if n.channel == METRONOME_CHANNEL]  # no click


@pytest.mark.parametrize(("meter", "bars", "beats"),
                         [("3/4", 1, 6), ("6/8", 1, 4), ("4/4", 2, 8), ("3/4", 3, 9),
                          ("2/4", 1, 4), ("3/8", 1, 6)])
def test_a_played_count_in_has_four_beats_at_least_in_whole_bars(meter, bars, beats):
    """The count-in box's bars, whole, and as many more as four beats need."""
    clock = VirtualClock()
    session, _, _ = make_session(clock, bpm=100, meter=Meter.parse(meter), follow=True,
                                 sync_start=True, count_in=bars)
    session.start()
    first = 500 * MS
    count_in = [first + k * 640 * MS + jitter * MS
                for k, jitter in enumerate((0, 25, -20, 15, -10, 5, 20, -15, 10)[:beats])]
    for index, on in enumerate(count_in):
        run_until(session, clock, on)
        session.feed(InputEvent(on, NOTE_ON, 60, 90))
        session.feed(InputEvent(on + 200 * MS, NOTE_OFF, 60))
        run_until(session, clock, on + 10 * MS)
        assert session.transport.started == (index == beats - 1)  # not after one bar
        assert session.snapshot().counting_in == (None if index == beats - 1
                                                  else (index + 1, beats))  # (shown)
    beat_quarters = Meter.parse(meter).bar_quarters / Meter.parse(meter).beats_per_bar
    assert session.transport.bpm_at(0) * 0.64 / beat_quarters == pytest.approx(60, rel=0.03)
    assert abs(session.transport.bar_start_ns(0) - (first + beats * 640 * MS)) < 25 * MS


def test_the_jam_summary_counts_the_bars_held_with_the_beat_lost():
    from coperformer.jam.report import JamResult

    stats = {"bars_planned": 9, "missed_deadlines": 0, "inference_ms": {"p99": 4.0},
             "margin_ms": {"p50": 30.0}}
    assert "held" not in JamResult(stats).summary()
    assert "bars held with the beat lost 3" in JamResult({**stats, "held_bars": 3}).summary()


def _tune(period_ms: float, bars: int, start_ns: int, seed: int) -> tuple[list, list[int]]:
    """A tune's rhythm (not a beat a note: quarters, eighths, halves, a dotted quarter) from
    its first downbeat on, jittered 10 ms; the events and the player's true downbeats."""
    rng = random.Random(seed)
    rhythms = ((0.0, 1.0, 1.5, 2.0), (0.0, 1.5, 2.0, 3.0))  # beats of each note in a bar
    events, downbeats = [], []
    for bar in range(bars):
        downbeats.append(start_ns + round(bar * 4 * period_ms * MS))
        for index, beat in enumerate(rhythms[bar % 2]):
            on = downbeats[-1] + round((beat * period_ms + rng.gauss(0, 10)) * MS)
            pitch = 67 + (bar + index) % 5
            events.append(InputEvent(on, NOTE_ON, pitch, 95 if beat == 0 else 75))
            events.append(InputEvent(on + round(period_ms * 0.4 * MS), NOTE_OFF, pitch))
    return sorted(events, key=lambda e: e.time_ns), downbeats


@pytest.mark.parametrize("period_ms", [575.0, 435.0])  # 15 % slower, 13 % faster than 120
def test_with_no_count_in_the_tunes_first_note_starts_it_and_the_band_finds_its_tempo(
        period_ms):
    clock = VirtualClock()
    session, sink, _ = make_session(clock, bpm=120, follow=True, sync_start=True, count_in=0)
    session.start()
    first = 400 * MS
    events, downbeats = _tune(period_ms, 12, first, 3)
    for event in events:
        run_until(session, clock, event.time_ns)
        session.feed(event)
        if event.time_ns == first:
            run_until(session, clock, first + MS)
            assert session.transport.bar_start_ns(0) == first  # the first note is bar 1
    run_until(session, clock, downbeats[-1])
    band = sorted(n.on_ns for n in sink.scheduled if n.channel in BAND_CHANNELS)
    errors = [_nearest(band, downbeat) for downbeat in downbeats[2:]]
    assert band and max(errors) < 30.0, errors  # from the third bar on, on the player's
    assert _nearest(band, downbeats[1]) < 60.0  # the band comes in on the second bar
    assert session.transport.bpm_at(11) == pytest.approx(60_000 / period_ms, rel=0.04)
    assert session.stats.misses == 0
