"""The `coperformer` command line: thin subcommands over the package."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from coperformer import __version__

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


class UserError(Exception):
    """An error to report as one line on stderr, without a traceback."""


def command(name: str):
    """Register a subcommand handler."""

    def wrap(func):
        COMMANDS[name] = func
        return func

    return wrap


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train the accompaniment GAN")
    p.add_argument("--corpus", default="bach", help="'bach' or a folder of MIDI files")
    p.add_argument("--out", required=True, help="model file to write, e.g. models/bach.pt")
    p.add_argument("--steps", type=int, default=3000, help="generator steps (default 3000)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--critic-steps", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint-every", type=int, default=200)
    p.add_argument("--resume", action="store_true", help="continue from OUT's checkpoint")


@command("train")
def run_train(args: argparse.Namespace) -> int:
    """Train a model and write it with its card."""
    from pathlib import Path

    from coperformer.model.corpus import CorpusError
    from coperformer.model.fit import train
    from coperformer.model.train import TrainConfig

    config = TrainConfig(
        corpus=args.corpus, steps=args.steps, batch=args.batch, critic_steps=args.critic_steps,
        seed=args.seed, checkpoint_every=args.checkpoint_every,
        eval_every=min(200, args.checkpoint_every),
    )
    try:
        result = train(config, Path(args.out), args.resume)
    except CorpusError as exc:
        raise UserError(str(exc)) from exc
    if os.environ.get("RANK", "0") == "0":
        print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in result.items()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="coperformer", description="A live MIDI co-performer.")
    parser.add_argument("--version", action="version", version=f"coperformer {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for adder in _adders():
        adder(sub)
    return parser


def _adders() -> list:
    from coperformer import bench, commands, evaluate_cmd, play_cmd

    return [_add_train, commands.add_accompany, commands.add_render, commands.add_demo,
            evaluate_cmd.add_evaluate, bench.add_bench, play_cmd.add_play]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv or ["gui"])
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"coperformer: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("coperformer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    from coperformer.cli import main as _registered_main  # one registry, not __main__'s

    sys.exit(_registered_main())
