"""How Follow me's tempo prior at a tune start with no count-in was chosen (stop 38, issue 20):
the tracker starts on the player's first note with the tempo set as a guess (13 % slower or
15 % faster than the player's, in turn), its tempo spread (log-period sd) tried at each value
below, on the tracker's tuning melodies (essenFolksong/irl; never the reported ones) that start
on a downbeat. Prints per setting and scenario: beats until locked (median, worst, never),
beat error p50 / p95 (ms) from the second bar, lost events. The rule, fixed before: the
fewest beats to lock (medians summed over the scenarios), then the lower p95 sum.

    .venv/bin/python scripts/tune_start_choice.py
"""

from __future__ import annotations

from dataclasses import replace

from coperformer.bench import follow
from coperformer.bench.tune_start import POOL, starts_on_a_downbeat, tune_start_runs
from coperformer.model.collections import collection_melodies
from coperformer.music.beat_tracker import TrackerParams

SPREADS = (0.03, 0.08, 0.15, 0.25)
MELODIES = 12


def main() -> None:
    """One line per setting."""
    pieces = [p for p in collection_melodies(follow.TUNING, POOL * MELODIES)
              if starts_on_a_downbeat(p)][:MELODIES]
    print(f"{len(pieces)} tuning melodies start on a downbeat")
    for spread in SPREADS:
        params = replace(TrackerParams(), tune_tempo_spread=spread)
        cells, locks, p95 = [], 0, 0.0
        for scenario in follow.SCENARIOS:
            row = follow.gather_runs(tune_start_runs(pieces, scenario, params))
            lock, errors = row["lock_beats"], row["beat_error_ms"]
            locks += lock["p50"] or 0
            p95 += errors["p95"]
            cells.append(f"{scenario.name}: lock {lock['p50']} / {lock['max']} / "
                         f"{lock['never']}, {errors['p50']} / {errors['p95']} ms, "
                         f"lost {row['lost_events']}")
        print(f"spread {spread} (locks {locks}, p95 sum {p95:.1f}): " + " | ".join(cells),
              flush=True)


if __name__ == "__main__":
    main()
