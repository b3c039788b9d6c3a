"""`coperformer recover`: turn a journal left by a crash into a .mid file."""

from __future__ import annotations

import argparse

from coperformer.cli import checks
from coperformer.cli.common import CommandError


def add_recover(sub) -> None:
    """Arguments of `coperformer recover`."""
    r = sub.add_parser("recover", help="turn a journal left by a crash into a .mid file")
    r.add_argument("journal", type=checks.input_file,
                   help="the .journal file (e.g. session.mid.journal)")
    r.add_argument("-o", "--output", default=None, type=checks.output_file,
                   help="the .mid file to write (default: beside the journal, numbered)")


def run_recover(args: argparse.Namespace) -> int:
    """Recover a journal line by line; one line says where the take went and what was skipped."""
    from coperformer.common.errors import first_line
    from coperformer.jam.recovery import salvage

    try:
        out, skipped = salvage(args.journal, args.output)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot recover {args.journal}: {first_line(exc)}") from exc
    lines = "1 unreadable line" if skipped == 1 else f"{skipped} unreadable lines"
    print(f"recovered {args.journal} -> {out} (skipped {lines})")
    return 0
