"""`coperformer render`: a MIDI file to WAV through FluidSynth, with its progress."""

from __future__ import annotations

import argparse
import sys

from coperformer.cli import checks
from coperformer.cli.common import Progress, cannot_write


def add_render(sub) -> None:
    """Arguments of `coperformer render`."""
    p = sub.add_parser("render", help="render a MIDI file to WAV through FluidSynth")
    p.add_argument("input", type=checks.input_file, help="MIDI file")
    p.add_argument("-o", "--output", required=True, type=checks.output_file,
                   help="WAV file to write")
    p.add_argument("--soundfont", default=None, type=checks.input_file,
                   help="GM .sf2 file (default: found)")
    p.add_argument("--click", action="store_true",
                   help="add a metronome (one click a beat, following the file's meter and "
                        "tempo)")


def run_render(args: argparse.Namespace) -> int:
    """Render a MIDI file to WAV, showing the progress."""
    from coperformer.synth.render import render_file
    from coperformer.synth.soundfont import find_soundfont

    soundfont = find_soundfont(args.soundfont)
    try:
        seconds = render_file(args.input, args.output, soundfont, Progress("render"),
                              click=args.click)
    except OSError as exc:
        raise cannot_write(args.output, exc) from exc
    print(f"rendered {seconds:.1f} s of audio -> {args.output}", file=sys.stderr)
    return 0
