"""`coperformer evaluate`: a style against its real band and the rule baselines."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from coperformer.cli import checks
from coperformer.cli.common import write_output


def add_evaluate(sub) -> None:
    """Arguments of `coperformer evaluate`."""
    p = sub.add_parser("evaluate", help="measure the model on held-out and out-of-style melodies")
    p.add_argument("--model", default=None, type=checks.model,
                   help="model name or path (default bach)")
    checks.add_trust(p)
    p.add_argument("--json", default=None, type=checks.output_file,
                   help="also write the figures as JSON here")
    p.add_argument("--markdown", default=None, type=checks.output_file,
                   help="write the tables as markdown here")
    p.add_argument("--per-collection", type=checks.positive, default=30,
                   help="melodies per out-of-style collection (default 30)")
    p.add_argument("--tuning", action="store_true",
                   help="measure on the tuning collections instead (for decoding choices)")
    p.add_argument("--no-chorales", "--no-held-out", action="store_true",
                   help="skip the held-out test pieces of the model's own corpus")
    p.add_argument("--adventure", type=float, default=None,
                   help="the live band's safe (0) .. adventurous (1) setting (default 0.5)")
    p.add_argument("--seed", type=checks.seed, default=0)
    p.add_argument("--card", action="store_true", help="store the figures in the model card")


def run_evaluate(args: argparse.Namespace) -> int:
    """Print the evaluation tables and the issue's goals."""
    from coperformer.model.card import trained_on, update_card
    from coperformer.model.evaluation import (
        collection_sets,
        evaluate,
        goals,
        held_out_set,
        markdown_table,
    )
    from coperformer.model.store import load_model, load_reward_model

    model = load_model(args.model, args.trust_model)
    reward = load_reward_model()
    adventure = _adventure(args.adventure)
    started = time.perf_counter()
    corpus = trained_on(model.path)
    sets = {} if args.no_chorales else held_out_set(corpus)
    sets.update(collection_sets(args.tuning, args.per_collection))
    results = evaluate(model, sets, args.seed, reward, adventure)
    counts = {name: len(grids) for name, grids in sets.items()}
    text = markdown_table(results)
    print(text)
    checks = goals(results)
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    print(f"pieces: {counts}; took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    payload = {"model": str(model.path), "pieces": counts, "adventure": adventure,
               "tuning_collections": args.tuning, "results": results, "goals": checks}
    if args.json:
        write_output(args.json, json.dumps(payload, indent=2) + "\n")
    if args.markdown:
        write_output(args.markdown, _document(text, checks, counts, model.path, corpus))
    if args.card and not args.tuning:
        update_card(model.path, metrics={"pieces": counts, "results": results, "goals": checks})
    return 0


def _adventure(value: float | None) -> float:
    from coperformer.music.listening import DEFAULT_ADVENTURE, check_adventure

    return check_adventure(DEFAULT_ADVENTURE if value is None else value)


def _document(text: str, checks: dict, counts: dict, model_path, corpus: str) -> str:
    from coperformer.model.collections import EVALUATION, PLANNER_TRAINING, TUNING
    from coperformer.model.dataset import describe_corpus

    goal_lines = "\n".join(f"- {'PASS' if ok else 'FAIL'}: {name}" for name, ok in checks.items())
    listed = "\n".join(f"  - **{c.name}** ({c.about}): `{', '.join(c.sources)}`"
                       for c in EVALUATION)
    tuning = "; ".join(f"{c.name} (`{', '.join(c.sources)}`)" for c in TUNING)
    training = "; ".join(f"`{', '.join(c.sources)}`" for c in PLANNER_TRAINING)
    return f"""# Evaluation

Made by `coperformer {shlex.join(sys.argv[1:])}`
with `{Path(model_path).name}` (pieces: {counts}). Bars from the second bar on are measured in
every system, because the live (causal) system cannot play before it has heard a bar.

## Sets (chosen before any tuning, and never mixed)

- **Evaluation** (out of style; never used to train or to tune anything), from music21's
  corpus, the first usable melodies of each (2/4, 3/4, 4/4, 6/8, 3/8; at least 6 bars;
  repeats played out as a player plays them):
{listed}
- **Tuning** (every decoding choice, such as the default adventure, was made on these only;
  `coperformer evaluate --tuning`): {tuning}.
- **Training of the listening band's reward model** (`models/listener.npz`): {training}.
- The GAN itself learns from {describe_corpus(corpus)} only; its test pieces are held out
  (by piece; Palestrina's by mass).

## Systems

- **GAN offline**: hears each bar's melody (as in `accompany --mode offline`).
- **GAN live (listening)**: the causal band of `coperformer play`: before each bar it plans a
  chord from what it heard (reward model + phrase memory + variety), and the GAN plays it.
- **GAN live (unplanned)**: the GAN's own causal guess, for reference (the previous release).
- **held tonic**: the tonic triad of the key heard so far (causal), held every bar.
- **same-bar triad**: the diatonic triad that best fits the bar's own melody (not causal).
- **previous-bar triad**: the triad that best fit the bar before (causal).

## Figures (pitch class = pitch % 12, binarized rolls on a 16th grid)

- **chord_fit**: share of quarter-note beats where melody and band pitch classes together fit
  one triad or seventh chord (a beat with a silent band counts as a miss);
- **consonance**: share of steps where the melody sits a unison, third, fifth or sixth
  (0, 3, 4, 7, 8, 9 semitones mod 12) above the band's lowest note;
- **harmonic_agreement**: the mean of the two;
- **clash**: share of melody steps a semitone or a tritone from a sounding band note (lower is
  better);
- **chord_variety**: distinct chord roots per 4 bars (each bar's root: the major or minor
  triad that best explains its band notes, the bass counted twice);
- **in_key**: share of band notes in the melody's estimated key (Krumhansl-Kessler);
- **empty_bar_rate**, **polyphony** (distinct band pitches per sounding step),
  **onsets_per_bar** (across the band), **distinct_bars** (share of unique non-empty band bars).

{text}
## Goals of the listening-band issue

{goal_lines}
"""
