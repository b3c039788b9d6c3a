"""How often the live band's first sure key is not the key the tune ends in: for each tune of
the tuning collections and the validation chorales (never the evaluation sets), the key heard
after 1 and 2 bars, and the first key heard with the margin the band needs to play full chords
(listening.SURE_MARGIN for the shipped finder; 0.06 was the correlation's), against the key the
tune ends in (key_training.tune_key_truth), by the shipped key finder and by the profile
correlation alone. Also the share of the first two chords played full (sure).

    .venv/bin/python scripts/key_sureness.py
"""

from __future__ import annotations

import numpy as np

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.evaluation import collection_sets
from coperformer.model.key_training import tune_key_truth
from coperformer.model.store import load_chord_model
from coperformer.music.chords import likely_key
from coperformer.music.harmony import pitch_class_histogram
from coperformer.music.listening import MIN_PITCH_CLASSES, SURE_MARGIN

BARS = 8  # the first bars looked at
CORRELATION_SURE = 0.06  # the correlation's margin for full chords, before the key finder


def correlation(bars: list[np.ndarray]) -> tuple:
    """The key by the profile correlation alone, and its margin (the band's before)."""
    return likely_key(pitch_class_histogram(np.concatenate(bars)))


def set_line(tunes, hear, sure_margin: float) -> str:
    """Agreement after 1 and 2 bars, first sure key wrong, first two chords sure."""
    after, wrong_sure, sure_first, firsts = {1: 0, 2: 0}, 0, 0, 0
    for grid, labels in tunes:
        bars = [grid.melody[grid.bar_slice(b)] for b in range(grid.bars)]
        truth = tune_key_truth(grid, labels)
        sure, chords = None, 0
        for count in range(1, min(len(bars), BARS) + 1):
            key, margin = hear(bars[:count])
            if count in after:
                after[count] += key == truth
            steps = np.concatenate(bars[:count])
            if len(np.unique(steps[steps >= 0] % 12)) >= MIN_PITCH_CLASSES and chords < 2:
                chords += 1  # a first chord
                sure_first += margin >= sure_margin
            if sure is None and margin >= sure_margin:
                sure = key
        wrong_sure += sure is not None and sure != truth
        firsts += chords
    n = len(tunes)
    return (f"after 1 bar {100 * after[1] / n:.0f} %, after 2 bars {100 * after[2] / n:.0f} %; "
            f"first sure key wrong {100 * wrong_sure / n:.0f} %; first chords full "
            f"{100 * sure_first / max(1, firsts):.0f} %")


def main() -> None:
    """Two lines per set: the shipped finder, the correlation."""
    finder = load_chord_model().keys
    sets = collection_sets(tuning=True)
    sets["validation chorales"] = [(t.grid, t.labels) for t in chorale_tunes()["validation"]]
    for name, tunes in sets.items():
        print(f"{name}: key finder: {set_line(tunes, finder.find, SURE_MARGIN)}")
        print(f"{name}: correlation: {set_line(tunes, correlation, CORRELATION_SURE)}")


if __name__ == "__main__":
    main()
