"""How often the live band's first sure key is not the key the tune turns out to be in: for
each tune of the tuning collections and the validation chorales (never the evaluation sets),
the key heard after 1 and 2 bars, and the first key heard with the margin the band needs to
play full chords (listening.SURE_MARGIN), against the whole melody's key (chords.tune_key).
Prints, per set: agreement after 1 bar / 2 bars, and the share of tunes with a wrong sure key.

    .venv/bin/python scripts/key_sureness.py
"""

from __future__ import annotations

from coperformer.model.chord_data import chorale_tunes
from coperformer.model.evaluation import collection_sets
from coperformer.music.chord_model import heard_key
from coperformer.music.chords import tune_key
from coperformer.music.listening import SURE_MARGIN

BARS = 8  # the first bars looked at


def main() -> None:
    """One line per set."""
    sets = collection_sets(tuning=True)
    sets["validation chorales"] = [(t.grid, None) for t in chorale_tunes()["validation"]]
    for name, tunes in sets.items():
        after = {1: 0, 2: 0}
        wrong_sure = 0
        for grid, _ in tunes:
            bars = [grid.melody[grid.bar_slice(b)] for b in range(grid.bars)]
            truth = tune_key(grid.melody)
            sure = None
            for count in range(1, min(len(bars), BARS) + 1):
                heard = heard_key(bars[:count])
                if count in after:
                    after[count] += heard.key == truth
                if sure is None and heard.margin >= SURE_MARGIN:
                    sure = heard.key
            wrong_sure += sure is not None and sure != truth
        n = len(tunes)
        print(f"{name}: the tune's key after 1 bar {100 * after[1] / n:.0f} %, after 2 bars "
              f"{100 * after[2] / n:.0f} %; first sure key wrong {100 * wrong_sure / n:.0f} %")


if __name__ == "__main__":
    main()
