"""`coperformer evaluate`: measure the model against real Bach and rule baselines."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def add_evaluate(sub) -> None:
    """Arguments of `coperformer evaluate`."""
    p = sub.add_parser("evaluate", help="measure the model on held-out and out-of-style melodies")
    p.add_argument("--model", default=None, help="model name or path (default bach)")
    p.add_argument("--json", default=None, help="also write the figures as JSON here")
    p.add_argument("--markdown", default=None, help="write the tables as markdown here")
    p.add_argument("--folk", type=int, default=40, help="how many folk melodies (default 40)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--card", action="store_true", help="store the figures in the model card")


def run_evaluate(args: argparse.Namespace) -> int:
    """Print the evaluation tables and the issue's goals."""
    from coperformer.model.card import update_card
    from coperformer.model.evaluation import (
        evaluate,
        folk_grids,
        goals,
        markdown_table,
        test_chorales,
    )
    from coperformer.model.store import load_model

    model = load_model(args.model)
    started = time.perf_counter()
    sets = {"test chorales": test_chorales(), "folk melodies (out of style)": folk_grids(args.folk)}
    results = evaluate(model, sets, args.seed)
    counts = {name: len(grids) for name, grids in sets.items()}
    text = markdown_table(results)
    print(text)
    checks = goals(results, "folk melodies (out of style)")
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    print(f"pieces: {counts}; took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    payload = {"model": str(model.path), "pieces": counts, "results": results, "goals": checks}
    if args.json:
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    if args.markdown:
        Path(args.markdown).write_text(_document(text, checks, counts, model.path))
    if args.card:
        update_card(model.path, metrics={"pieces": counts, "results": results, "goals": checks})
    return 0


def _document(text: str, checks: dict, counts: dict, model_path) -> str:
    goal_lines = "\n".join(f"- {'PASS' if ok else 'FAIL'}: {name}" for name, ok in checks.items())
    return f"""# Evaluation

Made by `coperformer evaluate --model {model_path} --markdown docs/evaluation.md`
(pieces: {counts}). Bars from the second bar on are measured in every system, because the
live (causal) system cannot play before it has heard a bar.

Definitions (pitch class = pitch % 12, binarized rolls on a 16th grid):

- **chord_fit**: share of quarter-note beats where melody and band pitch classes together fit
  one triad or seventh chord (a beat with a silent band counts as a miss);
- **consonance**: share of steps where the melody sits a unison, third, fifth or sixth
  (0, 3, 4, 7, 8, 9 semitones mod 12) above the band's lowest note;
- **harmonic_agreement**: the mean of the two;
- **in_key**: share of band notes in the melody's estimated key (Krumhansl-Kessler);
- **empty_bar_rate**, **polyphony** (distinct band pitches per sounding step),
  **onsets_per_bar** (across the band), **distinct_bars** (share of unique non-empty band bars).

{text}
Goals of the offline-model issue, on the folk melodies:

{goal_lines}
"""
