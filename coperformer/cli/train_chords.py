"""`coperformer train-chords`: train the live band's next-chord and next-beat models and the
offline beat harmonizer on human chords."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coperformer.cli import checks


def add_train_chords(sub) -> None:
    """Arguments of `coperformer train-chords`."""
    p = sub.add_parser("train-chords",
                       help="train the live band's chord model on human harmonizations")
    p.add_argument("--out", default="models/chords.npz", type=checks.output_file_made_folder,
                   help="file to write (.npz; its card beside it as .json)")
    p.add_argument("--steps", type=checks.positive, default=3000,
                   help="optimizer steps (default 3000)")
    p.add_argument("--beat-steps", type=checks.positive, default=None,
                   help="optimizer steps of the offline beat harmonizer (default: as many as "
                        "the shipped one had)")
    p.add_argument("--seed", type=checks.seed, default=0)
    p.add_argument("--resume", action="store_true",
                   help="continue from the last checkpoint of a run writing the same file")


def run_train_chords(args: argparse.Namespace) -> int:
    """Build (or read the cached) examples, train, write the model and its card."""
    from dataclasses import replace

    from coperformer.model.beat_training import BeatConfig
    from coperformer.model.chord_training import ChordConfig, train_chords
    from coperformer.model.next_beat_training import NEXT_BEAT_CONFIG

    command = "coperformer " + " ".join(sys.argv[1:] or ["train-chords"])
    beats = BeatConfig(seed=args.seed)
    if args.beat_steps is not None:
        beats = BeatConfig(steps=args.beat_steps, seed=args.seed)
    config = ChordConfig(steps=args.steps, seed=args.seed, beats=beats,
                         next_beat=replace(NEXT_BEAT_CONFIG, seed=args.seed))
    card = train_chords(Path(args.out), config, command, args.resume,
                        log=lambda line: print(line, flush=True))
    for split, figures in card["metrics"].items():
        print(split + ": " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0
