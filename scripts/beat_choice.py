"""How the live band's chords beat by beat were chosen: the declared chords of the engine's own
live band (in virtual time) on the tuning collections and the validation chorales (never the
evaluation sets), a chord a half bar (the band before) against a chord a beat with the bar
model's weight beside the next-beat model and the change margin.
Prints note-in-chord / root agreement with the chorales' human chords / chord changes per bar
for each setting. The choice: the best root agreement with the validation chorales' human
chords among the settings that lower no tuning collection's note-in-chord by more than 1.5
points below the half-bar band's (a guard, not a target).

    .venv/bin/python scripts/beat_choice.py
"""

from __future__ import annotations

from choice_rows import setting_row

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.evaluation import collection_sets
from coperformer.model.live_engine import engine_live
from coperformer.model.store import load_chord_model, load_model
from coperformer.music import listening

SETTINGS = [("half", 1.0, 0.5), ("beat", 0.0, 0.0), ("beat", 0.5, 0.0), ("beat", 1.0, 0.0),
            ("beat", 1.0, 0.5), ("beat", 1.0, 1.0), ("beat", 2.0, 0.0), ("beat", 2.0, 0.5)]
# (every, the bar model's weight, the change margin)


def main() -> None:
    """One line per setting."""
    generator, chords = load_model(None), load_chord_model()
    sets = collection_sets(tuning=True)
    sets["validation chorales"] = [(t.grid, t.labels) for t in chorale_tunes()["validation"]]
    for every, weight, margin in SETTINGS:
        listening.BAR_WEIGHT, listening.BEAT_CHANGE_MARGIN = weight, margin
        row = setting_row(sets, lambda grid, e=every: engine_live(generator, chords, grid,
                                                                  every=e)[1])
        setting = "half bar" if every == "half" else f"beat, bar weight {weight}, margin {margin}"
        print(f"{setting}: {row}", flush=True)


if __name__ == "__main__":
    main()
