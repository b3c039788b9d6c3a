"""Start-up of the desktop app in a fresh process: until the window is shown, until Play is
ready (model loaded and warmed up, on its numpy pass) and until TorchScript runs the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coperformer.engine.stats import summary

STARTUP_RUNS = 3


def startup_figures(runs: int = STARTUP_RUNS) -> dict[str, dict[str, float]]:
    """Milliseconds from launching `coperformer gui` to its first shown window, to ready and to
    the model's hand-over to TorchScript."""
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = env.get("QT_QPA_PLATFORM", "offscreen")
    shown, ready, torchscript = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs + 1):  # the first run fills the disk cache; not counted
            report = Path(tmp) / f"startup-{run}.json"
            launched = time.monotonic_ns()
            subprocess.run([sys.executable, "-m", "coperformer.cli", "gui",
                            "--startup-report", str(report), "--quit-after", "60"],
                           env=env, capture_output=True, timeout=120, check=True)
            times = json.loads(report.read_text())
            if run:
                shown.append((times["shown_ns"] - launched) / 1e6)
                ready.append((times["ready_ns"] - launched) / 1e6)
                torchscript.append((times["runtime_ns"] - launched) / 1e6)
    return {"window_shown_ms": summary(shown), "ready_to_play_ms": summary(ready),
            "torchscript_ms": summary(torchscript)}
