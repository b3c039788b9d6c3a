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
                   help="skip the held-out tunes with human chords (test chorales, lead sheets)")
    p.add_argument("--adventure", type=float, default=None,
                   help="the live band's safe (0) .. adventurous (1) setting (default 0.5)")
    p.add_argument("--seed", type=checks.seed, default=0)
    p.add_argument("--card", action="store_true", help="store the figures in the model card")


def run_evaluate(args: argparse.Namespace) -> int:
    """Print the evaluation tables and the issue's goals."""
    from coperformer.model.card import trained_on, update_card
    from coperformer.model.evaluation import (
        card_results,
        collection_sets,
        evaluate,
        goals,
        labelled_sets,
        markdown_table,
    )
    from coperformer.model.store import load_chord_model, load_model

    model = load_model(args.model, args.trust_model)
    chords = load_chord_model()
    adventure = _adventure(args.adventure)
    started = time.perf_counter()
    corpus = trained_on(model.path)
    sets = {} if args.no_chorales else labelled_sets()
    sets.update(collection_sets(args.tuning, args.per_collection))
    results = evaluate(model, sets, args.seed, chords, adventure)
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
        update_card(model.path, metrics={"pieces": counts, "results": card_results(results),
                                         "goals": checks})
    return 0


def _adventure(value: float | None) -> float:
    from coperformer.music.listening import DEFAULT_ADVENTURE, check_adventure

    return check_adventure(DEFAULT_ADVENTURE if value is None else value)


def _document(text: str, checks: dict, counts: dict, model_path, corpus: str) -> str:
    from coperformer.model.chord_data import LEAD_SHEETS
    from coperformer.model.collections import EVALUATION, TUNING
    from coperformer.model.dataset import describe_corpus

    goal_lines = "\n".join(f"- {'PASS' if ok else 'FAIL'}: {name}" for name, ok in checks.items())
    listed = "\n".join(f"  - **{c.name}** ({c.about}): `{', '.join(c.sources)}`"
                       for c in EVALUATION)
    tuning = "; ".join(f"{c.name} (`{', '.join(c.sources)}`)" for c in TUNING)
    return f"""# Evaluation

Made by `coperformer {shlex.join(sys.argv[1:])}`
with `{Path(model_path).name}` and `chords.npz` (pieces: {counts}). Bars from the second bar on
are measured in every system, because the live (causal) system cannot play before it has
heard a bar.

## Sets (chosen before any tuning, and never mixed)

- **Labelled held-out tunes** (human chords; never trained on): the **test chorales** (the
  GAN's and the chord model's test split; each beat labelled from Bach's four voices) and the
  **lead-sheet tunes**, music21's tunes written with chord symbols (`{', '.join(LEAD_SHEETS)}`).
- **Evaluation** (out of style; never used to train or to tune anything), from music21's
  corpus, the first usable melodies of each (2/4, 3/4, 4/4, 6/8, 3/8; at least 6 bars;
  repeats played out as a player plays them); no human chords:
{listed}
- **Tuning** (decoding choices, such as the default adventure;
  `coperformer evaluate --tuning`): {tuning}.
- The chord model (`models/chords.npz`, card `models/chords.json`) learns from the training
  chorales' harmony only (its key finder also from the folk collections kept for training);
  its beat harmonizer's settings were chosen on the validation chorales. The GAN learns from
  {describe_corpus(corpus)} only.

## Systems (each declares its chord at every step)

- **GAN offline** (`accompany --mode offline`): the chord model's beat harmonizer picks every
  beat's chord from the melody six beats either side and the chord before (a Viterbi pass);
  the engine's own session (in virtual time, the melody known ahead) plays them as a chart,
  the GAN voicing each bar as it hears it.
- **GAN live (listening)** (`coperformer play`): the melody played into the engine's own
  session (its LiveBand and listening planner, the GAN) in virtual time at 120 BPM; before
  each bar the chord model gives the coming bar's chord distribution from what was heard (and
  the chords played); the band takes the likeliest, or with adventure draws from the
  plausible ones. Every tune plays in its own meter (2/4 and 3/8 too, as `play` plays such
  a file).
- **held tonic**: the tonic triad of the key heard so far (causal), held every bar.
- **same-bar triad**: the diatonic triad that best fits the bar's own melody (not causal).
- **previous-bar triad**: the triad that best fit the bar before (causal).
- **human labels**: the people's chords themselves (labelled sets only), the upper reference.

## Figures

- **note_in_chord** (the headline): share of sounding melody steps whose pitch class is a
  tone of the chord declared at that step (triad tones; the seventh only for a chord named a
  seventh); a step without a chord is a miss;
- **root_agreement**, **symbol_agreement**: share of beats whose declared chord has the human
  chord's root, or its root and tones (labelled sets);
- **changes_per_bar**: declared chord changes per bar (compare the human row);
- **degree_tv**: total variation distance of the degree histogram (chord roots per beat, in
  the melody's estimated key) from the human one (the set's own; for the unlabelled
  collections, that of all labelled tunes); **v_share**: the share of beats on V;
- **final_cadence**: share of tunes whose last two chords are IV-I or V-I;
- **phrase_cadence**: share of the melody's phrase ends (a note held two beats or more, or
  followed by a beat's rest, and the last note) where the chord arrives on I from IV or V
  within the bar before (compare the human row);
- **first_in_key**: share of each tune's first two chords whose tones all lie in the key the
  tune ends in (its melody and last note; the issue's "never a chord outside the key");
- guards only: **chord_fit** (melody and band fit one triad or seventh per beat) and **clash**
  (melody steps a semitone or tritone from a band note).

{text}
## Goals of the chord issue

{goal_lines}
"""
