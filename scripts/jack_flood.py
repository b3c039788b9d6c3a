"""A note flood through a JACK MIDI port: 2,000 note-ons (and their note-offs) a second for
10 s into `coperformer play --record`, against `jackd -d dummy`; prints the session's figures
and the take's note count. Run: .venv/bin/python scripts/jack_flood.py"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coperformer.io.take_check import note_balance  # noqa: E402
from tests.jack_helpers import jack_env, start_jackd, stop_jackd  # noqa: E402

PORT, RATE, SECONDS = "flood-keyboard", 2000, 10
KEYBOARD = f"""
import sys, time, rtmidi
out = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="kbd")
out.open_virtual_port("{PORT}")
print("ready", flush=True)
sys.stdin.readline()
start, sent = time.perf_counter(), 0
while sent < {RATE * SECONDS}:
    while time.perf_counter() < start + sent / {RATE}:
        pass
    pitch = 48 + (sent * 7) % 40
    out.send_message([0x90, pitch, 80])
    out.send_message([0x80, pitch, 0])
    sent += 1
print(sent, round(time.perf_counter() - start, 2), flush=True)
time.sleep(1)
"""


def main() -> None:
    """Start JACK, the flooding keyboard and a recorded jam; print what came through."""
    out = Path(tempfile.mkdtemp())
    jack = start_jackd()
    try:
        keyboard = subprocess.Popen([sys.executable, "-c", KEYBOARD], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True, env=jack_env())
        assert keyboard.stdout.readline().strip() == "ready"
        app = subprocess.Popen(
            [sys.executable, "-m", "coperformer.cli", "play", "--input", PORT, "--midi-api",
             "jack", "--tempo", "120", "--count-in", "0", "--record", str(out / "take.mid"),
             "--stats", str(out / "stats.json"), "--max-seconds", str(SECONDS + 6)],
            env=jack_env(), stderr=subprocess.PIPE, text=True)
        while "playing:" not in (line := app.stderr.readline()):
            assert line, "the jam did not start"
        time.sleep(1)
        keyboard.stdin.write("go\n")
        keyboard.stdin.flush()
        print("keyboard sent, seconds:", keyboard.stdout.readline().strip())
        app.wait(60)
        stats = json.loads((out / "stats.json").read_text())
        print({k: stats[k] for k in ("missed_deadlines", "inference_ms", "margin_ms",
                                     "input_events", "bars_planned")})
        print("take: (note-ons, note-ons left without a note-off):",
              note_balance(out / "take.mid", 1))
    finally:
        stop_jackd(jack)


if __name__ == "__main__":
    main()
