"""What a keyboardist met in the first hour (issue 18), through the real engine in virtual time
with the shipped model and the listening band: pickups in the take (and its recovery), drums
that stop with the band and at Panic, the ending's chord and its bar, the next chord shown,
a style change at a bar line."""

import mido
import numpy as np

from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.intents import End, Panic, SetProgram, SetStyle
from coperformer.engine.listener import QuietListener
from coperformer.engine.live_band import LiveBand
from coperformer.engine.mix_controls import PROGRAM_LEAD_NS
from coperformer.engine.recorder import Recorder
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import BAND_CHANNELS, MemorySink
from coperformer.io.takefile import save_take
from coperformer.jam.recovery import recover_journal
from coperformer.model.store import load_model, load_reward_model
from coperformer.music.chord_chart import parse_chart
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.harmony import Key
from coperformer.music.listening import HarmonyPlanner
from tests.engine.test_session import run_until
from tests.midi_helpers import markers

BAR_NS, QUARTER_NS = 2 * NS_PER_S, NS_PER_S // 2  # 120 BPM, 4/4


class Heard(QuietListener):
    """The chords announced as coming next, with when they were announced."""

    def __init__(self, clock):
        self.clock, self.coming = clock, []

    def on_next_chord(self, name, at_ns, provisional):
        self.coming.append((self.clock.now_ns(), name, at_ns, provisional))


class TimedSink(MemorySink):
    """A memory sink that also remembers when each program change came."""

    def __init__(self, clock):
        super().__init__()
        self.clock, self.program_log = clock, []

    def set_program(self, channel, program):
        super().set_program(channel, program)
        self.program_log.append((self.clock.now_ns(), channel, program))


def _session(clock, recorder=None, listener=None, style="bach", **config):
    model = load_model(style)
    band = LiveBand(model, planner=HarmonyPlanner(load_reward_model()))
    sink = TimedSink(clock)
    settings = {"bpm": 120, "count_in": 0, "metronome": False, **config}
    session = Session(SessionConfig(**settings), band, [sink], clock, model.track_names,
                      model.programs, recorder, listener)
    session.start()
    return session, sink


def _note(session, clock, pitch, on_ns, off_ns):
    """The player presses a key at ``on_ns`` and lets go at ``off_ns``."""
    run_until(session, clock, on_ns)
    session.feed(InputEvent(on_ns, NOTE_ON, pitch, 80, raw=(0x90, pitch, 80)))
    run_until(session, clock, off_ns)
    session.feed(InputEvent(off_ns, NOTE_OFF, pitch, raw=(0x80, pitch, 0)))


C_TUNE = [  # a C-major tune that dwells on E, G and B, with F naturals, and ends on C
    (64, 67, 71, 67), (64, 67, 71, 72), (71, 67, 65, 64), (62, 65, 71, 67),
    (64, 67, 71, 67), (64, 67, 71, 72), (71, 67, 65, 62), (60, None, None, None)]


def _play_tune(session, clock, first_bar=0, tune=C_TUNE):
    for bar, pitches in enumerate(tune):
        for beat, pitch in enumerate(pitches):
            if pitch is not None:
                on = (first_bar + bar) * BAR_NS + beat * QUARTER_NS
                _note(session, clock, pitch, on, on + QUARTER_NS - 10**6)


def _band_bars(notes, channels=BAND_CHANNELS) -> dict[int, list]:
    bars: dict[int, list] = {}
    for note in notes:
        if note.channel in channels:
            bars.setdefault(note.on_ns // BAR_NS, []).append(note)
    return bars


# --- the take holds every note from Play to Stop ----------------------------------------------

def _melody_notes(path) -> list[tuple[int, int]]:
    """(tick, pitch) of each note-on of a take's melody track."""
    tick, out = 0, []
    for message in mido.MidiFile(path).tracks[1]:
        tick += message.time
        if message.type == "note_on" and message.velocity:
            out.append((tick, message.note))
    return out


def test_notes_in_the_count_in_are_in_the_take_and_its_recovery(tmp_path):
    clock = VirtualClock()
    journal = tmp_path / "take.mid.journal"
    recorder = Recorder(journal)
    session, _ = _session(clock, recorder, count_in=2, intro=Key(0, False))
    bar0 = session.transport.bar_start_ns(0)
    assert bar0 == 2 * BAR_NS
    _note(session, clock, 59, bar0 - 5 * QUARTER_NS, bar0 - 4 * QUARTER_NS)  # a stray note
    _note(session, clock, 55, bar0 - QUARTER_NS, bar0 + QUARTER_NS)  # a pickup held over
    _play_tune(session, clock, first_bar=2, tune=C_TUNE[:3])
    run_until(session, clock, bar0 + 4 * BAR_NS)
    session.stop()
    played = [59, 55] + [p for bar in C_TUNE[:3] for p in bar if p is not None]
    take = tmp_path / "take.mid"
    recovered = recover_journal(journal, tmp_path / "recovered.mid")
    save_take(recorder, take)
    ticks = mido.MidiFile(take).ticks_per_beat
    for path in (take, recovered):
        notes = _melody_notes(path)
        assert [pitch for _, pitch in notes] == played, path
        # the take begins at the first count-in bar played in: its bar lines stay the jam's
        assert notes[0][0] == 3 * ticks and notes[1][0] == 7 * ticks
        assert notes[2][0] == 8 * ticks  # bar 0 is the file's third bar
        assert markers(path)[0] == (0.0, "C")  # the intro's chord under the pickups too


def test_without_a_pickup_the_take_begins_at_bar_zero(tmp_path):
    clock = VirtualClock()
    recorder = Recorder(None)
    session, _ = _session(clock, recorder, count_in=1)
    _play_tune(session, clock, first_bar=1, tune=C_TUNE[:2])
    run_until(session, clock, 4 * BAR_NS)
    session.stop()
    save_take(recorder, tmp_path / "take.mid")
    assert _melody_notes(tmp_path / "take.mid")[0] == (0, 64)


# --- the drums stop with the band, and at Panic ------------------------------------------------

def _render_take(recorder, path, soundfont):
    from coperformer.io.midifile import read_song
    from coperformer.synth.fluid import FluidSynth
    from coperformer.synth.render import render_song

    save_take(recorder, path)
    synth = FluidSynth(soundfont)
    try:
        return render_song(synth, read_song(path)), synth.sample_rate
    finally:
        synth.close()


def test_the_drums_stop_with_the_band_when_the_player_stops(tmp_path, soundfont):
    clock = VirtualClock()
    recorder = Recorder(None)
    session, sink = _session(clock, recorder, drums="straight")
    _play_tune(session, clock, tune=C_TUNE[:4])  # bars 0-3, then silence
    run_until(session, clock, 12 * BAR_NS)
    session.stop()
    band = _band_bars(sink.scheduled)
    drums = _band_bars(sink.scheduled, (DRUM_CHANNEL,))
    assert set(range(1, 5)) <= set(band) and set(range(1, 5)) <= set(drums)
    stopped = max(band) + 1  # the band rests once it heard two silent bars
    assert stopped <= 6
    assert not [bar for bar in drums if bar >= stopped], drums  # and the drums with it
    frames, rate = _render_take(recorder, tmp_path / "take.mid", soundfont)
    level = np.zeros(12 * 2 * rate)  # the take ends when the band does: silence after it
    heard = np.abs(frames.astype(np.float64)).mean(axis=1)[:level.size]
    level[:heard.size] = heard

    def loudness(first_bar, last_bar):
        return level[first_bar * 2 * rate:last_bar * 2 * rate].mean()

    assert loudness(stopped + 2, stopped + 4) < 0.01 * loudness(1, 4)  # heard silent


def test_panic_silences_band_and_drums_at_once_in_the_sound_and_in_the_take(tmp_path):
    clock = VirtualClock()
    journal = tmp_path / "take.mid.journal"
    recorder = Recorder(journal)
    session, sink = _session(clock, recorder, drums="straight")
    _play_tune(session, clock, tune=C_TUNE[:3])
    panic = 3 * BAR_NS + 3 * QUARTER_NS // 2  # bar 3, between beats 2 and 3
    run_until(session, clock, panic)
    session.request(Panic())
    session.poll(clock.now_ns())
    assert sink.panics == 1  # every sink, drums included, silenced at once
    _play_tune(session, clock, first_bar=4, tune=C_TUNE[3:5])
    run_until(session, clock, 7 * BAR_NS)
    session.stop()
    take, recovered = tmp_path / "take.mid", tmp_path / "recovered.mid"
    recover_journal(journal, recovered)
    save_take(recorder, take)
    silent_until = 4 * BAR_NS  # the band comes back at the next bar it plans
    notes = recorder.recording.notes
    assert not [n for n in notes if panic <= n.on_ns < silent_until]
    assert not [n for n in notes if n.on_ns < panic < n.off_ns]
    assert [n for n in notes if n.channel == DRUM_CHANNEL and n.on_ns >= silent_until]
    for path in (take, recovered):  # the file and its recovery hold the silence too
        assert _sounding_at(path, 3 * 4 + 1.5, 4 * 4) == set(), path


def _sounding_at(path, start_q, end_q) -> set[int]:
    """Band and drum pitches struck in [start_q, end_q) quarters of a take."""
    midi, struck = mido.MidiFile(path), set()
    for track in midi.tracks[2:]:
        ticks = 0
        for message in track:
            ticks += message.time
            if message.type == "note_on" and message.velocity \
                    and start_q <= ticks / midi.ticks_per_beat < end_q:
                struck.add(message.note)
    return struck


# --- the ending: the key's tonic, under the melody, on the bar promised ----------------------

def _ending(sink, session) -> tuple[int, list]:
    """The final bar and its notes."""
    band = _band_bars(sink.scheduled)
    last = max(band)
    return last, band[last]


def _assert_tonic_under_the_melody(notes):
    pitches = sorted(n.pitch for n in notes)
    assert {p % 12 for p in pitches} == {0, 4, 7} and pitches[0] % 12 == 0, pitches  # C
    assert max(pitches) < 60, pitches  # under the melody's lowest notes (its final C4)
    assert len({(n.on_ns, n.off_ns) for n in notes}) == 1  # one chord held for the bar


def test_sync_stop_ends_on_the_tonic_after_one_bar_of_silence():
    clock = VirtualClock()
    session, sink = _session(clock, sync_stop=True)
    _play_tune(session, clock)  # bars 0-7; bar 7 holds the final C on its first beat
    run_until(session, clock, 14 * BAR_NS)
    assert session.finished
    last, notes = _ending(sink, session)
    assert last == 9  # bar 8 without a note, then the final chord (README)
    _assert_tonic_under_the_melody(notes)
    assert session.next_line - 1 == 10  # the session ends as the final chord's bar does


def test_the_ending_button_plays_the_tonic_in_the_next_bar():
    clock = VirtualClock()
    session, sink = _session(clock)
    _play_tune(session, clock)
    run_until(session, clock, 7 * BAR_NS + QUARTER_NS)
    session.request(End())
    run_until(session, clock, 14 * BAR_NS)
    last, notes = _ending(sink, session)
    assert last == 8
    _assert_tonic_under_the_melody(notes)


def test_a_floating_voice_ends_above_the_melody():
    clock = VirtualClock()
    session, sink = _session(clock)
    session.band.set_floating(0, True)
    _play_tune(session, clock)
    run_until(session, clock, 7 * BAR_NS + QUARTER_NS)
    session.request(End())
    run_until(session, clock, 14 * BAR_NS)
    _, notes = _ending(sink, session)
    alto = [n.pitch for n in notes if n.channel == BAND_CHANNELS[0]]
    others = [n.pitch for n in notes if n.channel != BAND_CHANNELS[0]]
    assert alto == [76] and max(others) < 60  # E5 over the last notes (up to C5), the rest under


# --- a style change: at the bar line the new style starts, each program once ------------------

def test_a_style_change_switches_programs_once_at_the_bar_line_it_starts():
    clock = VirtualClock()
    recorder = Recorder(None)
    session, sink = _session(clock, recorder)
    second = load_model("palestrina")
    first_programs = dict(zip(BAND_CHANNELS, load_model("bach").programs, strict=False))
    changed = {ch: p for ch, p in zip(BAND_CHANNELS, second.programs, strict=False)
               if first_programs[ch] != p}
    assert changed, "the two styles must differ in a program for this test to mean anything"
    _play_tune(session, clock, tune=C_TUNE[:3])
    asked = 3 * BAR_NS + QUARTER_NS + QUARTER_NS // 3  # mid-bar, between two clicks
    run_until(session, clock, asked)
    before = len(sink.program_log)
    session.request(SetStyle(second, tuple(second.programs)))
    for channel, program in zip(BAND_CHANNELS, second.programs, strict=False):
        session.request(SetProgram(channel, program))  # the window's strips follow the style
    _play_tune(session, clock, first_bar=3, tune=C_TUNE[3:6])
    run_until(session, clock, 7 * BAR_NS)
    sent = sink.program_log[before:]
    assert sorted(ch for _, ch, _ in sent) == sorted(changed), sent  # each change once
    line = 4 * BAR_NS  # the first bar the new style decides
    assert all(line - PROGRAM_LEAD_NS <= at < line for at, _, _ in sent), sent  # on its line
    old_notes = [n for n in sink.scheduled if n.channel in BAND_CHANNELS and n.on_ns < line]
    assert all(n.on_ns < line - PROGRAM_LEAD_NS for n in old_notes)  # none takes the new sound
    assert {(at, ch, p) for at, ch, p in recorder.recording.programs} == {
        (line, ch, p) for ch, p in changed.items()}  # the take switches on the bar line
    assert session.band.generator is second


def test_a_program_already_set_is_not_sent_again():
    clock = VirtualClock()
    session, sink = _session(clock)
    channel, program = BAND_CHANNELS[0], session.tracks[0].program
    before = len(sink.program_log)
    session.request(SetProgram(channel, program))
    session.request(SetProgram(channel, program + 1))
    session.request(SetProgram(channel, program + 1))
    session.poll(clock.now_ns())
    assert sink.program_log[before:] == [(0, channel, program + 1)]


# --- the next chord shown is the one that sounds next -----------------------------------------

def _told_at(heard, t_ns):
    """What the board was last told by ``t_ns``: (name, provisional)."""
    told = [(name, provisional) for at, name, _, provisional in heard.coming if at <= t_ns]
    return told[-1] if told else None


def _sounds_next(chords, t_ns):
    """The first chord the band played after ``t_ns`` (the take's chord marks)."""
    later = sorted((at, name) for at, name in chords if at > t_ns)
    return later[0][1] if later else None


def test_the_next_chord_is_the_change_inside_the_bar_then_the_next_bar():
    clock = VirtualClock()
    heard, recorder = Heard(clock), Recorder(None)
    session, _ = _session(clock, recorder, heard, count_in=1,
                          chart=parse_chart("C | F G7 | Am | Dm G7 | C | F G7"))
    bar0 = session.transport.bar_start_ns(0)
    _play_tune(session, clock, first_bar=1, tune=C_TUNE[:6])
    run_until(session, clock, bar0 + 6 * BAR_NS)
    chords = recorder.recording.chords
    eighth = QUARTER_NS // 2
    samples = [bar0 + k * eighth + eighth // 2 for k in range(5 * 8)]
    wrong = [(t, _told_at(heard, t), _sounds_next(chords, t)) for t in samples
             if (_told_at(heard, t) or ("",))[0] != _sounds_next(chords, t)]
    assert not wrong, wrong
    assert _told_at(heard, bar0 + BAR_NS - 10**6) == ("F", False)  # decided, its line next
    in_bar_one = _told_at(heard, bar0 + BAR_NS + QUARTER_NS)  # F sounds, G7 on beat 3
    assert in_bar_one == ("G7", True)  # previewed until its beat decides it
    decided = _told_at(heard, bar0 + 2 * BAR_NS - 10**6)
    assert decided == ("Am", False)  # the next bar, decided before its line


def test_with_the_listening_band_a_decided_next_chord_is_what_it_plays():
    clock = VirtualClock()
    heard, recorder = Heard(clock), Recorder(None)
    session, _ = _session(clock, recorder, heard)
    _play_tune(session, clock)
    run_until(session, clock, 12 * BAR_NS)
    chords = recorder.recording.chords
    told = [(at, name, start, provisional) for at, name, start, provisional in heard.coming
            if name]
    assert [p for *_, p in told].count(True) >= 4 and [p for *_, p in told].count(False) >= 4
    for at, name, start, provisional in told:
        assert start > at  # always a chord still to come
        if not provisional:
            assert (start, name) in chords  # decided: it is what the band plays, there
    assert _told_at(heard, 11 * BAR_NS + QUARTER_NS)[0] == ""  # the band rests: no next chord


def test_with_sync_start_a_pedal_pressed_before_the_first_note_is_in_the_take(tmp_path):
    clock = VirtualClock()
    recorder = Recorder(None)
    session, _ = _session(clock, recorder, sync_start=True)
    run_until(session, clock, NS_PER_S)
    session.feed(InputEvent(NS_PER_S, "pedal", value=127, raw=(0xB0, 64, 127)))
    _note(session, clock, 64, 2 * NS_PER_S, 3 * NS_PER_S)  # the first note starts bar 0
    run_until(session, clock, 4 * NS_PER_S)
    session.stop()
    save_take(recorder, tmp_path / "take.mid")
    tick, pedal, first = 0, None, None
    for message in mido.MidiFile(tmp_path / "take.mid").tracks[1]:
        tick += message.time
        if message.type == "control_change" and message.control == 64 and pedal is None:
            pedal = (tick, message.value)
        if message.type == "note_on" and first is None:
            first = tick
    assert pedal == (0, 127) and first == 0  # held from the first note, as it was heard


def test_a_chord_the_left_hand_takes_mid_bar_is_next_until_its_beat():
    clock = VirtualClock()
    heard = Heard(clock)
    session, _ = _session(clock, listener=heard, split=55)
    _play_tune(session, clock, tune=C_TUNE[:2])
    pressed = 2 * BAR_NS + QUARTER_NS + QUARTER_NS // 2  # bar 2, between beats 2 and 3
    run_until(session, clock, pressed)
    for pitch in (45, 48, 52):  # A minor below the split
        session.feed(InputEvent(pressed, NOTE_ON, pitch, 70, raw=(0x90, pitch, 70)))
    session.poll(clock.now_ns())
    beat = 2 * BAR_NS + 2 * QUARTER_NS  # followed from the next beat
    assert heard.coming[-1][1:] == ("Am", beat, True)
    run_until(session, clock, beat + QUARTER_NS // 2)
    _, name, at, _ = heard.coming[-1]
    assert name == "" or at > beat  # once it sounds, the next is what comes after it
