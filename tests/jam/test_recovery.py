"""`coperformer recover` salvages a journal line by line: journals written by the project's own
journal writer, then corrupted; the real command, the real take writer, real files."""

import json

import mido
import pytest

from coperformer.cli.main import main
from coperformer.engine.clock import NS_PER_S
from coperformer.engine.journal import (
    JournalWriter,
    band_record,
    chord_record,
    player_record,
    program_record,
    start_record,
    tempo_record,
)
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.take import BandTrackInfo
from coperformer.engine.transport import Transport
from tests.midi_helpers import markers

HALF = NS_PER_S // 2  # a quarter note at 120 BPM
BAND = [BandTrackInfo("Alto", 1, 52), BandTrackInfo("Tenor", 2, 52), BandTrackInfo("Bass", 3, 32)]


def write_journal(path, held=(), pedal=False):
    """Eight played quarter notes and a band chord per bar, journaled as a session does; the
    pitches in `held` get no note-off, `pedal` leaves the sustain pedal down."""
    transport = Transport(120)
    transport.start(0)
    writer = JournalWriter(path)
    writer.write(start_record(BAND, 0))
    writer.write(tempo_record(transport.changes()))
    for i in range(8):
        pitch = 60 + i
        writer.write(player_record(i * HALF, (0x90, pitch, 80)))
        if pitch not in held:
            writer.write(player_record(i * HALF + HALF // 2, (0x80, pitch, 0)))
        if i % 4 == 0:
            for voice, info in enumerate(BAND):
                note = ScheduledNote(i * HALF, (i + 4) * HALF, info.channel, 55 - 7 * voice, 70,
                                     voice)
                writer.write(band_record(note))
        writer.flush()
    if pedal:
        writer.write(player_record(7 * HALF, (0xB0, 64, 127)))
    writer.close()
    return path


def insert_lines(journal, lines: list[bytes], at: int = 3):
    """Put raw lines into the middle of a journal (not just a torn last line)."""
    body = journal.read_bytes().split(b"\n")
    journal.write_bytes(b"\n".join(body[:at] + lines + body[at:]))


def melody_notes(path):
    """(note, on tick, off tick) of the Melody track."""
    ticks, sounding, notes = 0, {}, []
    for message in mido.MidiFile(path).tracks[1]:
        ticks += message.time
        if message.type == "note_on" and message.velocity:
            sounding[message.note] = ticks
        elif message.type in ("note_on", "note_off") and message.note in sounding:
            notes.append((message.note, sounding.pop(message.note), ticks))
    assert not sounding, f"notes left sounding: {sounding}"
    return sorted(notes)


def recover(capsys, *args):
    """Run `coperformer recover`; returns its one line of output."""
    assert main(["recover", *map(str, args)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


def test_a_clean_journal_is_recovered_whole(tmp_path, capsys):
    journal = write_journal(tmp_path / "jam.mid.journal")
    line = recover(capsys, journal)
    out = tmp_path / "jam-recovered.mid"
    assert line == f"recovered {journal} -> {out} (skipped 0 unreadable lines)"
    assert [n for n, _, _ in melody_notes(out)] == list(range(60, 68))
    assert sum(m.type == "note_on" for m in mido.MidiFile(out).tracks[2]) == 2


def test_program_changes_during_the_take_are_recovered_in_place(tmp_path, capsys):
    journal = write_journal(tmp_path / "jam.mid.journal")
    with journal.open("a") as handle:  # a new style at the second bar (a quarter = 960 ticks)
        handle.write(json.dumps(program_record(4 * HALF, 1, 53)) + "\n")
    recover(capsys, journal)
    track = mido.MidiFile(tmp_path / "jam-recovered.mid").tracks[2]
    ticks, changes = 0, []
    for message in track:
        ticks += message.time
        if message.type == "program_change":
            changes.append((ticks, message.program))
    assert changes == [(0, 52), (4 * 960, 53)]


def test_the_band_s_chords_are_recovered_as_markers_where_they_change(tmp_path, capsys):
    journal = write_journal(tmp_path / "jam.mid.journal")
    chords = [(0, "C"), (4 * HALF, "C"), (6 * HALF, "G7"), (7 * HALF, "Am"), (7 * HALF, "F♯m"),
              (20 * HALF, "C")]  # the same chord again; re-decided at once; after the take
    with journal.open("a") as handle:
        for time_ns, name in chords:
            handle.write(json.dumps(chord_record(time_ns, name)) + "\n")
    recover(capsys, journal)
    assert markers(tmp_path / "jam-recovered.mid") == [(0.0, "C"), (6.0, "G7"), (7.0, "F#m")]


@pytest.mark.parametrize("bad", [
    b"\xff\xfe\x00 not utf-8 \xc3\x28",
    b"this is not json",
    b"[1, 2, 3]",
    b'{"t": "player", "ns": "soon", "msg": [144, 61, 80]}',
    b'{"t": "player", "ns": 5, "msg": [144, 300, 80]}',
    b'{"t": "player", "ns": 5, "msg": [12, 60, 80]}',
    b'{"t": "player", "ns": 5}',
    b'{"t": "band", "on": 0, "off": 10, "ch": 1, "p": -4, "v": 70, "voice": 0}',
    b'{"t": "band", "on": 0, "off": 10, "ch": 99, "p": 60, "v": 70, "voice": 0}',
    b'{"t": "transport", "segments": [[0, 0, 0, "4/4"]]}',
    b'{"t": "transport", "segments": [[0, 0, 120, "5/q"]]}',
    b'{"t": "transport", "segments": []}',
    b'{"t": "start", "band": [{"name": "X"}], "count_in": 0}',
    b'{"t": "program", "ns": 5, "ch": 1, "p": 128}',
    b'{"t": "chord", "ns": 5, "name": ""}',
    b'{"t": "chord", "ns": 5, "name": ["C"]}',
    b'{"t": "mystery"}',
])
def test_a_bad_line_is_skipped_counted_and_the_take_still_written(bad, tmp_path, capsys):
    journal = write_journal(tmp_path / "jam.mid.journal")
    insert_lines(journal, [bad], at=4)
    line = recover(capsys, journal)
    assert line.endswith("(skipped 1 unreadable line)")
    out = tmp_path / "jam-recovered.mid"
    assert [n for n, _, _ in melody_notes(out)] == list(range(60, 68))
    assert [t.name for t in mido.MidiFile(out).tracks] == ["Conductor", "Melody", "Alto",
                                                           "Tenor", "Bass"]


def test_many_bad_lines_and_a_torn_last_line_through_the_real_command(tmp_path):
    import subprocess
    import sys

    journal = write_journal(tmp_path / "set.mid.journal")
    insert_lines(journal, [b"\x80\x81", b"{", b'{"t":"player","ns":1,"msg":[]}'], at=2)
    with open(journal, "ab") as handle:
        handle.write(b'\n{"t":"band","on":')  # the process died mid-line
    result = subprocess.run([sys.executable, "-m", "coperformer.cli", "recover", str(journal)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("(skipped 4 unreadable lines)")
    assert len(melody_notes(tmp_path / "set-recovered.mid")) == 8


def test_recovered_takes_are_numbered_and_never_overwritten(tmp_path, capsys):
    journal = write_journal(tmp_path / "jam.mid.journal")
    first = tmp_path / "jam-recovered.mid"
    first.write_bytes(b"an earlier recovered take")
    names = [recover(capsys, journal).split(" -> ")[1].split(" (")[0] for _ in range(3)]
    assert [p.rsplit("/", 1)[1] for p in names] == [
        "jam-recovered-2.mid", "jam-recovered-3.mid", "jam-recovered-4.mid"]
    assert first.read_bytes() == b"an earlier recovered take"
    explicit = tmp_path / "mine.mid"
    assert recover(capsys, journal, "-o", explicit).startswith(f"recovered {journal} -> {explicit}")


def test_a_key_struck_again_before_its_note_off_ends_its_note_there(tmp_path, capsys):
    from coperformer.io.take_check import note_balance

    journal = write_journal(tmp_path / "jam.mid.journal", held=(62,))  # its note-off was lost
    with journal.open("a") as handle:
        for record in (player_record(3 * HALF + HALF // 4, (0x90, 62, 90)),
                       player_record(3 * HALF + HALF // 2, (0x80, 62, 0))):
            handle.write(json.dumps(record) + "\n")
    recover(capsys, journal)
    out = tmp_path / "jam-recovered.mid"
    assert note_balance(out, 1) == (9, 0)
    assert [(on, off) for note, on, off in melody_notes(out) if note == 62] == [
        (2 * 960, 3 * 960 + 240), (3 * 960 + 240, 3 * 960 + 480)]


def test_a_note_shorter_than_a_tick_keeps_one(tmp_path, capsys):
    from coperformer.io.take_check import note_balance

    journal = write_journal(tmp_path / "jam.mid.journal")
    with journal.open("a") as handle:  # a flood's note: its off 0.1 ms after its on
        for record in (player_record(5 * HALF + HALF // 4, (0x90, 40, 90)),
                       player_record(5 * HALF + HALF // 4 + 100_000, (0x80, 40, 0))):
            handle.write(json.dumps(record) + "\n")
    recover(capsys, journal)
    out = tmp_path / "jam-recovered.mid"
    assert note_balance(out, 1) == (9, 0)
    assert [(on, off) for note, on, off in melody_notes(out) if note == 40] == [
        (5 * 960 + 240, 5 * 960 + 241)]


def test_held_notes_and_pedal_end_with_the_recovered_take(tmp_path, capsys):
    journal = write_journal(tmp_path / "jam.mid.journal", held=(62, 67), pedal=True)
    recover(capsys, journal)
    out = tmp_path / "jam-recovered.mid"
    notes = melody_notes(out)  # fails if a note is left sounding
    midi = mido.MidiFile(out)
    end = max(sum(m.time for m in track) for track in midi.tracks)
    offs = {note: off for note, _, off in notes}
    assert offs[62] == end and offs[67] == end
    assert offs[60] < end
    ticks, pedal = 0, []
    for message in midi.tracks[1]:
        ticks += message.time
        if message.type == "control_change" and message.control == 64:
            pedal.append((ticks, message.value))
    assert pedal[-1] == (end, 0)


def test_a_journal_with_nothing_usable_is_one_clear_line(tmp_path, capsys):
    journal = tmp_path / "junk.mid.journal"
    journal.write_bytes(b"\xff\xff\n" + json.dumps({"t": "player"}).encode() + b"\nplain\n")
    assert main(["recover", str(journal)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"coperformer: error: cannot recover {journal}: {journal}: not a coperformer "
                   "journal (no tempo map; 3 unreadable lines)"]
    assert not list(tmp_path.glob("*.mid"))


def test_a_jam_recording_over_a_left_journal_recovers_it_and_starts_a_fresh_one(
        tmp_path, shipped_model):
    from coperformer.jam.jam import Jam
    from coperformer.jam.options import JamOptions

    take = tmp_path / "jam.mid"
    journal = write_journal(tmp_path / "jam.mid.journal")
    jam = Jam.build(JamOptions(record=take, save_take=False))
    try:
        assert jam.recovered == tmp_path / "jam-recovered.mid"
        assert len(melody_notes(jam.recovered)) == 8
        assert not journal.exists() or journal.read_bytes() == b""  # not appended to the old
    finally:
        jam.finish()
