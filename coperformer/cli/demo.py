"""`coperformer demo`: melodies from music21 (a held-out chorale, a folk song, a dance tune and
a well-known song, Stephen Foster's "Jeanie with the Light Brown Hair"), each accompanied by
the listening live band, the offline band and a held tonic, and rendered, so anyone can hear
the difference."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from coperformer.cli import checks
from coperformer.cli.common import cannot_write
from coperformer.music.listening import DEFAULT_ADVENTURE

if TYPE_CHECKING:
    from coperformer.music.listening import HarmonyPlanner
    from coperformer.music.notes import Note, Piece

VERSIONS = ("live", "offline", "held-tonic")


def demo_pieces(verbose: bool = False) -> list[Piece]:
    """A held-out test chorale, an out-of-style folk song, a dance tune and a well-known song
    (``verbose``: name every chorale the corpus leaves out)."""
    from coperformer.model.chord_data import WELL_KNOWN
    from coperformer.model.collections import EVALUATION, collection_melodies, corpus_tune
    from coperformer.model.corpus import load_chorale
    from coperformer.model.dataset import held_out_names

    test = held_out_names("bach", verbose)
    folk, dances = EVALUATION[0], EVALUATION[-1]
    return [load_chorale(test[0]), collection_melodies(folk, 1)[0],
            collection_melodies(dances, 1)[0], corpus_tune(WELL_KNOWN)]


def demo_band(model, planner: HarmonyPlanner, piece: Piece, version: str, seed: int,
              ) -> list[list[Note]]:
    """The band of one demo version: the listening live band, the offline band, a held tonic."""
    from coperformer.model.live_engine import live_accompaniment, offline_accompaniment
    from coperformer.music.accompany import grid_voices
    from coperformer.music.baselines import held_tonic
    from coperformer.music.notes import Piece
    from coperformer.music.roll import grid_from_piece

    if version == "held-tonic":
        melody_only = Piece(piece.melody, [], piece.bars, piece.name)
        return grid_voices(held_tonic(grid_from_piece(melody_only)))
    if version == "live":  # the engine's own live band, as `play` runs it
        return live_accompaniment(model, planner.model, piece, seed, planner.adventure).voices
    return offline_accompaniment(model, planner.model, piece, seed, planner.adventure).voices


def make_demo(out: Path, model_name: str | None, soundfont: str | None,
              adventure: float = DEFAULT_ADVENTURE, verbose: bool = False) -> list[Path]:
    """Accompany and render the demo pieces; returns the files written."""
    from coperformer.io.midifile import choose_melody, read_song
    from coperformer.io.smfwrite import write_accompaniment, write_melody
    from coperformer.model.store import load_model, load_reward_model
    from coperformer.music.listening import HarmonyPlanner, check_adventure
    from coperformer.synth.render import render_file
    from coperformer.synth.soundfont import find_soundfont

    font = find_soundfont(soundfont)
    model = load_model(model_name)
    reward, adventure = load_reward_model(), check_adventure(adventure)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for number, piece in enumerate(demo_pieces(verbose), start=1):
        melody_path = out / f"melody{number}.mid"
        write_melody(piece, melody_path)
        song = read_song(melody_path)
        for version in VERSIONS:
            voices = demo_band(model, HarmonyPlanner(reward, adventure), piece, version, number)
            band = list(zip(model.track_names, model.programs, voices, strict=True))
            midi_path = out / f"melody{number}-{version}.mid"
            write_accompaniment(midi_path, song, choose_melody(song), band)
            wav_path = midi_path.with_suffix(".wav")
            render_file(midi_path, wav_path, font)
            written += [midi_path, wav_path]
    return written


def add_demo(sub) -> None:
    """Arguments of `coperformer demo`."""
    p = sub.add_parser("demo", help="a chorale, a folk song, a dance tune and a well-known song: "
                                    "live band, offline band and held tonic, rendered")
    p.add_argument("--out", default="demo", type=checks.output_folder,
                   help="folder for the files (default demo/)")
    p.add_argument("--model", default=None, type=checks.model)
    checks.add_trust(p)
    p.add_argument("--soundfont", default=None, type=checks.input_file)
    p.add_argument("--adventure", type=float, default=DEFAULT_ADVENTURE,
                   help="the live band: 0 = safe .. 1 = more chord variety (default 0.5)")
    p.add_argument("--verbose", action="store_true",
                   help="name every corpus piece left out (else one line counts them)")


def run_demo(args: argparse.Namespace) -> int:
    """Write four melodies, accompany each three ways and render the results."""
    if args.trust_model:
        from coperformer.model.store import load_model

        load_model(args.model, trust_it=True)  # remembered: make_demo's load passes
    try:
        for path in make_demo(Path(args.out), args.model, args.soundfont, args.adventure,
                              args.verbose):
            print(path)
    except OSError as exc:  # a full disk: the files written so far stay, each whole
        raise cannot_write(args.out, exc) from exc
    return 0
