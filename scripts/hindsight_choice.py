"""How the live band hears the chords of bars it has played: as played, or in hindsight (the
chord the bar's melody, once heard, asks for) for the bar the phrase memory recalls, or for
every bar the model hears. The engine's own live band in virtual time, on the tuning
collections and the validation chorales (never the evaluation sets); prints note-in-chord /
root agreement with the chorales' human chords / chord changes per bar / phrase cadences /
final cadences. Chosen by root agreement on the validation chorales, cadences as a guard.

    .venv/bin/python scripts/hindsight_choice.py
"""

from __future__ import annotations

import numpy as np
from half_bar_choice import figures

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.evaluation import collection_sets
from coperformer.model.store import load_chord_model, load_model
from coperformer.music import listening

MODES = ("off", "recalled", "all")


def main() -> None:
    """One line per mode."""
    generator, chords = load_model(None), load_chord_model()
    sets = collection_sets(tuning=True)
    sets["validation chorales"] = [(t.grid, t.labels) for t in chorale_tunes()["validation"]]
    for mode in MODES:
        listening.HINDSIGHT = mode
        row = []
        for name, tunes in sets.items():
            f = figures(generator, chords, tunes, True)
            root = f.get("root_agreement", np.nan)
            row.append(f"{name}: {100 * f['note_in_chord']:.1f} / {100 * root:.1f} / "
                       f"{f['changes_per_bar']:.2f} / {100 * f['phrase_cadence']:.1f} / "
                       f"{100 * f['final_cadence']:.1f}")
        print(f"hindsight {mode}: " + " | ".join(row), flush=True)


if __name__ == "__main__":
    main()
