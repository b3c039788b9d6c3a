"""A MIDI file's limits are counted while it is walked, before any object is built: a 16 MB
file of 8 million events stops at the millionth, fast and small (measured in a fresh process);
a 2 MB variable-length number is refused at its fifth byte; a flood of notes is refused
before the parser builds it."""

import json
import subprocess
import sys
import time

import pytest

from coperformer.io.midi_limits import MidiLimitError
from coperformer.io.midifile import read_song
from coperformer.io.smf_scan import scan_smf
from tests.fuzz.corpus import END, NOTES, smf
from tests.fuzz.generators import midi_limits

FRESH_READ = """
import json, re, sys, time
from pathlib import Path
from coperformer.io.midifile import read_song
status = Path("/proc/self/status").read_text  # VmHWM: this program's peak (ru_maxrss would
# count the test process's memory forked before exec)
started, cpu = time.perf_counter(), time.process_time()
try:
    read_song(sys.argv[1])
    said = "read"
except Exception as exc:
    said = f"{type(exc).__name__}: {exc}"
print(json.dumps({"said": said, "seconds": time.perf_counter() - started,
                  "cpu_seconds": time.process_time() - cpu,
                  "peak_mb": int(re.search(r"VmHWM:\\s+(\\d+)", status()).group(1)) / 1024}))
"""


def _read_fresh(path) -> dict:
    done = subprocess.run([sys.executable, "-c", FRESH_READ, str(path)], capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_a_16_mb_file_of_8_million_events_stops_at_the_millionth(tmp_path):
    path = tmp_path / "flood.mid"
    path.write_bytes(midi_limits()["8M-events-16MB-spread"])  # sparse enough to be music
    assert path.stat().st_size > 15 * 1024 * 1024
    figures = _read_fresh(path)
    assert figures["said"].endswith("more than 1,000,000 events"), figures
    assert figures["cpu_seconds"] < 1.0 and figures["peak_mb"] < 200, figures  # 0.3 s, 48 MB
    assert figures["seconds"] < 5.0, figures  # wall time: a loaded machine, never a hang


@pytest.mark.parametrize("name,reason", [
    ("varlen-2MB", "a delta time at byte 22 is longer than 4 bytes"),
    ("varlen-200KB", "a delta time at byte 22 is longer than 4 bytes"),
    ("meta-length-2MB", "meta event's length at byte 25 is longer than 4 bytes"),
    ("1M-running-status", "note-on events in 34 quarter notes (at most 64 a quarter note)"),
    ("8M-events-16MB", "16,384 events in 16 quarter notes (at most 256 a quarter note)"),
])
def test_each_limit_is_refused_while_walking(name, reason, tmp_path):
    path = tmp_path / f"{name}.mid"
    path.write_bytes(midi_limits()[name])
    started = time.monotonic()
    with pytest.raises(MidiLimitError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read_song(path)
    assert time.monotonic() - started < 1.0


def test_only_corrupt_key_signatures_are_changed(tmp_path):
    good = smf([b"\x00\xff\x59\x02\xfd\x01" + NOTES + END])  # three flats, minor: kept
    assert scan_smf(good, tmp_path) == (good, 0)
    bad = smf([b"\x00\xff\x59\x02\x09\x05" + NOTES + b"\x00\xff\x59\x02\x00\x02" + END])
    patched, count = scan_smf(bad, tmp_path)
    assert count == 2 and len(patched) == len(bad) and patched.count(b"\xff\x7f\x02") == 2
