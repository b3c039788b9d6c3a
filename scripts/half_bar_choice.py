"""How the live band's half-bar chords were chosen: the declared chords of the engine's own
live band (in virtual time) on the tuning collections and the validation chorales (never the
evaluation sets), one chord a bar against a chord per half bar, the half's change margin, and
the weight of the phrase memory's forecast.
Prints note-in-chord / root agreement with the chorales' human chords / chord changes per bar
for each setting. Choices were made by root agreement on the validation chorales.

    .venv/bin/python scripts/half_bar_choice.py [CHORDS.npz ...]
"""

from __future__ import annotations

import sys

import numpy as np

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.evaluation import collection_sets
from coperformer.model.live_engine import engine_live
from coperformer.model.store import load_chord_model, load_model
from coperformer.music import chord_model, listening
from coperformer.music.chord_metrics import ChordTally, Declared
from coperformer.music.chord_model import ChordModel

SETTINGS = [(False, 0.0, 0.3), (True, 0.0, 0.3), (True, 0.5, 0.3), (True, 1.0, 0.3),
            (True, 2.0, 0.3), (True, 0.0, 0.0), (True, 0.0, 0.15), (True, 0.0, 0.6),
            (True, 0.0, 1.0)]  # half bars, the half's change margin, the forecast's weight


def figures(generator, chords: ChordModel, tunes, half_bars: bool) -> dict:
    """The live band's chord figures over some tunes."""
    tally = ChordTally()
    for grid, labels in tunes:
        _, declared = engine_live(generator, chords, grid, half_bars=half_bars)
        tally.add(grid, declared, None if labels is None else Declared.from_labels(labels))
    return tally.figures()


def main() -> None:
    """One line per model and setting."""
    generator = load_model(None)
    sets = collection_sets(tuning=True)
    sets["validation chorales"] = [(t.grid, t.labels) for t in chorale_tunes()["validation"]]
    for path in sys.argv[1:] or [None]:
        chords = ChordModel.load(path) if path else load_chord_model()
        for half_bars, margin, forecast in SETTINGS:
            listening.HALF_CHANGE_MARGIN, chord_model.FORECAST_WEIGHT = margin, forecast
            row = []
            for name, tunes in sets.items():
                f = figures(generator, chords, tunes, half_bars)
                root = f.get("root_agreement", np.nan)
                row.append(f"{name}: {100 * f['note_in_chord']:.1f} / {100 * root:.1f} / "
                           f"{f['changes_per_bar']:.2f}")
            setting = (f"half bars, margin {margin}" if half_bars else "one chord a bar") \
                + f", forecast {forecast}"
            print(f"{path or 'models/chords.npz'}, {setting}: " + " | ".join(row), flush=True)


if __name__ == "__main__":
    main()
