"""`coperformer train-planner`: train the listening band's reward model and write its card."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coperformer.cli import checks


def add_train_planner(sub) -> None:
    """Arguments of `coperformer train-planner`."""
    p = sub.add_parser("train-planner",
                       help="train the live band's chord planner (reward model) on folk tunes")
    p.add_argument("--out", default="models/listener.npz", type=checks.output_file_made_folder,
                   help="file to write (.npz)")
    p.add_argument("--steps", type=checks.positive, default=6000,
                   help="optimizer steps (default 6000)")
    p.add_argument("--seed", type=checks.seed, default=0)
    p.add_argument("--melodies", type=checks.positive, default=None,
                   help="at most this many melodies per collection (a quick trial run)")


def run_train_planner(args: argparse.Namespace) -> int:
    """Build (or read the cached) examples, fit the reward model, write it and its card."""
    from coperformer.model.planner import PlannerConfig, train_planner

    command = "coperformer " + " ".join(sys.argv[1:] or ["train-planner"])
    config = PlannerConfig(steps=args.steps, seed=args.seed, melodies=args.melodies)
    card = train_planner(Path(args.out), config, command)
    figures = card["metrics"]["validation"]
    print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                   for k, v in figures.items()))
    return 0
