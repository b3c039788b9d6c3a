"""`coperformer gui`: open the desktop app (the default with no command)."""

from __future__ import annotations

import argparse

from coperformer.cli import checks
from coperformer.cli.common import CommandError
from coperformer.common.stopping import stop_calls


def add_gui(sub) -> None:
    """Arguments of `coperformer gui`."""
    g = sub.add_parser("gui", help="open the desktop app (the default with no command)")
    g.add_argument("--input-file", default=None, type=checks.input_file,
                   help="start playing this MIDI file at once")
    g.add_argument("--model", default=None, type=checks.model,
                   help="the style to start with (a model name or .pt file)")
    checks.add_trust(g)
    g.add_argument("--quit-after", type=checks.seconds, default=None, help="close after N seconds")
    g.add_argument("--startup-report", default=None, type=checks.output_file,
                   help="write when the window was shown and ready (JSON), then close")


def run_gui_command(args: argparse.Namespace) -> int:
    """Open the window and run Qt's event loop until it closes."""
    try:
        from coperformer.gui.app import quit_app, run_gui
    except ImportError as exc:
        raise CommandError(f"the desktop app needs PySide6 and a display: {exc}") from exc
    quit_ms = int(args.quit_after * 1000) if args.quit_after else None
    with stop_calls(quit_app):
        return run_gui(quit_after_ms=quit_ms, input_file=args.input_file,
                       startup_report=args.startup_report, model=args.model,
                       trust_model=args.trust_model)

