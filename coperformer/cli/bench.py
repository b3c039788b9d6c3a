"""`coperformer bench`: measure the speed figures and print them."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from coperformer.cli import checks
from coperformer.cli.common import show


def add_bench(sub) -> None:
    """Arguments of `coperformer bench`."""
    p = sub.add_parser("bench", help="measure speed figures and print them")
    p.add_argument("--model", default=None, type=checks.model)
    checks.add_trust(p)
    p.add_argument("--inference-bars", type=checks.positive, default=2000,
                   help="bars for the inference figure")
    p.add_argument("--json", default=None, type=checks.output_file,
                   help="also write the figures as JSON here")
    p.add_argument("--bars", dest="session_bars", type=checks.positive, default=12,
                   help="bars per live session (at 120 and 240 BPM)")
    p.add_argument("--quick", action="store_true", help="inference only (no live sessions)")
    p.add_argument("--onsets", action="store_true",
                   help="only the band's onset error in the audio: without a driver, and "
                        "through JACK heard by a capture client (a dummy server of its own)")
    p.add_argument("--follow", action="store_true",
                   help="only Follow mode's figures: the band following performances of folk "
                        "melodies (drift, ritardando, fermata) beside a fixed tempo, and the "
                        "real engine's band on the same performances (loads the model)")
    p.add_argument("--follow-tuning", action="store_true",
                   help="with --follow: the tracker's tuning melodies instead of the reported")
    p.add_argument("--soak", type=checks.real(0.05, 24 * 60, "the soak", "minutes"),
                   default=None, metavar="MINUTES",
                   help="also play one recorded session at 240 BPM for this long (issue "
                        "figure: 60)")
    p.add_argument("--corpus-files", type=checks.whole(0, None, "the corpus files"), default=0,
                   help="also time reading a generated folder of this many MIDI files "
                        "(issue figure: 2000)")
    p.add_argument("--with-gui", action="store_true",
                   help="also measure the window: start-up, and the onset error while it animates")


def _follow_figures(args: argparse.Namespace) -> dict:
    """The beat tracker's figures, and the real engine's on the same performances."""
    from coperformer.bench.follow import follow_figures
    from coperformer.bench.follow_engine import engine_beats
    from coperformer.bench.tune_start import tune_start_figures
    from coperformer.model.store import load_chord_model, load_model

    model = load_model(args.model, args.trust_model)
    chords = load_chord_model()
    figures = follow_figures(tuning=args.follow_tuning,
                             engine=lambda perf: engine_beats(perf, model, chords, True))
    return figures | tune_start_figures(
        tuning=args.follow_tuning,
        engine=lambda perf, guess: engine_beats(perf, model, chords, True, guess=guess))


def run_bench(args: argparse.Namespace) -> int:
    """Measure and print the figures."""
    if args.onsets:
        return _print_figures(_onset_figures(), args.json)
    if args.follow:
        return _print_figures(_follow_figures(args), args.json)
    from coperformer.bench.inference import bench_accompany, bench_inference, bench_planning
    from coperformer.common.proc import machine
    from coperformer.engine.stats import summary

    started = time.perf_counter()  # the first load in the process: torch's import included
    from coperformer.model.store import load_model, load_reward_model

    model = load_model(args.model, args.trust_model)
    reward = load_reward_model()
    startup_ms = (time.perf_counter() - started) * 1000
    figures = {
        "machine": machine(),
        "model": str(model.path),
        "model_load_ms": round(startup_ms, 1),
        "model_call_ms": summary(model.time_model_call(args.inference_bars)),
        "inference_ms": bench_inference(model, args.inference_bars, listening=True),
        "inference_unplanned_ms": bench_inference(model, args.inference_bars),
        "plan_ms": bench_planning(reward, args.inference_bars),
        "inference_offline_ms": bench_inference(model, args.inference_bars, offline=True),
        "accompany_s": bench_accompany(model, reward),
    }
    figures.update(_slow_figures(args))
    return _print_figures(figures, args.json)


def _print_figures(figures: dict, json_path: str | None) -> int:
    for key, value in figures.items():
        tables = {name: rows for name, rows in value.items() if _is_table(rows)} \
            if isinstance(value, dict) else {}
        flat = {k: v for k, v in value.items() if k not in tables} if tables else value
        print(f"{key:>22}: {show(flat)}")
        for name, rows in tables.items():  # (the soak's slices) a row a line
            for row in rows:
                print(f"{name:>22}  {show(row)}")
    if json_path:
        Path(json_path).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def _is_table(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _onset_figures() -> dict:
    """The band's onset error without a driver (96 and 44.1 kHz) and through JACK."""
    from coperformer.bench.onsets import onset_error
    from coperformer.bench.sessions import jack_onset_figures
    from coperformer.common.proc import machine
    from coperformer.synth.soundfont import find_soundfont

    soundfont = find_soundfont()
    return {"machine": machine(), "onset_error_ms": onset_error(soundfont),
            "onset_error_44khz_ms": onset_error(soundfont, 44100),
            **jack_onset_figures(soundfont)}


def _slow_figures(args: argparse.Namespace) -> dict:
    from coperformer.synth.soundfont import find_soundfont

    out: dict = {}
    if args.soak:
        from coperformer.bench.soak import soak_figures

        out["soak"] = soak_figures(args.model, args.soak)
    if args.corpus_files:
        from coperformer.bench.corpus import corpus_figures

        out["corpus_read"] = corpus_figures(args.corpus_files)
    if not args.quick or args.with_gui:
        soundfont = find_soundfont()
    if not args.quick:
        from coperformer.bench.sessions import live_figures, missed_in

        out.update(live_figures(args.model, args.session_bars, soundfont))
        out["missed_deadlines"] = missed_in(out)  # every session's (each printed above)
    if args.with_gui:
        from coperformer.bench.startup import startup_figures
        from coperformer.bench.window import onset_error_with_window

        out.update(startup_figures())
        gui = onset_error_with_window(soundfont)
        out["onset_error_gui_ms"] = gui["onset_error_ms"]
        out["gui_roll_fps"] = gui["roll_frames_per_second"]
    return out
