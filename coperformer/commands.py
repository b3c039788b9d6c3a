"""Handlers of the offline subcommands: accompany and render."""

from __future__ import annotations

import argparse
import sys
import time

from coperformer.cli import UserError, command


def add_accompany(sub) -> None:
    """Arguments of `coperformer accompany`."""
    p = sub.add_parser("accompany", help="write a band accompaniment for a melody MIDI file")
    p.add_argument("input", help="melody MIDI file")
    p.add_argument("-o", "--output", required=True, help="MIDI file to write")
    p.add_argument("--model", default=None, help="model name in models/ or path (default bach)")
    p.add_argument("--mode", choices=("offline", "live"), default="offline",
                   help="offline sees each bar's melody; live runs the causal path")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--melody-track", type=int, default=None,
                   help="1-based index among the pitched tracks (default: the highest)")


def add_render(sub) -> None:
    """Arguments of `coperformer render`."""
    p = sub.add_parser("render", help="render a MIDI file to WAV through FluidSynth")
    p.add_argument("input", help="MIDI file")
    p.add_argument("-o", "--output", required=True, help="WAV file to write")
    p.add_argument("--soundfont", default=None, help="GM .sf2 file (default: found)")


_MODELS: dict = {}


def load_model(name: str | None):
    """Load and warm up a model (once per file and process), with user-facing errors."""
    from coperformer.model.runtime import BandModel, ModelError, resolve_model

    try:
        path = resolve_model(name).resolve()
        key = (str(path), path.stat().st_mtime_ns)
        if key not in _MODELS:
            model = BandModel(path)
            model.warm_up()
            _MODELS[key] = model
    except ModelError as exc:
        raise UserError(str(exc)) from exc
    return _MODELS[key]


@command("accompany")
def run_accompany(args: argparse.Namespace) -> int:
    """Accompany a melody file and write a type-1 SMF."""
    from coperformer.io.midifile import MidiInputError, choose_melody, read_song, song_to_piece
    from coperformer.io.smfwrite import write_accompaniment
    from coperformer.music.accompany import accompany_piece

    try:
        song = read_song(args.input)
        melody = choose_melody(song, args.melody_track)
        piece = song_to_piece(song, melody, name=args.input)
    except MidiInputError as exc:
        raise UserError(str(exc)) from exc
    model = load_model(args.model)
    started = time.perf_counter()
    result = accompany_piece(model, piece, args.mode, args.seed)
    seconds = time.perf_counter() - started
    band = list(zip(model.track_names, model.programs, result.voices, strict=True))
    try:
        write_accompaniment(args.output, song, melody, band)
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    print(f"accompanied {result.grid.bars} bars in {seconds:.3f} s ({args.mode}, seed {args.seed})"
          f" -> {args.output}", file=sys.stderr)
    return 0


@command("render")
def run_render(args: argparse.Namespace) -> int:
    """Render a MIDI file to WAV with a progress bar."""
    from tqdm import tqdm

    from coperformer.io.midifile import MidiInputError
    from coperformer.synth.fluid import SynthError
    from coperformer.synth.render import render_file
    from coperformer.synth.soundfont import SoundfontError, find_soundfont

    try:
        soundfont = find_soundfont(args.soundfont)
        with tqdm(total=100, unit="%", file=sys.stderr, desc="render") as bar:
            def progress(done: float, total: float) -> None:
                bar.n = int(100 * done / max(total, 1e-9))
                bar.refresh()

            seconds = render_file(args.input, args.output, soundfont, progress)
    except (MidiInputError, SoundfontError, SynthError) as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    print(f"rendered {seconds:.1f} s of audio -> {args.output}", file=sys.stderr)
    return 0


def add_demo(sub) -> None:
    """Arguments of `coperformer demo`."""
    p = sub.add_parser("demo", help="accompany a held-out chorale and a folk song, render them")
    p.add_argument("--out", default="demo", help="folder for the files (default demo/)")
    p.add_argument("--model", default=None)
    p.add_argument("--soundfont", default=None)


@command("demo")
def run_demo(args: argparse.Namespace) -> int:
    """Write two melodies, accompany them in both modes and render the results."""
    from pathlib import Path

    from coperformer.demo import make_demo

    for path in make_demo(Path(args.out), args.model, args.soundfont):
        print(path)
    return 0
