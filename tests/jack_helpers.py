"""A JACK server with the dummy driver, and JACK MIDI ports for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import rtmidi

# the tests' own server name: another JACK server on the machine can never answer for it
SERVER_NAME = f"coperformer-tests-{os.getpid()}"
JACK_ENV = {"JACK_NO_START_SERVER": "1", "JACK_NO_AUDIO_RESERVATION": "1",
            "JACK_DEFAULT_SERVER": SERVER_NAME}


def jack_env() -> dict[str, str]:
    """Environment for JACK clients: the tests' own server, never auto-started."""
    return {**os.environ, **JACK_ENV}


def start_jackd(timeout: float = 15.0, realtime: bool = True,
                log: Path | None = None) -> subprocess.Popen:
    """Start `jackd -n NAME -R -d dummy` (or `--no-realtime`) and wait until clients can
    connect; its output goes to ``log`` if given. A server still going away is waited for."""
    jackd = shutil.which("jackd")
    # a host that refuses real-time threads (as CI's may), on demand: TEST_JACK_NO_REALTIME=1
    realtime = realtime and not os.environ.get("TEST_JACK_NO_REALTIME")
    assert jackd, "jackd is missing: scripts/setup.sh installs jackd2"
    os.environ.update(JACK_ENV)  # clients in this process (rtmidi, FluidSynth) find it too
    # real-time threads where the system grants them (jackd runs without where it does not):
    # on a loaded 2-core machine a client without a core in time loses its cycle's MIDI
    # (CI once lost the MIDI Stop; scripts/jack_loss.py measures it)
    command = [jackd, "-n", SERVER_NAME, "-R" if realtime else "--no-realtime", "-d", "dummy",
               "-r", "48000", "-p", "128"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log, "w") if log else contextlib.nullcontext(subprocess.DEVNULL) as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                       env=jack_env())
        if _serving(process, deadline):
            return process
        time.sleep(0.5)  # "server already active": the last one may still be closing
    process.kill()
    raise RuntimeError("jackd did not come up (is another JACK server running?)")


def _serving(process: subprocess.Popen, deadline: float) -> bool:
    """Whether this server came up and clients reach it (False once it has exited)."""
    while time.monotonic() < deadline and process.poll() is None:
        try:
            probe = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="probe")
            probe.delete()
            return process.poll() is None
        except rtmidi.SystemError:
            time.sleep(0.2)
    return False


def stop_jackd(process: subprocess.Popen) -> None:
    """Stop the server."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


KEYBOARD_SCRIPT = """
import sys, time, rtmidi
out = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="kbd")
out.open_virtual_port(sys.argv[1])
print("ready", flush=True)
for line in sys.stdin:
    message = [int(x) for x in line.split()]
    stamp = time.perf_counter_ns()
    out.send_message(message)
    print(stamp, flush=True)
"""


class VirtualKeyboard:
    """A JACK MIDI output port that plays like a player, and can be unplugged.

    The port lives in a process of its own; unplugging kills that process, as pulling a USB
    cable does (closing a JACK client inside the test process crashed it twice in ~12 runs).
    """

    def __init__(self, port: str = "test-keyboard"):
        self.port = port
        self.process: subprocess.Popen | None = None
        self.replug()

    def unplug(self) -> None:
        """Make the port (and its JACK client) vanish at once."""
        self.process.kill()
        self.process.wait(10)
        self.process.stdin.close()
        self.process.stdout.close()
        self.process = None

    def replug(self) -> None:
        """Bring the port back under the same name."""
        self.process = subprocess.Popen(
            [sys.executable, "-c", KEYBOARD_SCRIPT, self.port], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env=jack_env())
        assert self.process.stdout.readline().strip() == "ready"

    def send(self, message: list[int]) -> int:
        """Send one message; returns the monotonic time (ns) it was sent (CLOCK_MONOTONIC is
        the same clock in every process)."""
        self.process.stdin.write(" ".join(map(str, message)) + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        """Close the port."""
        if self.process is not None:
            self.unplug()


MONITOR_SCRIPT = """
import sys, time, rtmidi
inp = rtmidi.MidiIn(rtapi=rtmidi.API_UNIX_JACK, name="monitor")
inp.ignore_types(sysex=True, timing=False, active_sense=True)
def heard(event, _data):
    sys.stdout.write(" ".join(map(str, [time.perf_counter_ns(), *event[0]])) + "\\n")
    sys.stdout.flush()
inp.set_callback(heard)
inp.open_virtual_port(sys.argv[1])
print("ready", flush=True)
sys.stdin.read()  # until the test is done
inp.close_port()
"""


class MidiMonitor:
    """A JACK MIDI input port that records everything sent to it, in a process of its own (a
    JACK client inside the test process crashed it: a segfault in CI while another client
    went away). Read ``messages`` after ``close()``."""

    def __init__(self, port: str = "test-monitor"):
        self.messages: list[tuple[int, list[int]]] = []
        self.process = subprocess.Popen([sys.executable, "-c", MONITOR_SCRIPT, port],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=jack_env())
        assert self.process.stdout.readline().strip() == "ready"
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            stamp, *message = map(int, line.split())
            self.messages.append((stamp, message))

    def stuck_notes(self) -> set[tuple[int, int]]:
        """(channel, pitch) still on after all messages (all-notes-off clears a channel)."""
        sounding: set[tuple[int, int]] = set()
        for _, m in self.messages:
            kind, channel = m[0] & 0xF0, m[0] & 0x0F
            if kind == 0x90 and m[2] > 0:
                sounding.add((channel, m[1]))
            elif kind in (0x80, 0x90):
                sounding.discard((channel, m[1]))
            elif kind == 0xB0 and m[1] in (120, 123):
                sounding = {s for s in sounding if s[0] != channel}
        return sounding

    def tail(self, count: int = 40) -> list[str]:
        """The last ``count`` messages heard, each with its time before the last one (ms)."""
        if not self.messages:
            return []
        last = self.messages[-1][0]
        return [f"{(stamp - last) / 1e6:+.1f} ms {' '.join(f'{b:02X}' for b in message)}"
                for stamp, message in self.messages[-count:]]

    def close(self) -> None:
        """Close the port; every message it heard is in ``messages`` after this (once)."""
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._reader.join(10)
        self.process.stdout.close()
