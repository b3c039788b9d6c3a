"""The metronome is a separate option in exports: never in a take's audio unless asked."""

import wave

import mido
import numpy as np
import pytest

from coperformer.cli.main import main
from coperformer.engine.sinks import CLICK_HIGH, CLICK_LOW
from coperformer.io.clicks import song_clicks
from coperformer.io.midifile import read_song
from tests.midi_helpers import melody_notes, write_midi


def _frames(path):
    with wave.open(str(path)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), np.int16).reshape(-1, 2)


def test_clicks_follow_the_meter_and_tempo(tmp_path):
    song = read_song(write_midi(tmp_path / "m.mid", [{"notes": melody_notes(2, 3)}], bpm=120,
                                meter=(3, 4)))
    ons = [(round(t, 3), m.note) for t, m in song_clicks(song) if m.type == "note_on"]
    assert ons[:4] == [(0.0, CLICK_HIGH), (0.5, CLICK_LOW), (1.0, CLICK_LOW), (1.5, CLICK_HIGH)]
    six = read_song(write_midi(tmp_path / "s.mid", [{"notes": melody_notes(2, 3)}], bpm=90,
                               meter=(6, 8)))
    ons = [round(t, 3) for t, m in song_clicks(six) if m.type == "note_on"]
    assert ons[:3] == [0.0, 1.0, 2.0]  # two dotted-quarter beats a bar at 90 quarters/min


def test_render_adds_the_click_only_when_asked(tmp_path, soundfont):
    rests = [(60, 0.0, 0.5), (64, 7.5, 8.0)]  # long silence in between: clicks are heard there
    midi = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": rests}], bpm=120)
    plain, click = tmp_path / "plain.wav", tmp_path / "click.wav"
    assert main(["render", str(midi), "-o", str(plain), "--soundfont", str(soundfont)]) == 0
    assert main(["render", str(midi), "-o", str(click), "--soundfont", str(soundfont),
                 "--click"]) == 0
    with wave.open(str(plain)) as wav:
        rate = wav.getframerate()
    quiet = slice(int(1.5 * rate), int(3.4 * rate))  # beats 3-6: no note sounds
    assert np.abs(_frames(plain)[quiet]).max() < 200
    loud = np.abs(_frames(click)[quiet].astype(np.int32)).max(axis=1)
    onsets = [i for i in range(1, len(loud)) if loud[i] > 2000 and loud[i - 1] <= 2000]
    assert len(onsets) >= 3  # clicks at 2.0, 2.5, 3.0 s (and maybe 1.5)


@pytest.mark.slow
def test_play_wav_has_no_metronome_unless_asked(tmp_path, melody_file, shipped_model):
    take, wav, clicked = tmp_path / "take.mid", tmp_path / "jam.wav", tmp_path / "click.wav"
    for out, extra in ((wav, []), (clicked, ["--wav-click"])):
        assert main(["play", "--input", str(melody_file), "--audio-driver", "none",
                     "--count-in", "1", "--record", str(take), "--wav", str(out), *extra]) == 0
    assert CLICK_HIGH not in {m.note for t in mido.MidiFile(take).tracks for m in t
                              if m.type == "note_on"}
    assert _frames(wav).shape[0] > 0 and _frames(clicked).shape[0] > 0
    assert not np.array_equal(_frames(wav)[: _frames(clicked).shape[0]],
                              _frames(clicked)[: _frames(wav).shape[0]])


def test_a_failed_wav_render_keeps_the_take_and_says_why(tmp_path, melody_file, shipped_model,
                                                         monkeypatch, capsys):
    from coperformer.synth.fluid import SynthError

    def broken(*_args, **_kwargs):
        raise SynthError("fluidsynth could not write the file")

    monkeypatch.setattr("coperformer.synth.render.render_file", broken)
    take, wav = tmp_path / "take.mid", tmp_path / "jam.wav"
    code = main(["play", "--input", str(melody_file), "--audio-driver", "none",
                 "--count-in", "1", "--record", str(take), "--wav", str(wav)])
    assert take.is_file() and len(mido.MidiFile(take).tracks) > 1  # the take is kept
    assert not wav.exists()
    said = capsys.readouterr()
    assert f"saved {take}" in said.out + said.err  # the report says what was kept
    assert f"cannot write {wav}: fluidsynth could not write the file" in said.err
    assert code == 1
