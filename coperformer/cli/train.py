"""`coperformer train`: train the accompaniment GAN and write it with its card."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from coperformer.cli import checks

MAX_BATCH = 256  # bars a step (measured: 512 peaked at 0.94 GB, 4096 at 3.9 GB)


def add_train(sub) -> None:
    """Arguments of `coperformer train`."""
    p = sub.add_parser("train", help="train the accompaniment GAN")
    p.add_argument("--corpus", default="bach",
                   help="'bach', 'palestrina' or a folder of MIDI files")
    p.add_argument("--out", required=True, type=checks.output_file_made_folder,
                   help="model file to write, e.g. models/bach.pt")
    p.add_argument("--steps", type=checks.positive, default=3000,
                   help="generator steps (default 3000)")
    p.add_argument("--batch", type=checks.whole(1, MAX_BATCH, "the batch"), default=64,
                   help=f"bars a step (default 64, at most {MAX_BATCH})")
    p.add_argument("--critic-steps", type=checks.positive, default=5)
    p.add_argument("--seed", type=checks.seed, default=0)
    p.add_argument("--checkpoint-every", type=checks.positive, default=200)
    p.add_argument("--resume", action="store_true", help="continue from OUT's checkpoint")
    p.add_argument("--drop-checkpoint", action="store_true",
                   help="delete OUT's checkpoint once the model is written (no --resume then)")
    p.add_argument("--progress-json", action="store_true",
                   help="print one JSON line per step on stdout (step, steps, losses, seconds)")


def run_train(args: argparse.Namespace) -> int:
    """Train a model and write it with its card (rank 0 prints the last figures)."""
    from coperformer.model.train import TrainConfig, checkpoint_path
    from coperformer.model.training_run import run_training

    config = TrainConfig(
        corpus=args.corpus, steps=args.steps, batch=args.batch, critic_steps=args.critic_steps,
        seed=args.seed, checkpoint_every=args.checkpoint_every,
        eval_every=min(200, args.checkpoint_every),
    )
    result = run_training(config, Path(args.out), args.resume,
                          print_progress if args.progress_json else None)
    if os.environ.get("RANK", "0") == "0":
        if args.drop_checkpoint:  # the model and its card are written: nothing to resume
            checkpoint_path(Path(args.out)).unlink(missing_ok=True)
        print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in result.items()))
    return 0


def print_progress(step: int, steps: int, losses: dict[str, float], seconds: float) -> None:
    """One JSON line of training progress (what the window's training dialog reads)."""
    print(json.dumps({"step": step, "steps": steps, "seconds": round(seconds, 2),
                      "losses": {k: round(float(v), 4) for k, v in losses.items()}}),
          flush=True)
