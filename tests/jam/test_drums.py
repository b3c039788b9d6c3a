"""The drum groove through the real engine and real FluidSynth: its own track in the take,
every stroke heard on the beat grid."""


import mido

from coperformer.io.midifile import read_song
from coperformer.io.take_check import note_balance
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.synth.analysis import detect_attacks
from coperformer.synth.fluid import FluidSynth
from coperformer.synth.render import render_song
from tests.host_probe import play_to_end
from tests.midi_helpers import melody_notes, write_midi

TOLERANCE_S = 0.02


def _drum_take(tmp_path, bars=6, bpm=150, **options):
    melody = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": melody_notes(bars)}],
                        bpm=bpm)
    take = tmp_path / "take.mid"
    jam = Jam.build(JamOptions(input=str(melody), count_in=0, metronome=False, record=take,
                               **options))
    result = play_to_end(jam)
    assert result.error is None, result.error
    return take


def _drums_only(take, path):
    """The take's conductor and drum track alone, as a file; and its hit times (s)."""
    source = mido.MidiFile(take)
    drums = [t for t in source.tracks if t.name == "Drums"]
    assert len(drums) == 1
    alone = mido.MidiFile(ticks_per_beat=source.ticks_per_beat)
    alone.tracks += [source.tracks[0], drums[0]]
    alone.save(path)
    seconds, hits = 0.0, []
    for message in alone:
        seconds += message.time
        if message.type == "note_on" and message.velocity:
            hits.append(seconds)
    return path, sorted(set(round(h, 4) for h in hits))


def test_the_groove_records_its_own_track_and_every_stroke_sounds_on_the_grid(
        tmp_path, shipped_model, soundfont):
    take = _drum_take(tmp_path, drums="straight", programs={DRUM_CHANNEL: 8})
    midi = mido.MidiFile(take)
    drum_track = next(i for i, t in enumerate(midi.tracks) if t.name == "Drums")
    assert drum_track == 5  # conductor, melody, three band voices, then the drums
    assert {m.channel for m in midi.tracks[drum_track] if m.type == "note_on"} == {DRUM_CHANNEL}
    assert [m.program for m in midi.tracks[drum_track] if m.type == "program_change"] == [8]
    started, left = note_balance(take, drum_track)
    assert started > 40 and left == 0
    path, hits = _drums_only(take, tmp_path / "drums.mid")
    synth = FluidSynth(soundfont)
    try:
        frames = render_song(synth, read_song(path))
    finally:
        synth.close()
    attacks = detect_attacks(frames, synth.sample_rate)
    near = [a for a in attacks if min(abs(a - h) for h in hits) < TOLERANCE_S]
    assert len(near) >= 0.9 * len(attacks), (attacks, hits)  # what sounds is on the grid
    beat = 60 / 150
    downbeats = [h for h in hits if abs(h / (4 * beat) - round(h / (4 * beat))) < 1e-3]
    assert len(downbeats) >= 4
    for downbeat in downbeats:  # each bar's kick is heard where it belongs
        assert min(abs(a - downbeat) for a in attacks) < TOLERANCE_S, downbeat
    assert len(near) >= 0.5 * len(hits)


def test_without_drums_the_take_has_no_drum_track(tmp_path, shipped_model):
    take = _drum_take(tmp_path, bars=3, bpm=240)
    assert "Drums" not in [t.name for t in mido.MidiFile(take).tracks]
