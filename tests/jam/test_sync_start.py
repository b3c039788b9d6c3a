"""Sync start with a MIDI file: the jam starts at the bar of the file's first note, after the
count-in, and keeps the file's timing (its bar lines stay the jam's)."""

import time
import warnings

import mido
import pytest

from coperformer.io.midifile import read_song
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from coperformer.midi.fileplayer import first_bar_seconds
from tests.host_probe import HostProbe
from tests.midi_helpers import melody_notes, note_ons, write_midi

SYNC_TRIES = 3  # a jam whose player's notes the host's stalls moved is played again
BEAT_MS = 250.0  # a quarter at 240 BPM


def _onsets(path):
    return {name: [at for at, _ in ons] for name, ons in note_ons(path).items()}


@pytest.mark.parametrize("meter, offset, bar_start", [((4, 4), 5.0, 4.0), ((3, 4), 7.5, 6.0),
                                                       ((4, 4), 0.0, 0.0)])
def test_the_first_notes_bar_line(tmp_path, meter, offset, bar_start):
    notes = [(p, s + offset, e + offset) for p, s, e in melody_notes(2)]
    song = read_song(write_midi(tmp_path / "m.mid", [{"notes": notes}], bpm=120, meter=meter))
    assert first_bar_seconds(song) == pytest.approx(bar_start * 0.5)


def test_a_file_with_a_late_first_note_keeps_its_place_in_the_bar(tmp_path, shipped_model):
    notes = [(p, s + 5.0, e + 5.0) for p, s, e in melody_notes(3)]  # bar 2, beat 2
    melody = write_midi(tmp_path / "late.mid", [{"channel": 0, "notes": notes}], bpm=240)
    for attempt in range(SYNC_TRIES):
        take = tmp_path / f"take-{attempt}.mid"
        jam = Jam.build(JamOptions(input=str(melody), sync_start=True, count_in=1, record=take))
        assert not jam.session.config.sync_start  # a file's first note is known: no waiting
        assert jam.session.transport.count_in == 1  # the count-in is kept
        with HostProbe() as host:
            jam.start()
            while jam.running:
                time.sleep(0.05)
            assert jam.finish().error is None
        onsets = _onsets(take)
        melody_on = onsets["Melody"]
        try:
            _assert_the_files_timing_kept(melody_on)
            break
        except AssertionError:
            # each player's note is stamped as the file's player wakes for it (1.3 ms late at
            # most here): a note a host's stall moved is the host's, and played again
            gaps = [b - a for a, b in zip(melody_on, melody_on[1:], strict=False)]
            moved_ms = max(abs(melody_on[0] - 1.0), *(abs(g - 1.0) for g in gaps)) * BEAT_MS
            if attempt == SYNC_TRIES - 1 or not host.longer_than(moved_ms / 2):
                raise
            warnings.warn(f"a note moved {moved_ms:.0f} ms while the host stalled "
                          f"{host.stalls}: played again", stacklevel=1)
    band = [t for name in ("Alto", "Tenor", "Bass") for t in onsets[name]]
    assert band and min(band) >= 4.0 - 0.01  # the band from bar 1, on its bar lines
    assert all(abs(t * 4 - round(t * 4)) < 0.02 for t in band)  # on the grid of the bars


def _assert_the_files_timing_kept(melody_on: list[float]) -> None:
    """The player's notes (quarters from the first bar) where the file has them: the first on
    beat 2, a beat apart."""
    assert melody_on[0] == pytest.approx(1.0, abs=0.02)  # beat 2 of the first bar
    gaps = [b - a for a, b in zip(melody_on, melody_on[1:], strict=False)]
    assert sorted(gaps)[len(gaps) // 2] == pytest.approx(1.0, abs=0.02)  # its rhythm kept
    assert all(g == pytest.approx(1.0, abs=0.2) for g in gaps), gaps  # (a busy machine)


def test_a_meter_change_mid_jam_starts_at_a_bar_line_and_is_recorded(tmp_path, shipped_model):
    melody = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": melody_notes(8)}], bpm=240)
    take = tmp_path / "take.mid"
    jam = Jam.build(JamOptions(input=str(melody), count_in=0, record=take))
    jam.start()
    while jam.running and (jam.snapshot().planned_bar or 0) < 2:
        time.sleep(0.01)
    jam.set_meter("3/4")
    while jam.running and len(jam.snapshot().segments) < 2:
        time.sleep(0.01)
    change = jam.snapshot().segments[-1]
    assert str(change.meter) == "3/4" and change.first_bar >= 3
    while jam.running:
        time.sleep(0.05)
    assert jam.finish().error is None
    midi = mido.MidiFile(take)
    tick, signatures = 0, []
    for message in midi.tracks[0]:
        tick += message.time
        if message.type == "time_signature":
            signatures.append((tick / midi.ticks_per_beat, message.numerator))
    at = change.first_bar * 4.0  # 4/4 bars before the change
    assert signatures == [(0.0, 4), (at, 3)]
    onsets = _onsets(take)
    band = [t for name in ("Alto", "Tenor", "Bass") for t in onsets[name] if t >= at]
    assert band, "the band plays on in 3/4"
    downbeats = {round((t - at) / 3.0, 6) for t in band if abs((t - at) % 3.0) < 1e-3}
    assert len(downbeats) >= 2  # notes on the new 3-beat bar lines
    assert all(t >= at or t < at - 0.01 for t in band)


@pytest.mark.parametrize(("follow", "count_in", "meter", "says"), [
    (True, 1, "3/4", "play 6 beats on any key"), (True, 1, "4/4", "play 4 beats"),
    (True, 2, "4/4", "play 8 beats"),
    (True, 0, "4/4", "on its first downbeat"), (False, 1, "4/4", "first note is bar 1")])
def test_the_banner_says_how_the_player_starts_the_tune(follow, count_in, meter, says):
    from coperformer.jam.inputs import InputPlan
    from coperformer.jam.jam import start_hint
    from coperformer.music.meter import Meter

    plan = InputPlan(None, 120.0, Meter.parse(meter))
    hint = start_hint(JamOptions(follow=follow, count_in=count_in, sync_start=True), plan)
    assert hint and says in hint
    assert start_hint(JamOptions(follow=follow, count_in=count_in), plan) is None
