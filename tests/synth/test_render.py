import wave

import numpy as np

from coperformer.io.midifile import read_song
from coperformer.synth.analysis import detect_onsets, rms
from coperformer.synth.fluid import FluidSynth
from coperformer.synth.render import render_file, render_song
from tests.midi_helpers import write_midi


def test_real_fluidsynth_renders_notes_on_time(tmp_path, soundfont):
    notes = [(60, beat * 1.0, beat * 1.0 + 0.25) for beat in range(6)]
    path = write_midi(tmp_path / "grid.mid", [{"channel": 0, "program": 0, "notes": notes}],
                      bpm=120)
    synth = FluidSynth(soundfont)
    try:
        frames = render_song(synth, read_song(path))
    finally:
        synth.close()
    onsets = detect_onsets(frames, 44100, threshold=0.01)
    assert len(onsets) == 6
    errors_ms = [1000 * (found - 0.5 * i) for i, found in enumerate(onsets)]
    assert max(abs(e) for e in errors_ms) < 15, errors_ms


def test_render_file_writes_a_non_silent_wav(tmp_path, soundfont):
    path = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": [(64, 0, 2)]}])
    seconds = render_file(path, tmp_path / "m.wav", soundfont)
    with wave.open(str(tmp_path / "m.wav")) as wav:
        assert wav.getnchannels() == 2 and wav.getframerate() == 44100
        frames = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).reshape(-1, 2)
    assert abs(seconds - frames.shape[0] / 44100) < 1e-6
    assert rms(frames) > 0.001  # silence renders as exact zeros
    peak_dbfs = 20 * np.log10(np.abs(frames.astype(np.int32)).max() / 32767)
    assert -1.2 < peak_dbfs <= -0.9, peak_dbfs  # loud (FluidSynth alone peaks near -20 dBFS)


def test_normalizing_keeps_silence_and_never_clips():
    from coperformer.synth.render import normalized

    silent = np.zeros((100, 2), np.int16)
    assert (normalized(silent) == 0).all()
    quiet = np.array([[100, -300], [0, 50]], np.int16)
    loud = normalized(quiet)
    assert abs(int(np.abs(loud).max()) - round(32767 * 10 ** (-1 / 20))) <= 1
    assert np.sign(loud).tolist() == np.sign(quiet).tolist()


def test_program_names_come_from_the_soundfont(soundfont):
    synth = FluidSynth(soundfont)
    try:
        assert "piano" in synth.preset_name(0).lower()
        assert synth.preset_name(42)
    finally:
        synth.close()
