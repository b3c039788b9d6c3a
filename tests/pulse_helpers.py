"""A PulseAudio server of the test's own (no sound card: a null sink whose monitor the test
records with parec), for hearing FluidSynth's pulseaudio driver."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

SINK = "ears"
RATE = 48000


class PulseServer:
    """``pulseaudio -n`` with a native socket in ``folder`` and one null sink; clients reach it
    through ``env`` (PULSE_SERVER), so the user's own server never answers."""

    def __init__(self, folder: Path):
        self.folder = folder
        socket = folder / "native"
        self.env = {**os.environ, "PULSE_SERVER": f"unix:{socket}", "HOME": str(folder),
                    "XDG_RUNTIME_DIR": str(folder), "XDG_CONFIG_HOME": str(folder / "config")}
        assert shutil.which("pulseaudio"), "scripts/setup.sh installs pulseaudio for the tests"
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
             "-L", f"module-native-protocol-unix socket={socket} auth-anonymous=1",
             "-L", f"module-null-sink sink_name={SINK} rate={RATE}"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while subprocess.run(["pactl", "info"], env=self.env, capture_output=True,
                             check=False).returncode != 0:
            assert time.monotonic() < deadline and self.process.poll() is None, \
                "pulseaudio did not come up"
            time.sleep(0.1)

    def record(self, path: Path) -> subprocess.Popen:
        """Record the null sink (what every client plays) as raw 16-bit stereo into ``path``."""
        return subprocess.Popen(["parec", "-d", f"{SINK}.monitor", "--format=s16le",
                                 f"--rate={RATE}", "--channels=2", "--raw"],
                                stdout=path.open("wb"), env=self.env)

    @staticmethod
    def frames(path: Path) -> np.ndarray:
        """A recording's frames [N, 2]."""
        data = np.frombuffer(path.read_bytes(), np.int16)
        return data[: data.size // 2 * 2].reshape(-1, 2)

    def stop(self) -> None:
        """Stop the server."""
        self.process.terminate()
        self.process.wait(10)
