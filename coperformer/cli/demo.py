"""`coperformer demo`: melodies from music21 (a held-out chorale, a folk song), accompanied
and rendered."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coperformer.music.notes import Piece


def demo_pieces() -> list[Piece]:
    """One held-out test chorale and one folk song."""
    from coperformer.model.corpus import chorale_names, folk_melodies, load_chorale
    from coperformer.model.dataset import SPLIT_SEED, split_names

    test = split_names(chorale_names(), SPLIT_SEED)["test"]
    return [load_chorale(test[0]), folk_melodies(1)[0]]


def make_demo(out: Path, model_name: str | None, soundfont: str | None) -> list[Path]:
    """Accompany and render the demo pieces; returns the files written."""
    from coperformer.io.midifile import choose_melody, read_song
    from coperformer.io.smfwrite import write_accompaniment, write_melody
    from coperformer.model.store import load_model
    from coperformer.music.accompany import accompany_piece
    from coperformer.synth.render import render_file
    from coperformer.synth.soundfont import find_soundfont

    font = find_soundfont(soundfont)
    model = load_model(model_name)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for number, piece in enumerate(demo_pieces(), start=1):
        melody_path = out / f"melody{number}.mid"
        write_melody(piece, melody_path)
        song = read_song(melody_path)
        for mode in ("offline", "live"):
            result = accompany_piece(model, piece, mode, seed=number)
            band = list(zip(model.track_names, model.programs, result.voices, strict=True))
            midi_path = out / f"melody{number}-{mode}.mid"
            write_accompaniment(midi_path, song, choose_melody(song), band)
            wav_path = midi_path.with_suffix(".wav")
            render_file(midi_path, wav_path, font)
            written += [midi_path, wav_path]
    return written


def add_demo(sub) -> None:
    """Arguments of `coperformer demo`."""
    p = sub.add_parser("demo", help="accompany a held-out chorale and a folk song, render them")
    p.add_argument("--out", default="demo", help="folder for the files (default demo/)")
    p.add_argument("--model", default=None)
    p.add_argument("--soundfont", default=None)


def run_demo(args: argparse.Namespace) -> int:
    """Write two melodies, accompany them in both modes and render the results."""
    for path in make_demo(Path(args.out), args.model, args.soundfont):
        print(path)
    return 0
