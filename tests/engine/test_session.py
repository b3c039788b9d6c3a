import mido
import pytest

from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import END, NOTE_OFF, NOTE_ON, InputEvent, parse_midi
from coperformer.engine.live_band import LiveBand
from coperformer.engine.recorder import Recorder
from coperformer.engine.runner import run_virtual
from coperformer.engine.session import MS, Session, SessionConfig
from coperformer.engine.sinks import BAND_CHANNELS, METRONOME_CHANNEL, MemorySink
from coperformer.io.takefile import save_take
from coperformer.jam.recovery import recover_journal
from coperformer.music.meter import Meter
from tests.engine.fakes import ChordGenerator

NAMES, PROGRAMS = ["Alto", "Tenor", "Bass"], [48, 48, 42]


def make_session(clock, generator=None, recorder=None, **config):
    sink = MemorySink()
    generator = generator or ChordGenerator()
    session = Session(SessionConfig(**config), LiveBand(generator), [sink], clock, NAMES,
                      PROGRAMS, recorder)
    return session, sink, generator


run_until = run_virtual  # the tests' name for the engine's virtual-time driver


def play_bars(session, bars, bar_ns, start_ns, beats=4):
    beat = bar_ns // beats
    for bar in range(bars):
        for b in range(beats):
            on = start_ns + bar * bar_ns + b * beat
            session.feed(InputEvent(on, NOTE_ON, 72 + (b % 3) * 2, 90, raw=(0x90, 72, 90)))
            session.feed(InputEvent(on + beat // 2, NOTE_OFF, 72 + (b % 3) * 2,
                                    raw=(0x80, 72, 0)))


def test_band_plays_from_bar_two_before_every_downbeat():
    clock = VirtualClock()
    session, sink, generator = make_session(clock, bpm=120, count_in=1)
    session.start()
    session.poll(clock.now_ns())
    bar_ns = 2 * NS_PER_S
    bar0 = session.transport.bar_start_ns(0)
    assert bar0 == bar_ns
    clicks = [n for n in sink.scheduled if n.channel == METRONOME_CHANNEL]
    assert len(clicks) == 4 and clicks[0].on_ns == 0
    for bar in range(4):
        run_until(session, clock, bar0 + bar * bar_ns + bar_ns // 4)
        session.feed(InputEvent(clock.now_ns(), NOTE_ON, 72, 90, raw=(0x90, 72, 90)))
    run_until(session, clock, bar0 + 5 * bar_ns)
    band = [n for n in sink.scheduled if n.channel in BAND_CHANNELS]
    bars_with_band = sorted({(n.on_ns - bar0) // bar_ns for n in band})
    assert bars_with_band == [1, 2, 3, 4, 5]
    assert session.stats.misses == 0
    assert all(m >= 19.9 for m in session.stats.margin_ms)
    assert sink.programs == {1: 48, 2: 48, 3: 42, METRONOME_CHANNEL: 0}  # kit 0: Standard
    assert generator.calls[0][2] is False  # causal: live mode


def test_late_result_drops_past_notes_counts_a_miss_and_goes_on():
    clock = VirtualClock()
    slow = ChordGenerator(clock, delay_ns=600 * MS)  # later than the 20 ms margin
    session, sink, _ = make_session(clock, slow, bpm=120, count_in=0, metronome=False)
    planned_ahead = session.band.provisional

    def forgotten(request):  # no plan ahead to fall back on
        shown = planned_ahead(request)
        session.band._ahead = None
        return shown

    session.band.provisional = forgotten
    session.start()
    run_until(session, clock, 6 * NS_PER_S)
    assert session.stats.misses >= 2 and session.stats.late_provisional == 0
    band = [n for n in sink.scheduled if n.channel in BAND_CHANNELS]
    assert band, "notes after the deadline still play"
    downbeats = {session.transport.bar_start_ns(b) for b in range(1, 4)}
    assert not downbeats & {n.on_ns for n in band}, "nothing plays late"


def test_a_slow_model_computes_each_bar_once_when_nothing_new_is_heard():
    """Its first plan ahead takes 600 ms; the later plans of the same bar and its decision
    hear nothing new and take it: no bar computed twice, none late."""
    clock = VirtualClock()
    slow = ChordGenerator(clock, delay_ns=600 * MS)
    session, sink, _ = make_session(clock, slow, bpm=120, count_in=0, metronome=False)
    session.start()
    run_until(session, clock, 6 * NS_PER_S)
    assert session.stats.bars_planned >= 2 and session.stats.misses == 0
    assert session.stats.reused_plans == session.stats.bars_planned
    assert len(slow.calls) <= session.stats.bars_planned + 1  # (+ the next bar, planned ahead)


def test_sync_start_waits_for_the_first_note():
    clock = VirtualClock()
    session, sink, _ = make_session(clock, sync_start=True, count_in=2)
    session.start()
    run_until(session, clock, 3 * NS_PER_S)
    assert not session.transport.started and not sink.scheduled
    session.feed(InputEvent(clock.now_ns(), NOTE_ON, 60, 80))
    session.poll(clock.now_ns())
    assert session.transport.bar_start_ns(0) == 3 * NS_PER_S


def test_tempo_change_applies_from_the_first_unplanned_bar():
    clock = VirtualClock()
    session, sink, _ = make_session(clock, bpm=120, count_in=0)
    session.start()
    run_until(session, clock, NS_PER_S)
    bar = session.set_tempo(60)
    assert bar == 1
    assert session.transport.bar_start_ns(2) == 2 * NS_PER_S + 4 * NS_PER_S


def test_stop_silences_every_sink_and_no_note_is_left_hanging():
    clock = VirtualClock()
    session, sink, _ = make_session(clock, count_in=0)
    session.start()
    play_bars(session, 3, 2 * NS_PER_S, 0)
    run_until(session, clock, 5 * NS_PER_S)
    session.stop()
    assert sink.panics == 1
    assert all(n.off_ns > n.on_ns for n in sink.scheduled)


def test_end_of_input_finishes_after_the_last_note():
    clock = VirtualClock()
    session, sink, _ = make_session(clock, count_in=0, metronome=False)
    session.start()
    play_bars(session, 2, 2 * NS_PER_S, 0)
    session.feed(InputEvent(0, END))
    run_until(session, clock, 20 * NS_PER_S)
    assert session.finished
    assert clock.now_ns() <= 8 * NS_PER_S


@pytest.mark.parametrize("meter", ["3/4", "6/8", "4/4", "2/4", "3/8"])
def test_meters_shape_the_band_bar(meter):
    clock = VirtualClock()
    session, sink, generator = make_session(clock, meter=Meter.parse(meter), count_in=0,
                                            metronome=False)
    session.start()
    run_until(session, clock, 4 * NS_PER_S)
    assert int(generator.calls[0][1].valid[0].sum()) == Meter.parse(meter).bar_steps


def test_midi_parsing_handles_velocity_zero_pedal_and_stray_messages():
    assert parse_midi([0x90, 60, 0], 5).kind == NOTE_OFF
    assert parse_midi([0x91, 60, 10], 5).channel == 1
    assert parse_midi([0xB0, 64, 127], 5).kind == "pedal"
    assert parse_midi([0xB0, 123, 0], 5).kind == "all_off"
    for stray in ([0xF8], [0xFE], [0xF0, 1, 2, 0xF7], [0xB0, 7, 100], [], [0xC0, 5]):
        assert parse_midi(stray, 0) is None


def test_recording_keeps_the_performance_and_a_note_in_the_count_in(tmp_path):
    clock = VirtualClock()
    journal = tmp_path / "take.mid.journal"
    recorder = Recorder(journal)
    session, sink, _ = make_session(clock, recorder=recorder, bpm=120, count_in=1)
    session.start()
    session.feed(InputEvent(NS_PER_S, NOTE_ON, 50, 70, raw=(0x90, 50, 70)))  # in the count-in
    bar0 = session.transport.bar_start_ns(0)
    played = []
    for i in range(8):
        on = bar0 + i * NS_PER_S // 2 + 3 * MS  # slightly late: must stay unquantized
        session.feed(InputEvent(on, NOTE_ON, 60 + i, 60 + i, raw=(0x90, 60 + i, 60 + i)))
        session.feed(InputEvent(on + 200 * MS, NOTE_OFF, 60 + i, raw=(0x80, 60 + i, 0)))
        played.append(on)
    session.feed(InputEvent(bar0 + 100 * MS, "pedal", value=127, raw=(0xB0, 64, 127)))
    run_until(session, clock, bar0 + 3 * 2 * NS_PER_S)
    session.stop()
    out = tmp_path / "take.mid"
    save_take(recorder, out)
    assert not journal.exists()
    midi = mido.MidiFile(out)
    assert [t.name for t in midi.tracks] == ["Conductor", "Melody", "Alto", "Tenor", "Bass"]
    ticks, notes = 0, []
    for message in midi.tracks[1]:
        ticks += message.time
        if message.type == "note_on" and message.velocity:
            notes.append((message.note, message.velocity, ticks))
    assert [n[0] for n in notes] == [50, *range(60, 68)]  # the count-in's note is kept:
    assert [n[1] for n in notes] == [70, *range(60, 68)]  # the take begins at its bar
    for (_, _, tick), on in zip(notes, [NS_PER_S, *played], strict=True):
        seconds = tick / midi.ticks_per_beat * 0.5
        assert abs(seconds - on / NS_PER_S) < 0.002  # (the count-in bar began at 0)
    assert any(m.type == "control_change" and m.control == 64 for m in midi.tracks[1])
    assert sum(m.type == "note_on" for m in midi.tracks[4]) > 0


def test_a_crashed_session_is_recovered_from_its_journal(tmp_path):
    clock = VirtualClock()
    journal = tmp_path / "crash.mid.journal"
    recorder = Recorder(journal)
    session, _, _ = make_session(clock, recorder=recorder, count_in=0)
    session.start()
    play_bars(session, 3, 2 * NS_PER_S, 0)
    run_until(session, clock, 5 * NS_PER_S)
    recorder.close()  # the process dies here: no save
    with open(journal, "a") as handle:
        handle.write('{"t":"player","ns":')  # a torn last line
    out = recover_journal(journal)
    assert out.name == "crash-recovered.mid"
    midi = mido.MidiFile(out)
    assert sum(m.type == "note_on" and m.velocity > 0 for m in midi.tracks[1]) == 12
    assert sum(m.type == "note_on" for m in midi.tracks[2]) > 0


def _drum_positions(session, sink):
    """(bar, quarter within the bar, drum) of every groove hit scheduled."""
    t = session.transport
    out = []
    for n in sink.scheduled:
        if n.channel == METRONOME_CHANNEL and n.voice == len(session.tracks) - 1:  # drums
            quarters = t.quarters_at(n.on_ns)
            bar = max(b for b in range(64) if t.quarters_of_bar(b) <= quarters + 1e-9)
            out.append((bar, quarters - t.quarters_of_bar(bar), n.pitch))
    return out


def test_the_drum_groove_plays_on_the_grid_in_three_four_and_follows_a_tempo_change():
    from coperformer.engine.intents import SetGroove, SetTempo
    from coperformer.music.groove import CRASH, KICK

    clock = VirtualClock()
    recorder = Recorder()
    session, sink, _ = make_session(clock, recorder=recorder, bpm=120, meter=Meter(3, 4),
                                     count_in=0, metronome=False, drums="straight")
    session.start()
    bar_ns = int(1.5 * NS_PER_S)
    play_bars(session, 9, bar_ns, 0, beats=3)
    run_until(session, clock, 3 * bar_ns)
    session.request(SetTempo(90))  # bars not planned yet follow it
    session.poll(clock.now_ns())
    run_until(session, clock, session.transport.bar_start_ns(8))
    hits = _drum_positions(session, sink)
    bars = sorted({bar for bar, _, _ in hits})
    assert bars == list(range(1, 9))  # with the band, from bar 1
    for bar in bars:
        positions = [q for b, q, _ in hits if b == bar]
        assert all(abs(q * 4 - round(q * 4)) < 1e-6 and q < 3 for q in positions)
        assert (bar, 0.0, KICK) in [(b, round(q, 6), d) for b, q, d in hits]
    assert {b for b, _, d in hits if d == CRASH} == {4, 8}
    lengths = [session.transport.bar_start_ns(b + 1) - session.transport.bar_start_ns(b)
               for b in (1, 6)]
    assert lengths[1] > lengths[0] * 1.3  # 120 -> 90 BPM: the groove's bars grew with it
    session.request(SetGroove(None))
    run_until(session, clock, session.transport.bar_start_ns(11))
    assert max(b for b, _, _ in _drum_positions(session, sink)) <= 9  # out once planned
    session.stop()
    assert [t.name for t in recorder.recording.band][-1] == "Drums"
    assert {n.channel for n in recorder.recording.voice_notes(3)} == {METRONOME_CHANNEL}


def _band_by_bar(session, sink):
    """{bar: set of pitch classes} of the band notes scheduled (metronome left out)."""
    t, out = session.transport, {}
    for n in sink.scheduled:
        if n.channel in BAND_CHANNELS:
            bar = max(b for b in range(-4, 64) if t.bar_start_ns(b) <= n.on_ns)
            out.setdefault(bar, set()).add(n.pitch % 12)
    return out


def test_sync_stop_ends_on_the_tonic_a_bar_after_the_player_stops():
    clock = VirtualClock()
    recorder = Recorder()
    session, sink, _ = make_session(clock, recorder=recorder, bpm=120, count_in=0,
                                    metronome=False, sync_stop=True)
    session.start()
    bar_ns = 2 * NS_PER_S
    play_bars(session, 4, bar_ns, 0)  # C E G-ish: C major
    run_until(session, clock, 20 * bar_ns)
    assert session.finished and session.ending.bar == 5  # a silent bar 4, then the chord
    band = _band_by_bar(session, sink)
    assert band[5] == {0, 4, 7} and max(band) == 5  # the final chord, then nothing
    ending = [n for n in sink.scheduled if n.channel in BAND_CHANNELS
              and n.on_ns == session.transport.bar_start_ns(5)]
    assert len(ending) == 3 and all(n.off_ns > session.transport.bar_start_ns(6) - 10 * MS
                                    for n in ending)  # held for the whole bar
    assert clock.now_ns() < 8 * bar_ns  # it ended, it did not run on to the time limit
    assert any(n.on_ns == session.transport.bar_start_ns(5) for n in recorder.recording.notes)


def test_the_ending_intent_plays_the_final_chord_next_and_stops():
    from coperformer.engine.intents import End

    clock = VirtualClock()
    session, sink, _ = make_session(clock, bpm=120, count_in=0, metronome=False)
    session.start()
    bar_ns = 2 * NS_PER_S
    play_bars(session, 10, bar_ns, 0)
    run_until(session, clock, 3 * bar_ns + bar_ns // 2)
    session.request(End())
    run_until(session, clock, 12 * bar_ns)
    assert session.finished and session.ending.bar == 4
    assert _band_by_bar(session, sink)[4] == {0, 4, 7} and max(_band_by_bar(session, sink)) == 4


def test_an_intro_plays_the_tonic_of_the_key_set_through_the_count_in_and_bar_zero():
    from coperformer.music.harmony import Key

    clock = VirtualClock()
    session, sink, _ = make_session(clock, bpm=120, count_in=1, intro=Key(7, False))
    session.start()
    bar_ns = 2 * NS_PER_S
    play_bars(session, 3, bar_ns, bar_ns)
    run_until(session, clock, 3 * bar_ns)
    band = _band_by_bar(session, sink)
    assert band[-1] == band[0] == {7, 11, 2}  # G major, before the player is heard
    assert 1 in band  # from bar 1 the band plays what it heard


def test_a_chord_held_below_the_split_steers_the_band_from_the_next_bar():
    from coperformer.engine.intents import Stop

    clock = VirtualClock()
    session, sink, generator = make_session(clock, bpm=120, count_in=0, metronome=False,
                                            split=55)
    session.start()
    bar_ns = 2 * NS_PER_S
    play_bars(session, 6, bar_ns, 0)  # the melody, above the split
    run_until(session, clock, 2 * bar_ns + bar_ns // 2)
    for pitch in (45, 48, 52):  # A minor in the left hand, in bar 2
        session.feed(InputEvent(clock.now_ns(), NOTE_ON, pitch, 70, raw=(0x90, pitch, 70)))
    run_until(session, clock, 5 * bar_ns)
    chords = [call[4] for call in generator.calls]  # the chord each bar was generated on
    assert chords[-1].name == "Am" and chords[-1].pitch_classes == (9, 0, 4)
    assert all(c is None or c.name != "Am" for c in chords[:1])  # bar 1: before the chord
    melody = generator.calls[-1][1].melody
    assert not ((melody >= 0) & (melody < 55)).any()  # the left hand is not melody
    session.request(Stop())
