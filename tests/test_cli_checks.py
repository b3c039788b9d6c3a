"""Arguments and paths are checked before any work starts: one line on stderr, exit 2, the
reason named, never a traceback (the real parser, real files, FIFOs and device nodes)."""

import os
import subprocess
import sys
import threading

import mido
import pytest

from coperformer.cli.main import main
from tests.midi_helpers import melody_notes, write_midi


def _fails(capsys, *args) -> str:
    """Run main(), expect exit 2 with exactly one line on stderr; return that line."""
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


def _run_cli(*args):
    return subprocess.run([sys.executable, "-m", "coperformer.cli", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.mid"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("args,reason", [
    (["play", "--input", "qwerty", "--seed", "-1"], "a seed must be from 0 to 4294967295, not -1"),
    (["play", "--input", "qwerty", "--seed", "x"], "a seed must be a whole number"),
    (["play", "--input", "qwerty", "--tempo", "0"], "tempo must be between 40 and 240 BPM, not 0"),
    (["play", "--input", "qwerty", "--tempo", "241"], "tempo must be between 40 and 240 BPM"),
    (["play", "--input", "qwerty", "--tempo", "nan"], "tempo must be between 40 and 240 BPM"),
    (["play", "--input", "qwerty", "--sample-rate", "192000"], "sample rate must be from 8000"),
    (["play", "--input", "qwerty", "--sample-rate", "7999"], "sample rate must be from 8000"),
    (["play", "--input", "qwerty", "--margin-ms", "inf"], "margin must be between 1 and 500 ms"),
    (["play", "--input", "qwerty", "--margin-ms", "0"], "margin must be between 1 and 500 ms"),
    (["play", "--input", "qwerty", "--margin-ms", "501"], "margin must be between 1 and 500 ms"),
    (["play", "--input", "qwerty", "--max-seconds", "0"], "time must be above 0 s, not 0"),
    (["play", "--input", "qwerty", "--max-seconds", "-1"], "time must be above 0 s"),
    (["play", "--input", "qwerty", "--max-seconds", "nan"], "time must be above 0 s"),
    (["play", "--input", "qwerty", "--period-size", "0"], "period size must be from 64 to 8192"),
    (["play", "--input", "qwerty", "--period-size", "9000"], "period size must be from 64"),
    (["play", "--input", "qwerty", "--periods", "1"], "periods must be from 2 to 64, not 1"),
    (["play", "--input", "qwerty", "--periods", "65"], "periods must be from 2 to 64"),
    (["play", "--input", "qwerty", "--count-in", "-1"], "count-in must be from 0 to 16"),
    (["accompany", "in.mid", "-o", "out.mid", "--seed", "-2"], "a seed must be"),
    (["accompany", "in.mid", "-o", "out.mid", "--melody-track", "0"], "must be >= 1"),
    (["evaluate", "--seed", "-1"], "a seed must be"),
    (["train", "--out", "m.pt", "--steps", "0"], "must be >= 1"),
    (["train-chords", "--seed", "4294967296"], "a seed must be from 0 to 4294967295"),
    (["bench", "--inference-bars", "-5"], "must be >= 1"),
    (["gui", "--quit-after", "0"], "time must be above 0 s"),
    (["play", "--input", "qwerty", "--mute", "you,4"], "no voice '4' to mute (choose from you"),
    (["play", "--input", "qwerty", "--program", "drums=1"], "no voice 'drums' to give a program"),
    (["play", "--input", "qwerty", "--program", "1=129"], "a GM program 1-128"),
    (["play", "--input", "qwerty", "--program", "2"], "give VOICE=PROGRAM"),
])
def test_numbers_out_of_range_fail_in_one_line_before_anything_starts(
        args, reason, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_midi(tmp_path / "in.mid", [{"channel": 0, "notes": melody_notes(2)}])
    before = set(tmp_path.iterdir())
    line = _fails(capsys, *args)
    assert line.startswith(f"coperformer {args[0]}: error: argument ") and reason in line
    assert set(tmp_path.iterdir()) == before


def test_a_play_session_never_starts_with_a_bad_number_or_an_unwritable_stats_file(
        capsys, tmp_path):
    take = tmp_path / "take.mid"
    line = _fails(capsys, "play", "--input", "qwerty", "--record", str(take), "--tempo", "0")
    assert "tempo" in line
    line = _fails(capsys, "play", "--input", "qwerty", "--record", str(take),
                  "--stats", str(tmp_path))
    assert line.endswith(f"cannot write {tmp_path}: is a folder")
    assert list(tmp_path.iterdir()) == []  # no journal: nothing was built


@pytest.mark.parametrize("option", ["-o", "--json", "--markdown", "--stats", "--record", "--wav",
                                    "--out"])
def test_output_paths_must_be_writable_files(option, capsys, tmp_path, fifo, monkeypatch):
    monkeypatch.chdir(tmp_path)
    melody = write_midi(tmp_path / "in.mid", [{"channel": 0, "notes": melody_notes(2)}])
    command = {"-o": ["accompany", str(melody)], "--json": ["evaluate"],
               "--markdown": ["evaluate"], "--stats": ["play", "--input", "qwerty"],
               "--record": ["play", "--input", "qwerty"], "--wav": ["play", "--input", "qwerty"],
               "--out": ["train"]}[option]
    cases = {
        str(tmp_path): "is a folder",
        "/dev/null": "is a device",
        str(fifo): "is a FIFO (named pipe)",
        str(tmp_path / "missing" / "x.out"): f"no such folder: {tmp_path / 'missing'}",
        str(melody / "x.out"): "",  # the parent is a file
    }
    if option == "--out":  # a trained model may go into a new folder (made for it)
        del cases[str(tmp_path / "missing" / "x.out")]
    for target, reason in cases.items():
        line = _fails(capsys, *command, option, target)
        assert f"cannot write {target}: " in line and reason in line, line
        assert not line.rstrip().endswith(":")


def test_demo_needs_a_folder_it_can_write_into(capsys, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    line = _fails(capsys, "demo", "--out", str(a_file / "sub"))
    assert "is not a folder" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_is_refused(capsys, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        line = _fails(capsys, "render", "x.mid", "-o", str(folder / "x.wav"))
    finally:
        folder.chmod(0o700)
    assert "not writable" in line


def test_an_existing_regular_output_file_is_replaced(melody_file, tmp_path, shipped_model):
    out = tmp_path / "out.mid"
    out.write_bytes(b"an older take")
    assert main(["accompany", str(melody_file), "-o", str(out)]) == 0
    assert mido.MidiFile(out).type == 1


@pytest.mark.parametrize("args", [
    ["accompany", "{fifo}", "-o", "{tmp}/o.mid"],
    ["render", "{fifo}", "-o", "{tmp}/o.wav"],
    ["render", "{mid}", "-o", "{tmp}/o.wav", "--soundfont", "{fifo}"],
    ["accompany", "{mid}", "-o", "{tmp}/o.mid", "--model", "{fifo}"],
    ["play", "--input", "{fifo}"],
    ["recover", "{fifo}"],
    ["gui", "--input-file", "{fifo}"],
])
def test_a_fifo_as_input_is_refused_without_hanging(args, fifo, tmp_path):
    melody = write_midi(tmp_path / "in.mid", [{"channel": 0, "notes": melody_notes(2)}])
    filled = [a.format(fifo=fifo, tmp=tmp_path, mid=melody) for a in args]
    result = _run_cli(*filled)  # a FIFO opened for reading would block: the timeout would fail
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot read" in lines[0] and str(fifo) in lines[0]
    assert lines[0].endswith(f"{fifo}: is a FIFO (named pipe)")


def test_inputs_must_exist_and_be_files(capsys, tmp_path):
    line = _fails(capsys, "render", str(tmp_path), "-o", str(tmp_path / "x.wav"))
    assert line.endswith(f"cannot read {tmp_path}: is a folder")
    line = _fails(capsys, "recover", str(tmp_path / "gone.journal"))
    assert line.endswith("no such file")
    line = _fails(capsys, "play", "--input", str(tmp_path / "gone.mid"))
    assert line.endswith("no such file")


def test_the_libraries_refuse_a_fifo_too(fifo):
    from coperformer.engine.journal import JournalError, read_journal
    from coperformer.io.midifile import MidiInputError, read_song
    from coperformer.model.runtime import ModelError
    from coperformer.model.store import resolve_model
    from coperformer.synth.soundfont import SoundfontError, find_soundfont

    model = fifo.with_suffix(".pt")
    os.mkfifo(model)
    for call, error in ((lambda: read_song(fifo), MidiInputError),
                        (lambda: read_journal(fifo), JournalError),
                        (lambda: resolve_model(str(model)), ModelError),
                        (lambda: find_soundfont(str(fifo)), SoundfontError)):
        raised: list[BaseException] = []
        reader = threading.Thread(target=_catch, args=(call, raised), daemon=True)
        reader.start()
        reader.join(timeout=10)
        assert not reader.is_alive(), "opened the FIFO and hung"
        assert len(raised) == 1 and isinstance(raised[0], error) and "FIFO" in str(raised[0])


def _catch(call, raised: list) -> None:
    try:
        call()
    except Exception as exc:  # the test looks at it
        raised.append(exc)


@pytest.mark.parametrize("content", [b"", b"MThd", b"MThd\x00\x00\x00\x06\x00\x01"])
def test_an_unreadable_midi_file_names_the_reason(content, capsys, tmp_path, shipped_model):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(content)
    assert main(["accompany", str(bad), "-o", str(tmp_path / "o.mid")]) == 2
    line = capsys.readouterr().err.strip()
    prefix = f"coperformer: error: not a readable MIDI file ({bad}): "
    assert line.startswith(prefix) and line[len(prefix):].strip(), line


def test_mute_and_program_reach_the_jam():
    from coperformer.cli.main import build_parser
    from coperformer.cli.play import options_from_args

    args = build_parser().parse_args(["play", "--input", "qwerty", "--mute", "you,drums",
                                      "--program", "3=33", "--program", "you=5"])
    options = options_from_args(args)
    assert options.muted == frozenset({0, 9})
    assert options.programs == {3: 32, 0: 4}
