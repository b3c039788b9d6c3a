"""What the audio system offers here: a running JACK server's period and sample rate, from
JACK's own command-line tools (the buffer latency the player really gets with the JACK
driver), and whether a driver has anything to play to."""

from __future__ import annotations

import os
import shutil
import subprocess

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
