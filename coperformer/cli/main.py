"""The `coperformer` command line: the parser, the table of commands, and the one place where
domain errors become one line on stderr (exit 2)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from coperformer import __version__
from coperformer.cli import (
    accompany,
    bench,
    checks,
    demo,
    devices,
    evaluate,
    gui,
    play,
    recover,
    render,
    train,
    train_chords,
)
from coperformer.common.crash import one_line, os_error_line, write_report
from coperformer.common.errors import CoperformerError
from coperformer.common.quiet import VERBOSE_ENV
from coperformer.common.stopping import INTERRUPTED, catch_stop_signals

COMMANDS = {  # name -> (add its subparser, run it)
    "train": (train.add_train, train.run_train),
    "train-chords": (train_chords.add_train_chords, train_chords.run_train_chords),
    "accompany": (accompany.add_accompany, accompany.run_accompany),
    "render": (render.add_render, render.run_render),
    "demo": (demo.add_demo, demo.run_demo),
    "evaluate": (evaluate.add_evaluate, evaluate.run_evaluate),
    "bench": (bench.add_bench, bench.run_bench),
    "play": (play.add_play, play.run_play),
    "gui": (gui.add_gui, gui.run_gui_command),
    "devices": (devices.add_devices, devices.run_devices),
    "recover": (recover.add_recover, recover.run_recover),
}

TRAIN_EXTRA = "train"
NEEDS_EXTRA = {  # commands that need the optional training packages -> those packages
    "train": ("music21", "tqdm"),
    "train-chords": ("music21",),
    "evaluate": ("music21",),
    "demo": ("music21",),
}


def missing_packages(command: str) -> list[str]:
    """The optional packages a command needs that are not installed."""
    missing = []
    for name in NEEDS_EXTRA.get(command, ()):
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = checks.OneLineParser(prog="coperformer", description="A live MIDI co-performer.")
    parser.add_argument("--version", action="version", version=f"coperformer {__version__}")
    parser.add_argument("--verbose", action="store_true", dest="native_verbose",
                        help="let C libraries (FluidSynth) print their own messages here, not "
                             "only into the log file")
    sub = parser.add_subparsers(dest="command", required=True)
    for add, _ in COMMANDS.values():
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command (no command: the window); SIGINT and SIGTERM stop it within 2 s at any
    moment (common/stopping.py), the handlers put back on return."""
    restore = catch_stop_signals()
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 still prints
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:  # while parsing the arguments
        print("coperformer: interrupted", file=sys.stderr)
        return INTERRUPTED
    finally:
        restore()


def _main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv or ["gui"])
    _, run = COMMANDS[args.command]
    if args.native_verbose:
        os.environ[VERBOSE_ENV] = "1"
    try:
        missing = missing_packages(args.command)
        if missing:
            raise CoperformerError(
                f"coperformer {args.command} needs {', '.join(missing)}, from the optional "
                f"'{TRAIN_EXTRA}' packages: pip install 'coperformer[{TRAIN_EXTRA}]' "
                f"(or scripts/setup.sh {TRAIN_EXTRA} in a checkout)")
        return run(args)
    except CoperformerError as exc:
        print(f"coperformer: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("coperformer: interrupted", file=sys.stderr)
        return INTERRUPTED
    except OSError as exc:  # a file the system would not read or write (a full disk, /proc)
        print(f"coperformer: error: {os_error_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, the rest in a log
        report = write_report(exc, " ".join(["command:", *argv]))
        print(f"coperformer: error: {one_line(exc, report)}", file=sys.stderr)
        return 1

