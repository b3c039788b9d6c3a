"""How the offline harmonizer's evidence weight was chosen: its declared chords (the beam
search over the chord model, half bar by half bar, no GAN) on the validation chorales and the
tuning collections (never the evaluation sets), for each weight of the melody's evidence.
Prints note-in-chord / root agreement with the chorales' human chords / chord changes per bar.
The weight was chosen by root agreement on the validation chorales.

    .venv/bin/python scripts/offline_choice.py
"""

from __future__ import annotations

from choice_rows import setting_row

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.evaluation import collection_sets
from coperformer.model.live_engine import harmonized_steps
from coperformer.model.store import load_chord_model
from coperformer.music import chord_model
from coperformer.music.chord_metrics import Declared
from coperformer.music.listening import HarmonyPlanner

WEIGHTS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.5, 1.0)


def declared(planner: HarmonyPlanner, grid) -> Declared:
    """The harmonizer's chord at each step of a tune."""
    out = Declared.empty(grid.steps)
    for step, chord in enumerate(harmonized_steps(planner, grid)):
        if chord is not None and not chord.rests:
            out.set(slice(step, step + 1), chord.root, chord.pitch_classes)
    return out


def main() -> None:
    """One line per weight."""
    model = load_chord_model()
    sets = {"validation chorales": [(t.grid, t.labels) for t in chorale_tunes()["validation"]]}
    sets.update(collection_sets(tuning=True))
    for weight in WEIGHTS:
        chord_model.EMISSION_WEIGHT = weight
        row = setting_row(sets, lambda grid: declared(HarmonyPlanner(model, 0.5), grid))
        print(f"weight {weight}: {row}", flush=True)


if __name__ == "__main__":
    main()
