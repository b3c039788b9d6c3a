"""How the offline beat harmonizer's transition weight was chosen: its declared chords (beat
by beat, no GAN) on the validation chorales and the tuning collections (never the evaluation
sets), for each weight of the chord-after-chord table beside the melody. Prints note-in-chord /
root agreement with the chorales' human chords / chord changes per bar. The weight was chosen
by root agreement on the validation chorales.

    .venv/bin/python scripts/offline_choice.py
"""

from __future__ import annotations

from choice_rows import setting_row

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.evaluation import collection_sets
from coperformer.model.live_engine import harmonized_steps
from coperformer.model.store import load_chord_model
from coperformer.music import beat_harmonizer
from coperformer.music.chord_metrics import Declared
from coperformer.music.listening import CHANGE_EVERY, HarmonyPlanner

WEIGHTS = (0.0, 0.15, 0.3, 0.6, 1.0)
KEPT = beat_harmonizer.TRANSITION_WEIGHT


def declared(planner: HarmonyPlanner, grid, every: str = CHANGE_EVERY[0]) -> Declared:
    """The harmonizer's chord at each step of a tune (changing at ``every`` beat, half bar or
    bar)."""
    out = Declared.empty(grid.steps)
    for step, chord in enumerate(harmonized_steps(planner, grid, every)):
        if chord is not None and not chord.rests:
            out.set(slice(step, step + 1), chord.root, chord.pitch_classes)
    return out


def main() -> None:
    """One line per weight, then one per coarser harmonic rhythm at the kept weight."""
    model = load_chord_model()
    sets = {"validation chorales": [(t.grid, t.labels) for t in chorale_tunes()["validation"]]}
    sets.update(collection_sets(tuning=True))
    for weight in WEIGHTS:
        beat_harmonizer.TRANSITION_WEIGHT = weight
        row = setting_row(sets, lambda grid: declared(HarmonyPlanner(model, 0.5), grid))
        print(f"weight {weight}: {row}", flush=True)
    beat_harmonizer.TRANSITION_WEIGHT = KEPT
    for every in CHANGE_EVERY[1:]:
        row = setting_row(sets, lambda grid, e=every: declared(HarmonyPlanner(model, 0.5), grid, e))
        print(f"weight {KEPT}, a chord every {every}: {row}", flush=True)


if __name__ == "__main__":
    main()
