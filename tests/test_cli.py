"""The offline commands through the real model, real files and real FluidSynth."""

import json
import os
import subprocess
import sys
import time
import wave

import mido
import numpy as np
import pytest

from coperformer.cli.main import main
from coperformer.music.chord_chart import parse_chord
from tests.midi_helpers import markers, melody_notes, write_midi


def _run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "coperformer.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


def _band_notes(path):
    midi = mido.MidiFile(path)
    return {t.name: [(m.note, m.time) for m in t if m.type == "note_on" and m.velocity]
            for t in midi.tracks[2:]}


def test_accompany_writes_melody_and_band_tracks(melody_file, tmp_path, shipped_model):
    out = tmp_path / "out.mid"
    assert main(["accompany", str(melody_file), "-o", str(out)]) == 0
    midi = mido.MidiFile(out)
    assert midi.type == 1
    assert [t.name for t in midi.tracks] == ["Conductor", "Melody", "Alto", "Tenor", "Bass"]
    source = [m for m in mido.MidiFile(melody_file).tracks[1] if not m.is_meta]
    melody = [m for m in midi.tracks[1] if not m.is_meta]
    assert [m.bytes() for m in melody] == [m.bytes() for m in source]
    channels = set()
    for track in midi.tracks[2:]:
        kinds = [m for m in track if not m.is_meta]
        assert kinds[0].type == "program_change"
        assert sum(m.type == "note_on" for m in kinds) > 0
        channels.add(kinds[0].channel)
    assert len(channels) == 3 and 9 not in channels and 0 not in channels
    assert any(m.type == "set_tempo" and abs(mido.tempo2bpm(m.tempo) - 110) < 0.01
               for m in midi.tracks[0])
    named = markers(out)  # offline the band harmonizes the whole tune first: each chord named
    assert named and named[0][0] == 0.0 and all(name for _, name in named)


@pytest.mark.parametrize("mode", ["offline", "live"])
def test_harmony_changes_on_beats_half_bars_or_bar_lines(melody_file, tmp_path, shipped_model,
                                                         mode):
    places = {}
    for every in ("beat", "half", "bar"):
        out = tmp_path / f"{every}.mid"
        assert main(["accompany", str(melody_file), "-o", str(out), "--mode", mode,
                     "--chords-every", every]) == 0
        places[every] = [at for at, _ in markers(out)]  # where the chord changes
    assert all(at % 1 == 0 for at in places["beat"])  # 4/4: on quarter beats
    assert any(at % 2 for at in places["beat"])  # on beats 2 or 4 too
    assert all(at % 2 == 0 for at in places["half"])
    assert mode == "live" or any(at % 4 for at in places["half"])  # (live: where it hears one)
    assert all(at % 4 == 0 for at in places["bar"]) and len(places["bar"]) >= 3
    assert main(["accompany", str(melody_file), "-o", str(tmp_path / "x.mid"),
                 "--chords-every", "bar", "--chords", "C | G"]) == 2  # no harmonizer there


def test_same_seed_same_output_and_seeds_differ(melody_file, tmp_path, shipped_model):
    paths = [tmp_path / f"{n}.mid" for n in ("a", "b", "c")]
    for path, seed in zip(paths, ("1", "1", "2"), strict=True):
        assert main(["accompany", str(melody_file), "-o", str(path), "--seed", seed]) == 0
    assert _band_notes(paths[0]) == _band_notes(paths[1])
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_live_mode_leaves_bar_one_to_the_player(melody_file, tmp_path, shipped_model):
    out = tmp_path / "live.mid"
    assert main(["accompany", str(melody_file), "-o", str(out), "--mode", "live"]) == 0
    midi = mido.MidiFile(out)
    first_band_tick = min(
        sum(m.time for m in track[: i + 1])
        for track in midi.tracks[2:] for i, m in enumerate(track) if m.type == "note_on")
    assert first_band_tick >= 4 * midi.ticks_per_beat
    chords = markers(out)  # the listening band's chord where it changes, from bar 2 on
    assert chords[0][0] == 4.0 and all(at % 1 == 0 for at, _ in chords), chords  # 4/4: at
    # a bar line, or on a beat where the band took a new chord
    assert len({name for _, name in chords}) >= 2 and all(
        a[1] != b[1] for a, b in zip(chords, chords[1:], strict=False)), chords


@pytest.mark.parametrize("meter,beats,low,pickup", [
    ((3, 4), 3, 60, 0.0), ((6, 8), 3, 62, 0.0), ((4, 4), 4, 96, 1.0), ((4, 4), 4, 30, 0.0),
])
def test_meters_pickups_and_far_ranges(tmp_path, shipped_model, meter, beats, low, pickup):
    notes = [(p, s + pickup, e + pickup) for p, s, e in melody_notes(8, beats, low)]
    if pickup:
        notes.insert(0, (low, 0.0, pickup))
    source = write_midi(tmp_path / "in.mid", [{"channel": 0, "notes": notes}], meter=meter)
    out = tmp_path / "out.mid"
    assert main(["accompany", str(source), "-o", str(out), "--mode", "offline"]) == 0
    midi = mido.MidiFile(out)
    signature = next(m for m in midi.tracks[0] if m.type == "time_signature")
    assert (signature.numerator, signature.denominator) == meter
    band = _band_notes(out)
    assert sum(len(v) for v in band.values()) >= 8
    assert all(30 <= note <= 84 for notes in band.values() for note, _ in notes)


def test_multi_track_input_and_melody_track_option(tmp_path, shipped_model):
    lead = {"name": "Lead", "channel": 0, "notes": melody_notes(6, low=72)}
    bass = {"name": "Low", "channel": 1, "notes": melody_notes(6, low=40)}
    drums = {"name": "Drums", "channel": 9, "notes": [(36, b, b + 0.5) for b in range(24)]}
    source = write_midi(tmp_path / "multi.mid", [bass, drums, lead])
    out = tmp_path / "out.mid"
    assert main(["accompany", str(source), "-o", str(out)]) == 0
    first = next(m for m in mido.MidiFile(out).tracks[1] if m.type == "note_on")
    assert first.note == 72
    assert main(["accompany", str(source), "-o", str(out), "--melody-track", "1"]) == 0
    first = next(m for m in mido.MidiFile(out).tracks[1] if m.type == "note_on")
    assert first.note == 40


def test_bad_inputs_get_one_clear_line_and_no_output(tmp_path, shipped_model):
    junk = tmp_path / "junk.mid"
    junk.write_bytes(b"\x00not a midi file")
    empty = tmp_path / "empty.mid"
    mido.MidiFile().save(empty)
    drums = write_midi(tmp_path / "drums.mid", [{"channel": 9, "notes": [(36, 0, 1)]}])
    good = write_midi(tmp_path / "good.mid", [{"channel": 0, "notes": melody_notes(2)}])
    cases = [
        ([str(junk), "-o", str(tmp_path / "o1.mid")], "not a readable MIDI file"),
        ([str(tmp_path / "missing.mid"), "-o", str(tmp_path / "o2.mid")], "no such file"),
        ([str(empty), "-o", str(tmp_path / "o3.mid")], "no pitched"),
        ([str(drums), "-o", str(tmp_path / "o4.mid")], "no pitched"),
        ([str(good), "-o", str(tmp_path / "nodir" / "o5.mid")], "cannot write"),
        ([str(good), "-o", str(tmp_path / "o6.mid"), "--model", str(junk)], "a model file is code"),
        ([str(good), "-o", str(tmp_path / "o7.mid"), "--model", str(junk), "--trust-model"],
         "not a coperformer"),
    ]
    before = set(tmp_path.iterdir())
    for args, message in cases:
        result = _run_cli("accompany", *args)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], result.stderr
        assert "Traceback" not in result.stderr
    outputs = {p for p in tmp_path.iterdir() if not p.name.startswith("xdg-")}  # not trust
    assert outputs == before


HUNDRED_BARS_S = 3.0  # issue 2's goal (1 s) three times, for a busy CI machine
HUNDRED_BARS_TRIES = 3  # a run over it that did not use the time itself is timed again


def test_hundred_bars_take_seconds_not_minutes(tmp_path, band_model):
    """Issue 2's goal is <= 1 s (``coperformer bench`` prints it, accompany_s); the test
    bound is three times that, for a busy CI machine. Offline took 0.85-0.97 s of one core
    here: a loaded 2-core host that gives the process a third of a core passes the bound
    while the work itself is on time. So a run over it whose own CPU time was under it
    (the rest: waiting for a core) is timed again, up to HUNDRED_BARS_TRIES runs; CPU time
    over the bound fails at once."""
    from coperformer.io.midifile import choose_melody, read_song, song_to_piece
    from coperformer.model.live_engine import live_accompaniment, offline_accompaniment
    from coperformer.model.store import load_chord_model

    source = write_midi(tmp_path / "long.mid", [{"channel": 0, "notes": melody_notes(100)}])
    song = read_song(source)
    piece = song_to_piece(song, choose_melody(song))
    chords = load_chord_model()
    for mode, accompany in (("offline", offline_accompaniment), ("live", live_accompaniment)):
        runs = []
        while len(runs) < HUNDRED_BARS_TRIES:
            started, cpu = time.perf_counter(), time.process_time()
            result = accompany(band_model, chords, piece)
            runs.append((time.perf_counter() - started, time.process_time() - cpu))
            assert result.grid.bars == 100
            elapsed, cpu_s = runs[-1]
            assert cpu_s < HUNDRED_BARS_S, f"{mode}: {cpu_s:.3f} s of CPU for 100 bars"
            if elapsed < HUNDRED_BARS_S:
                break
        else:
            pytest.fail(f"{mode}: 100 bars took (wall s, CPU s) {runs}")


def test_render_cli_writes_audio_of_the_band(melody_file, tmp_path, shipped_model):
    band = tmp_path / "band.mid"
    assert main(["accompany", str(melody_file), "-o", str(band)]) == 0
    result = _run_cli("render", str(band), "-o", str(tmp_path / "band.wav"))
    assert result.returncode == 0, result.stderr
    with wave.open(str(tmp_path / "band.wav")) as wav:
        frames = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds > 12 * 4 * 60 / 110
    assert np.sqrt(np.mean((frames / 32768.0) ** 2)) > 0.005
    assert "render 100 %" in result.stderr


def test_render_reports_a_missing_soundfont(melody_file, tmp_path):
    env = {**os.environ, "COPERFORMER_SOUNDFONT": str(tmp_path / "none.sf2")}
    result = subprocess.run([sys.executable, "-m", "coperformer.cli", "render", str(melody_file),
                             "-o", str(tmp_path / "x.wav")], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 2
    assert "soundfont" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.wav").exists()


def test_bench_prints_inference_percentiles(tmp_path, shipped_model):
    out = tmp_path / "bench.json"
    result = _run_cli("bench", "--inference-bars", "200", "--quick", "--json", str(out))
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert {"p50", "p99", "max"} <= set(figures["inference_ms"])
    assert "inference_ms" in result.stdout
    assert figures["inference_ms"]["p99"] < 50  # generous: the goal (2 ms) is in the bench output
    assert figures["accompany_s"]["bars"] == 100 and "accompany_s" in result.stdout
    assert 0 < figures["accompany_s"]["offline_s"] < 3.0


def test_live_accompaniment_listens_and_adventure_is_checked(melody_file, tmp_path, capsys,
                                                             shipped_model):
    outs = {a: tmp_path / f"live-{a}.mid" for a in ("0", "1")}
    for adventure, out in outs.items():
        assert main(["accompany", str(melody_file), "-o", str(out), "--mode", "live",
                     "--adventure", adventure]) == 0
    assert _band_notes(outs["0"]) != _band_notes(outs["1"])
    assert main(["accompany", str(melody_file), "-o", str(tmp_path / "x.mid"), "--mode", "live",
                 "--adventure", "3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "coperformer: error: adventure must be between 0 and 1, not 3"
    assert not (tmp_path / "x.mid").exists()


@pytest.mark.slow
def test_demo_renders_live_offline_and_held_tonic(tmp_path, capsys, shipped_model):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    for number in (1, 2, 3, 4):  # the fourth: a well-known song
        for version in ("live", "offline", "held-tonic"):
            wav = tmp_path / f"melody{number}-{version}.wav"
            assert wav.stat().st_size > 100_000
            assert (tmp_path / f"melody{number}-{version}.mid").exists()
    live = _band_notes(tmp_path / "melody2-live.mid")
    tonic = _band_notes(tmp_path / "melody2-held-tonic.mid")
    count = {name: sum(len(notes) for notes in band.values())
             for name, band in (("live", live), ("tonic", tonic))}
    assert live != tonic and count["tonic"] < count["live"] / 2  # a held chord per bar


def test_sigterm_during_render_leaves_no_temp_file(tmp_path):
    import signal as signals

    notes = [(60 + i % 12, i * 0.5, i * 0.5 + 0.4) for i in range(4000)]  # 30+ minutes of audio
    long = write_midi(tmp_path / "long.mid", [{"channel": 0, "notes": notes}], bpm=60)
    out = tmp_path / "out" / "long.wav"
    out.parent.mkdir()
    app = subprocess.Popen([sys.executable, "-m", "coperformer.cli", "render", str(long), "-o",
                            str(out)], stderr=subprocess.PIPE, text=True)
    assert "render" in app.stderr.readline()  # rendering has begun
    app.send_signal(signals.SIGTERM)
    _, stderr = app.communicate(timeout=60)
    assert app.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr
    assert list(out.parent.iterdir()) == []  # no partial WAV, no hidden temp file


def test_sigterm_ends_a_jam_like_ctrl_c_and_keeps_the_take(tmp_path, melody_file, shipped_model):
    import signal as signals

    take = tmp_path / "take.mid"
    app = subprocess.Popen([sys.executable, "-m", "coperformer.cli", "play", "--input",
                            str(melody_file), "--audio-driver", "none", "--count-in", "0",
                            "--record", str(take)], stderr=subprocess.PIPE, text=True)
    while "playing:" not in (line := app.stderr.readline()):
        assert line, "the jam did not start"
    time.sleep(3)
    app.send_signal(signals.SIGTERM)
    _, stderr = app.communicate(timeout=60)
    assert app.returncode == 0, stderr
    assert sum(m.type == "note_on" for m in mido.MidiFile(take).tracks[1]) > 0
    assert not (tmp_path / "take.mid.journal").exists()


def test_play_with_drums_records_the_groove_with_its_kit(tmp_path, shipped_model):
    source = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": melody_notes(4)}], bpm=240)
    take = tmp_path / "take.mid"
    result = _run_cli("play", "--input", str(source), "--count-in", "0", "--record", str(take),
                      "--drums", "soft", "--drum-kit", "Jazz", "--phrase", "8")
    assert result.returncode == 0, result.stderr
    drums = [t for t in mido.MidiFile(take).tracks if t.name == "Drums"]
    assert len(drums) == 1
    assert [m.program for m in drums[0] if m.type == "program_change"] == [32]
    assert sum(m.type == "note_on" and m.velocity > 0 for m in drums[0]) > 10
    wrong = _run_cli("play", "--input", str(source), "--drums", "polka")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr


def test_play_with_an_intro_and_sync_stop_begins_and_ends_on_the_tonic(tmp_path, shipped_model):
    source = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": melody_notes(3)}], bpm=240)
    take = tmp_path / "take.mid"
    result = _run_cli("play", "--input", str(source), "--count-in", "1", "--record", str(take),
                      "--intro", "Am", "--sync-stop")
    assert result.returncode == 0, result.stderr
    bars: dict[int, set[int]] = {}
    midi = mido.MidiFile(take)
    for track in midi.tracks[2:]:
        ticks = 0
        for message in track:
            ticks += message.time
            if message.type == "note_on" and message.velocity:
                bars.setdefault(ticks // (4 * midi.ticks_per_beat), set()).add(message.note % 12)
    assert bars[0] == {9, 0, 4}  # the intro: A minor before the player is heard
    assert len(bars[max(bars)]) == 3  # the last bar: one held chord, the ending
    chords = markers(take)  # and the take's marker lane names both
    assert chords[0] == (0.0, "Am") and chords[-1][0] <= 4.0 * max(bars)  # (the same chord
    # just before the ending is not marked again)
    assert set(parse_chord(chords[-1][1]).pitch_classes) == bars[max(bars)]
    wrong = _run_cli("play", "--input", str(source), "--intro", "H")
    assert wrong.returncode == 2 and "not a key" in wrong.stderr


def test_live_accompaniment_plays_the_chords_a_jam_of_the_same_file_plays(tmp_path,
                                                                         shipped_model):
    """`accompany --mode live` runs the engine's live band in virtual time: a real-time jam of
    the same file (`play --input`, no sound device) decides the same chords, bar by bar."""
    track = {"name": "Lead", "channel": 0, "program": 0, "notes": melody_notes(12)}
    melody = write_midi(tmp_path / "twelve.mid", [track], bpm=240)
    accompanied, take = tmp_path / "live.mid", tmp_path / "take.mid"
    assert main(["accompany", str(melody), "-o", str(accompanied), "--mode", "live"]) == 0
    done = _run_cli("play", "--input", str(melody), "--record", str(take), "--no-metronome",
                "--max-seconds", "30")
    assert done.returncode == 0, done.stderr
    live = markers(accompanied)  # (quarters, chord) where the chord changes
    jammed = [(at, name) for at, name in markers(take) if at < 12 * 4]
    assert len(live) >= 3, live
    assert jammed == live
    # (before, its own loop played C5 where the jam played C: a note still sounding at the
    # decision is heard up to then, so the tempo matters; it now plays at the file's tempo)
