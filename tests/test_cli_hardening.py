"""Each way a hostile run broke a command now ends in one named line (exit 2), never "an
unexpected" error nor a traceback; what can be skipped is skipped and said."""

import os
import struct
import time

import pytest

from coperformer.cli.common import CommandError, write_output
from coperformer.cli.main import main
from coperformer.common.paths import logs_dir
from coperformer.common.quiet import NATIVE_LOG, VERBOSE_ENV
from tests.fuzz.corpus import END, NOTES, smf
from tests.model.test_dataset import make_midi_corpus

NOT_UTF8 = os.fsdecode(b"\xff\xfe")  # a file name Linux allows and UTF-8 cannot spell


def _one_line(capsys) -> str:
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    assert "unexpected" not in err[0] and "Traceback" not in err[0]
    return err[0]


def test_a_corrupt_key_signature_is_skipped_and_said_the_notes_kept(tmp_path, capsys):
    source = tmp_path / "key.mid"
    source.write_bytes(smf([b"\x00\xff\x59\x02\x09\x05" + NOTES + END]))  # 9 sharps, mode 5
    out = tmp_path / "band.mid"
    assert main(["accompany", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 corrupt key-signature event (the notes are kept)" in err
    from coperformer.io.midifile import read_song

    assert len(read_song(source).tracks[0].notes) == 8


@pytest.mark.parametrize("size,reason", [
    (200 * 1024, "is longer than 4 bytes (a variable-length number)"),
    (2 * 1024 * 1024, "is longer than 4 bytes (a variable-length number)"),
])
def test_a_huge_variable_length_number_is_refused_at_once(size, reason, tmp_path, capsys):
    source = tmp_path / "long-number.mid"
    source.write_bytes(smf([b"\x81" * size + b"\x00\x90\x3c\x50" + END]))
    started = time.monotonic()
    assert main(["accompany", str(source), "-o", str(tmp_path / "o.mid")]) == 2
    assert time.monotonic() - started < 2.0
    assert reason in _one_line(capsys)


def test_a_count_in_too_long_for_a_clock_is_refused_while_parsing(melody_file, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["play", "--input", str(melody_file), "--count-in", "1010101010101010101010"])
    assert exit_.value.code == 2
    assert "the count-in must be from 0 to 16" in _one_line(capsys)


def test_train_batch_is_bounded(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["train", "--out", str(tmp_path / "m.pt"), "--batch", str(10**8)])
    assert "the batch must be from 1 to 256" in _one_line(capsys)


def test_train_writes_a_model_whose_name_is_not_utf8(tmp_path, capsys):
    corpus = make_midi_corpus(tmp_path / "corpus", 8)
    out = tmp_path / f"{NOT_UTF8}.pt"
    assert main(["train", "--corpus", str(corpus), "--out", str(out), "--steps", "1",
                 "--batch", "4"]) == 0, capsys.readouterr().err
    assert out.exists() and out.with_suffix(".json").exists()


def test_text_outputs_take_any_name_and_name_the_file_they_cannot_write(tmp_path):
    target = tmp_path / f"{NOT_UTF8}.md"
    write_output(target, f"made by `coperformer evaluate --markdown {target}`\n")
    assert os.fsencode(str(target)) in target.read_bytes()
    for bad in ("/proc/version", "/proc/self/status"):
        with pytest.raises(CommandError, match=f"cannot write {bad}"):
            write_output(bad, "x")


def test_render_onto_a_proc_file_is_one_line(melody_file, capsys):
    code = main(["render", str(melody_file), "-o", "/proc/version"])
    assert code == 2 and "/proc" in _one_line(capsys)


def _odd_soundfont(path):
    """A RIFF sfbk file FluidSynth starts to read, then complains about in its own lines."""
    info = b"LIST" + struct.pack("<I", 16) + b"INFOifil" + struct.pack("<IHH", 4, 2, 1)
    sdta = b"LIST" + struct.pack("<I", 16) + b"sdtasmpl" + struct.pack("<I", 4) + b"\0" * 4
    pdta = b"LIST" + struct.pack("<I", 22) + b"pdtaphdr" + struct.pack("<I", 10) + b"x" * 10
    body = b"sfbk" + info + sdta + pdta
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def test_fluidsynths_own_lines_go_to_the_log_unless_verbose(melody_file, tmp_path, capfd,
                                                           monkeypatch):
    font = _odd_soundfont(tmp_path / "odd.sf2")
    wav = tmp_path / "out.wav"
    assert main(["render", str(melody_file), "-o", str(wav), "--soundfont", str(font)]) == 2
    err = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "could not load the soundfont" in err[0], err
    assert "phdr" in (logs_dir() / NATIVE_LOG).read_text()
    monkeypatch.delenv(VERBOSE_ENV, raising=False)
    assert main(["--verbose", "render", str(melody_file), "-o", str(wav), "--soundfont",
                 str(font)]) == 2
    os.environ.pop(VERBOSE_ENV, None)
    assert "phdr" in capfd.readouterr().err


@pytest.fixture
def full_disk(tmp_path):
    """A 200 KB tmpfs: a disk that fills up during a demo (needs mount rights)."""
    import subprocess

    folder = tmp_path / "full"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(folder)],
                      capture_output=True, check=False).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_under_demo_is_one_line_naming_the_folder(full_disk, capsys):
    assert main(["demo", "--out", str(full_disk)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected" not in err
    assert err.strip().splitlines()[-1] == (f"coperformer: error: cannot write {full_disk}: No "
                                            "space left on device")
    assert not list(full_disk.glob(".coperformer-*"))  # no half-written file left
