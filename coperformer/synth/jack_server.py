"""What the audio system offers here: a running JACK server's period and sample rate, from
JACK's own command-line tools (the buffer latency the player really gets with the JACK
driver), and whether a driver has anything to play to."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

JACK_PERIODS = 2  # jackd's default periods per buffer
TOOL_TIMEOUT_S = 3.0


def jack_period() -> tuple[int, int] | None:
    """(frames per period, sample rate) of the running JACK server, or None when there is no
    server (or no jack_bufsize/jack_samplerate tools). Never starts a server. Any thread."""
    frames, rate = _ask("jack_bufsize"), _ask("jack_samplerate")
    return (frames, rate) if frames and rate else None


def _ask(tool: str) -> int | None:
    path = shutil.which(tool)
    if path is None:
        return None
    env = {**os.environ, "JACK_NO_START_SERVER": "1"}
    try:
        done = subprocess.run([path], capture_output=True, text=True, timeout=TOOL_TIMEOUT_S,
                              env=env, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.strip().split()
    return int(text[-1]) if done.returncode == 0 and text and text[-1].isdigit() else None


def output_present(driver: str) -> bool:
    """Whether a driver has something to play to here and now: a JACK server, a PulseAudio or
    PipeWire socket, an ALSA sound card; the macOS and Windows drivers always do. Any
    thread; never starts a server."""
    if driver == "jack":
        return jack_period() is not None
    if driver in ("pulseaudio", "pipewire"):
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        sockets = [os.path.join(runtime, name) for name in ("pulse/native", "pipewire-0")]
        return bool(os.environ.get("PULSE_SERVER")) or any(os.path.exists(s) for s in sockets
                                                             if runtime)
    if driver == "alsa":
        return os.path.isdir("/dev/snd") and bool(os.listdir("/dev/snd"))
    return driver in ("coreaudio", "wasapi", "dsound")


class DummyJackServer:
    """A JACK server of our own (``jackd -n NAME -d dummy``: no sound card), for measuring
    the live audio path. Its clients find it through ``env`` (JACK_DEFAULT_SERVER), so another
    server on the machine can never answer for it. The owner's thread."""

    def __init__(self, name: str, rate: int = 48000, period: int = 128, realtime: bool = True):
        self.name = name
        self.env = {**os.environ, "JACK_NO_START_SERVER": "1", "JACK_NO_AUDIO_RESERVATION": "1",
                    "JACK_DEFAULT_SERVER": name}
        jackd = shutil.which("jackd")
        if jackd is None:
            raise OSError("jackd is not installed (Debian/Ubuntu: sudo apt install jackd2)")
        self.command = [jackd, "-n", name, "-R" if realtime else "--no-realtime", "-d", "dummy",
                        "-r", str(rate), "-p", str(period)]
        self.process: subprocess.Popen | None = None

    def start(self, log=subprocess.DEVNULL, timeout_s: float = 15.0) -> None:
        """Start the server and wait until clients reach it (a server still closing under the
        same name is waited out)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            env=self.env)
            if self._serving(deadline):
                return
            time.sleep(0.5)
        self.stop()
        raise OSError(f"jackd -n {self.name} did not come up")

    def _serving(self, deadline: float) -> bool:
        while time.monotonic() < deadline and self.process.poll() is None:
            done = subprocess.run(["jack_wait", "-c", "-s", self.name], env=self.env,
                                  capture_output=True, text=True, timeout=TOOL_TIMEOUT_S,
                                  check=False)
            if "running" in done.stdout and "not" not in done.stdout:
                return self.process.poll() is None
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        """Stop the server (and wait for it)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def __enter__(self) -> DummyJackServer:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
