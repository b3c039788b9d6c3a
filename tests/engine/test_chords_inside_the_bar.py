"""The listening band changes chord inside a bar (at its half, or beat by beat), decided from
what it heard, through the real engine in virtual time (the real GAN voices each part); chord
models that ask for the dominant at every half, or on every second beat, make the decisions
visible."""

import pytest

from coperformer.engine.clock import NS_PER_S
from coperformer.engine.sinks import BAND_CHANNELS
from coperformer.model.live_engine import perform
from coperformer.model.store import load_model
from coperformer.music.meter import Meter
from coperformer.music.notes import Note, Piece, bars_for
from coperformer.music.roll import grid_from_piece
from tests.engine.fakes import halving_chord_model, second_beat_chord_model

BARS = 6
BEAT_NS = NS_PER_S // 2  # the evaluation's 120 BPM
C_TONES, G_TONES = {0, 4, 7}, {7, 11, 2}


@pytest.fixture(scope="module")
def gan():
    return load_model("bach")


def _grid():
    """Eighths outlining C major, the same each bar."""
    line = [60, 64, 67, 72, 71, 67, 62, 60]
    notes = [Note(p, b * 4 + i / 2, b * 4 + (i + 1) / 2) for b in range(BARS)
             for i, p in enumerate(line)]
    return grid_from_piece(Piece(notes, [], bars_for(Meter(4, 4), 4 * BARS)))


def _beats(done, time_ns):
    """A time in the session as beats from the melody's first note."""
    return (time_ns - done.at(0)) / BEAT_NS


def _band_notes(done):
    return [n for n in done.sink.scheduled if n.channel in BAND_CHANNELS]


def test_the_band_takes_a_new_chord_at_the_half_bar_and_voices_it_from_there(gan):
    done = perform(gan, halving_chord_model(), _grid(), adventure=0.0, every="half")
    marks = [(_beats(done, t), name) for t, name in done.recording.chords]
    within = [(at, name) for at, name in marks if at < 4 * BARS]
    assert within == [(4.0 * bar + half, name) for bar in range(1, BARS)
                      for half, name in ((0, "C"), (2, "G"))]
    for note in _band_notes(done):
        at = _beats(done, note.on_ns)
        if 4 <= at < 4 * BARS:
            assert note.pitch % 12 in (G_TONES if at % 4 >= 2 else C_TONES), (at, note)
    second_halves = [n for n in _band_notes(done) if 4 <= _beats(done, n.on_ns) < 4 * BARS
                     and _beats(done, n.on_ns) % 4 >= 2]
    assert {n.pitch % 12 for n in second_halves} & {11, 2}  # the G chord sounds, not only G
    stats = done.session.stats.as_dict()
    assert stats["replan_ms"]["n"] >= BARS - 1 and stats["late_replans"] == 0


def test_a_held_note_over_the_half_ends_there_unless_the_new_chord_keeps_it(gan):
    done = perform(gan, halving_chord_model(), _grid(), adventure=0.0, every="half")
    for note in _band_notes(done):
        start, end = _beats(done, note.on_ns), _beats(done, note.off_ns)
        if 4 <= start < 4 * BARS and start % 4 < 2 and note.pitch % 12 not in G_TONES:
            assert end <= (start // 4) * 4 + 2 + 1e-6, (start, end, note)


def test_one_chord_per_bar_when_half_bars_are_off(gan):
    done = perform(gan, halving_chord_model(), _grid(), adventure=0.0, every="bar")
    marks = [(_beats(done, t), name) for t, name in done.recording.chords]
    assert all(at % 4 == 0 and name == "C" for at, name in marks)
    assert all(n.pitch % 12 in C_TONES for n in _band_notes(done))


def test_half_bars_switched_off_and_on_while_playing(gan):
    """The window's switch: off after bar 2's half (bar 3 keeps one chord), on again before
    bar 4's downbeat (bar 4 changes at its half again)."""
    from coperformer.engine.intents import SetChordRhythm

    intents = ((2 * 16 + 12, SetChordRhythm("bar")), (3 * 16 + 12, SetChordRhythm("half")))
    done = perform(gan, halving_chord_model(), _grid(), adventure=0.0, every="half",
                   intents=intents)
    marks = [(_beats(done, t), name) for t, name in done.recording.chords]
    halves = {int(at // 4) for at, name in marks if at < 4 * BARS and at % 4 == 2}
    assert halves == {1, 2, 4, 5}, marks
    bar3 = [n for n in _band_notes(done) if 12 <= _beats(done, n.on_ns) < 16]
    assert bar3 and all(n.pitch % 12 in C_TONES for n in bar3)


def test_a_half_not_decided_yet_keeps_its_bars_chord_once_switched_off(gan):
    from coperformer.engine.intents import SetChordRhythm

    intents = ((3 * 16 + 2, SetChordRhythm("bar")),)  # bar 3's second eighth: before its half
    done = perform(gan, halving_chord_model(), _grid(), adventure=0.0, every="half",
                   intents=intents)
    marks = [(_beats(done, t), name) for t, name in done.recording.chords]
    halves = {int(at // 4) for at, name in marks if at < 4 * BARS and at % 4 == 2}
    assert halves == {1, 2}, marks


def test_half_bars_switched_on_in_a_session_started_with_one_chord_a_bar(gan):
    """Started with a chord a bar, the bars go out whole; switched on, the hand-over a beat at
    a time starts and the next bars change at their half."""
    from coperformer.engine.intents import SetChordRhythm

    whole = perform(gan, halving_chord_model(), _grid(), adventure=0.0, every="bar")
    assert whole.session.steering.handover is None
    intents = ((2 * 16 + 12, SetChordRhythm("half")),)
    done = perform(gan, halving_chord_model(), _grid(), adventure=0.0, every="bar",
                   intents=intents)
    marks = [(_beats(done, t), name) for t, name in done.recording.chords]
    halves = {int(at // 4) for at, name in marks if at < 4 * BARS and at % 4 == 2}
    assert halves == {3, 4, 5}, marks


def test_beat_by_beat_the_band_changes_chord_where_the_next_beat_model_asks(gan):
    """A chord a beat (the default): before each beat the planner asks the next-beat model,
    and the bar is voiced again from the beat where the chord changes, no later."""
    done = perform(gan, second_beat_chord_model(), _grid(), adventure=0.0)
    marks = [(_beats(done, t), name) for t, name in done.recording.chords]
    within = [(at, name) for at, name in marks if at < 4 * BARS]
    assert within == [(4.0 * bar + beat, name) for bar in range(1, BARS)
                      for beat, name in ((0, "C"), (1, "G"), (2, "C"))]
    for note in _band_notes(done):
        at = _beats(done, note.on_ns)
        if 4 <= at < 4 * BARS:
            assert note.pitch % 12 in (G_TONES if 1 <= at % 4 < 2 else C_TONES), (at, note)
    assert {n.pitch % 12 for n in _band_notes(done)
            if 4 <= _beats(done, n.on_ns) < 4 * BARS} & {11, 2}
    stats = done.session.stats.as_dict()
    assert stats["replan_ms"]["n"] >= 2 * (BARS - 1) and stats["late_replans"] == 0


def test_the_same_model_keeps_one_chord_a_bar_when_asked_to(gan):
    done = perform(gan, second_beat_chord_model(), _grid(), adventure=0.0, every="bar")
    marks = [(_beats(done, t), name) for t, name in done.recording.chords]
    assert marks and all(at % 4 == 0 and name == "C" for at, name in marks)
