"""`coperformer bench`: speed figures, each as p50/p99/max, with the machine noted."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from coperformer.cli import command
from coperformer.engine.stats import summary


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle
                     if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def bench_inference(model, bars: int = 2000, offline: bool = False) -> dict[str, float]:
    """Per-bar generation time on one thread (features, model and decoding), in ms."""
    from coperformer.music import features as F
    rng = np.random.default_rng(1)
    slots = F.empty_slots(F.CONTEXT_BARS + 1)
    slots.melody[:] = rng.integers(60, 80, slots.melody.shape)
    slots.band[:] = rng.integers(40, 70, slots.band.shape)
    context, current = slots.take(np.arange(F.CONTEXT_BARS)), slots.take(np.array([F.CONTEXT_BARS]))
    profile = F.normalize_profile(rng.random(F.PROFILE_SIZE).astype(np.float32))
    model.warm_up()
    samples = []
    for _ in range(bars):
        started = time.perf_counter_ns()
        model.generate(context, current, offline, rng, profile)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return summary(samples)


def add_bench(sub) -> None:
    """Arguments of `coperformer bench`."""
    p = sub.add_parser("bench", help="measure speed figures and print them")
    p.add_argument("--model", default=None)
    p.add_argument("--inference-bars", type=int, default=2000,
                   help="bars for the inference figure")
    p.add_argument("--json", default=None, help="also write the figures as JSON here")
    p.add_argument("--bars", dest="session_bars", type=int, default=12,
                   help="bars per live session (at 120 and 240 BPM)")
    p.add_argument("--quick", action="store_true", help="inference only (no live sessions)")
    p.add_argument("--with-gui", action="store_true",
                   help="also measure the onset error with the window open and animating")


@command("bench")
def run_bench(args: argparse.Namespace) -> int:
    """Measure and print the figures."""
    from coperformer.commands import load_model

    started = time.perf_counter()
    model = load_model(args.model)
    startup_ms = (time.perf_counter() - started) * 1000
    figures = {
        "machine": machine(),
        "model": str(model.path),
        "model_load_ms": round(startup_ms, 1),
        "inference_ms": bench_inference(model, args.inference_bars),
        "inference_offline_ms": bench_inference(model, args.inference_bars, offline=True),
    }
    if not args.quick:
        figures.update(live_figures(args))
    if args.with_gui:
        from coperformer.gui.bench_gui import onset_error_with_window
        from coperformer.synth.soundfont import find_soundfont

        gui = onset_error_with_window(find_soundfont())
        figures["onset_error_gui_ms"] = gui["onset_error_ms"]
        figures["gui_roll_fps"] = gui["roll_frames_per_second"]
    for key, value in figures.items():
        print(f"{key:>22}: {_show(value)}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def live_figures(args: argparse.Namespace) -> dict:
    """The figures that need real sessions and rendered audio."""
    import tempfile

    from coperformer.bench_live import onset_error, session_figures
    from coperformer.synth.soundfont import find_soundfont

    font = find_soundfont()
    out: dict = {"onset_error_ms": onset_error(font),  # at the live default, 96 kHz
                 "onset_error_44khz_ms": onset_error(font, 44100)}
    with tempfile.TemporaryDirectory() as tmp:
        for bpm in (120, 240):
            stats = session_figures(args.model, bpm, args.session_bars, Path(tmp))
            out[f"session_{bpm}bpm"] = {
                "margin_ms": stats["margin_ms"], "inference_ms": stats["inference_ms"],
                "missed_deadlines": stats["missed_deadlines"], "bars": stats["bars_planned"],
                "cpu_percent": stats["cpu_percent"], "startup_ms": stats["startup_ms"]}
            if bpm == 240:
                out["missed_deadlines"] = stats["missed_deadlines"]
                out["passthrough_ms"] = stats["passthrough_ms"]
                out["cpu_percent"] = stats["cpu_percent"]
                out["startup_ms"] = stats["startup_ms"]
    return out


def _show(value) -> str:
    if isinstance(value, dict):
        return "  ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
