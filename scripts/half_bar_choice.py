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

from choice_rows import setting_row

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.evaluation import collection_sets
from coperformer.model.live_engine import engine_live
from coperformer.model.store import load_chord_model, load_model
from coperformer.music import chord_model, listening
from coperformer.music.chord_model import ChordModel

SETTINGS = [(False, 0.0, 0.3), (True, 0.0, 0.3), (True, 0.5, 0.3), (True, 1.0, 0.3),
            (True, 2.0, 0.3), (True, 0.0, 0.0), (True, 0.0, 0.15), (True, 0.0, 0.6),
            (True, 0.0, 1.0)]  # half bars, the half's change margin, the forecast's weight


def main() -> None:
    """One line per model and setting."""
    generator = load_model(None)
    sets = collection_sets(tuning=True)
    sets["validation chorales"] = [(t.grid, t.labels) for t in chorale_tunes()["validation"]]
    for path in sys.argv[1:] or [None]:
        chords = ChordModel.load(path) if path else load_chord_model()
        for half_bars, margin, forecast in SETTINGS:
            listening.HALF_CHANGE_MARGIN, chord_model.FORECAST_WEIGHT = margin, forecast
            row = setting_row(sets, lambda grid, c=chords, h=half_bars:
                              engine_live(generator, c, grid, half_bars=h)[1])
            setting = (f"half bars, margin {margin}" if half_bars else "one chord a bar") \
                + f", forecast {forecast}"
            print(f"{path or 'models/chords.npz'}, {setting}: {row}", flush=True)


if __name__ == "__main__":
    main()
