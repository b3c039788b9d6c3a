"""Hostile MIDI files through the real commands: every case ends in a correct output or one
line of error, within a time and a memory bound. `pytest --long` runs thousands of cases."""

import resource
import time

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coperformer.cli.main import main
from coperformer.io.midifile import MidiInputError, choose_melody, read_song, song_to_piece
from tests.fuzz.corpus import cases as fuzz_cases
from tests.fuzz.corpus import crafted, smf, varlen

CASE_LIMIT_S = 20.0  # one accompany or render of a case
MEMORY_LIMIT_MB = 1500  # growth of the process's peak over the whole suite
RENDER_UP_TO_S = 120.0  # longer (valid) songs are accompanied but not rendered here


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(capsys, *argv) -> tuple[int, list[str]]:
    started = time.monotonic()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # refused while parsing the arguments
        code = exc.code
    took = time.monotonic() - started
    assert took < CASE_LIMIT_S, f"{argv[0]} took {took:.1f} s"
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, err


def _check(code: int, err: list[str], out) -> None:
    if code == 0:
        assert out.exists() and out.stat().st_size > 0
    else:
        assert code == 2, err
        assert len(err) == 1 and "Traceback" not in err[0], err
        assert not out.exists(), "a failed command leaves no output"


def test_hostile_files_end_in_an_output_or_one_line(tmp_path, capsys, request, shipped_model,
                                                     soundfont):
    count = 3000 if request.config.getoption("--long") else 40
    before = _peak_mb()
    outcomes = {"ok": 0, "error": 0}
    for name, data in fuzz_cases(tmp_path, count).items():
        source = tmp_path / f"{name}.mid"
        source.write_bytes(data)
        band = tmp_path / f"{name}-band.mid"
        code, err = _run(capsys, "accompany", str(source), "-o", str(band))
        _check(code, err, band)
        outcomes["ok" if code == 0 else "error"] += 1
        if code == 0 and read_song(band).seconds_at(read_song(band).end_tick) < RENDER_UP_TO_S:
            wav = tmp_path / f"{name}.wav"
            _check(*_run(capsys, "render", str(band), "-o", str(wav)), wav)
    print(f"fuzz: {len(outcomes) and outcomes}")
    assert outcomes["ok"] > 5 and outcomes["error"] > 10, outcomes
    assert _peak_mb() - before < MEMORY_LIMIT_MB


@pytest.mark.parametrize("name", sorted(crafted()))
def test_each_crafted_case_is_refused_or_read_with_its_reason(name, tmp_path):
    path = tmp_path / "case.mid"
    path.write_bytes(crafted()[name])
    try:
        song = read_song(path)
        piece = song_to_piece(song, choose_melody(song))
    except MidiInputError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    assert name in ("running-status", "sysex", "65535-tracks-claimed", "header-only",
                    "truncated-track", "meter-0-over-1"), f"{name} was read"
    assert piece.melody and piece.bars


def test_running_status_and_sysex_files_are_read_correctly(tmp_path):
    for name, pitches in (("running-status", [60, 62]), ("sysex", list(range(60, 68)))):
        path = tmp_path / f"{name}.mid"
        path.write_bytes(crafted()[name])
        song = read_song(path)
        assert [n.pitch for n in song_to_piece(song, choose_melody(song)).melody] == pitches


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_after_a_header_read_or_fail_in_one_line(tmp_path, body):
    path = tmp_path / "any.mid"
    path.write_bytes(smf([body]))
    try:
        song = read_song(path)
        song_to_piece(song, choose_melody(song))
    except MidiInputError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 2000), st.integers(21, 108), st.integers(1, 1000)),
                min_size=1, max_size=40))
def test_notes_written_are_the_notes_read(tmp_path, notes):
    body = b""
    for delta, pitch, length in notes:
        body += varlen(delta) + bytes([0x90, pitch, 64]) + varlen(length) + bytes([0x80, pitch,
                                                                                    0])
    path = tmp_path / "notes.mid"
    path.write_bytes(smf([body + b"\x00\xff\x2f\x00"]))
    song = read_song(path)
    piece = song_to_piece(song, choose_melody(song))
    assert [n.pitch for n in piece.melody] == [p for _, p, _ in notes]  # one at a time: all
    assert mido.MidiFile(path).length >= 0


def _bad_files(tmp_path, good: bytes, suffix: str) -> dict[str, object]:
    """Empty, random, truncated and a folder, each named like a real one."""
    import random

    rng = random.Random(7)
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    files = {"empty": b"", "random": bytes(rng.randrange(256) for _ in range(4096)),
             "truncated": good[: len(good) // 3]}
    out = {}
    for name, data in files.items():
        out[name] = tmp_path / f"{name}{suffix}"
        out[name].write_bytes(data)
    out["folder"] = folder
    return out


def test_bad_soundfonts_and_bad_models_are_one_line_each(tmp_path, capsys, melody_file,
                                                         shipped_model, soundfont):
    band = tmp_path / "band.mid"
    assert main(["accompany", str(melody_file), "-o", str(band)]) == 0
    capsys.readouterr()
    for path in _bad_files(tmp_path, soundfont.read_bytes()[:200_000], ".sf2").values():
        wav = tmp_path / "out.wav"
        code, err = _run(capsys, "render", str(band), "-o", str(wav), "--soundfont", str(path))
        assert code == 2 and len(err) == 1 and "Traceback" not in err[0], (path, err)
        assert not wav.exists()
    for path in _bad_files(tmp_path, shipped_model.read_bytes(), ".pt").values():
        out = tmp_path / "out.mid"
        code, err = _run(capsys, "accompany", str(melody_file), "-o", str(out), "--model",
                         str(path), "--trust-model")
        assert code == 2 and len(err) == 1 and "Traceback" not in err[0], (path, err)
        assert not out.exists()


@pytest.mark.parametrize("name,reason", [
    ("meter-4-over-2^255", "which is not a meter"),
    ("tempo-0", "sets a tempo of inf BPM"),
    ("huge-delta", "ticks between two events"),
    ("12000-bars", "minutes long (at most 120)"),
    ("division-0", "time division of 0"),
    ("format-2", "type-2"),
])
def test_limits_are_named_in_the_error(name, reason, tmp_path):
    path = tmp_path / "case.mid"
    path.write_bytes(crafted()[name])
    with pytest.raises(MidiInputError, match=reason.replace("^", r"\^").replace("(", r"\(")
                       .replace(")", r"\)")):
        read_song(path)
