import mido
import pytest

from coperformer.common.files import atomic_write
from coperformer.io.midifile import MidiInputError, choose_melody, read_song, song_to_piece
from coperformer.io.smfwrite import write_accompaniment
from coperformer.music.notes import Note
from tests.midi_helpers import melody_notes, write_midi


def _two_tracks(tmp_path, midi_type=1):
    lead = {"name": "Lead", "channel": 0, "notes": melody_notes(4, low=72)}
    bass = {"name": "Bass", "channel": 1, "notes": [(40, b * 4.0, b * 4.0 + 4) for b in range(4)]}
    drums = {"name": "Drums", "channel": 9, "notes": [(36, b, b + 0.5) for b in range(16)]}
    return write_midi(tmp_path / "song.mid", [bass, lead, drums], bpm=90, meter=(3, 4),
                      midi_type=midi_type)


@pytest.mark.parametrize("midi_type", [0, 1])
def test_highest_non_drum_track_is_the_melody(tmp_path, midi_type):
    song = read_song(_two_tracks(tmp_path, midi_type))
    index = choose_melody(song)
    assert song.tracks[index].channel == 0
    piece = song_to_piece(song, index)
    assert str(piece.bars[0].meter) == "3/4"
    assert len(piece.band) == 1 and piece.band[0][0].pitch == 40
    assert abs(song.seconds_at(song.ticks_per_beat) - 60 / 90) < 1e-6


def test_melody_track_option_counts_pitched_tracks(tmp_path):
    song = read_song(_two_tracks(tmp_path))
    assert song.tracks[choose_melody(song, 1)].name == "Bass"
    with pytest.raises(MidiInputError, match="out of range"):
        choose_melody(song, 5)


def test_bad_files_are_clear_errors(tmp_path):
    junk = tmp_path / "junk.mid"
    junk.write_bytes(b"this is not midi at all")
    with pytest.raises(MidiInputError, match="not a readable MIDI file"):
        read_song(junk)
    with pytest.raises(MidiInputError, match="no such file"):
        read_song(tmp_path / "missing.mid")
    drums = write_midi(tmp_path / "drums.mid", [{"channel": 9, "notes": [(36, 0, 1)]}])
    with pytest.raises(MidiInputError, match="no pitched"):
        choose_melody(read_song(drums))
    empty = tmp_path / "empty.mid"
    mido.MidiFile().save(empty)
    with pytest.raises(MidiInputError, match="no pitched"):
        choose_melody(read_song(empty))


def test_accompaniment_file_keeps_melody_tempo_and_meter(tmp_path):
    source = _two_tracks(tmp_path)
    song = read_song(source)
    melody = choose_melody(song)
    out = tmp_path / "out.mid"
    band = [("Alto", 48, [Note(67, 0, 3)]), ("Bass", 42, [Note(43, 0, 3)])]
    write_accompaniment(out, song, melody, band)
    written = mido.MidiFile(out)
    assert written.type == 1
    names = [t.name for t in written.tracks]
    assert names == ["Conductor", "Melody", "Alto", "Bass"]
    original = [m for m in mido.MidiFile(source).tracks[2] if not m.is_meta]
    copied = [m for m in written.tracks[1] if not m.is_meta]
    assert [(m.type, getattr(m, "note", None)) for m in copied] == [
        (m.type, getattr(m, "note", None)) for m in original]
    metas = [m for m in written.tracks[0] if m.is_meta]
    assert any(m.type == "time_signature" and m.numerator == 3 for m in metas)
    assert any(m.type == "set_tempo" and m.tempo == mido.bpm2tempo(90) for m in metas)
    programs = [(m.channel, m.program) for t in written.tracks[2:] for m in t
                if m.type == "program_change"]
    assert programs[0][1] == 48 and programs[1][1] == 42
    assert len({c for c, _ in programs} | {0}) == 3 and 9 not in {c for c, _ in programs}


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    def boom(path):
        open(path, "w").write("partial")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "out.mid", boom)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OSError):
        atomic_write(tmp_path / "nope" / "out.mid", boom)


def test_note_balance_counts_notes_and_the_ones_never_ended(tmp_path):
    import mido

    from coperformer.io.take_check import note_balance

    midi = mido.MidiFile()
    track = mido.MidiTrack()
    midi.tracks.append(track)
    for message in (mido.Message("note_on", note=60, velocity=80),
                    mido.Message("note_on", note=62, velocity=80),
                    mido.Message("note_off", note=60, time=10),
                    mido.Message("note_on", note=64, velocity=80),
                    mido.Message("note_on", note=64, velocity=0, time=5)):
        track.append(message)
    midi.save(tmp_path / "t.mid")
    assert note_balance(tmp_path / "t.mid", 0) == (3, 1)
