"""Measurement (no tracker, nothing tuned): how close any band can come to the performer's true
beats in `bench --follow`'s performances, even knowing the metrical place of every note played
so far. Each beat is placed 50 ms before it sounds (the benchmark's commit) by a polynomial in
the beat number (a line: a steady tempo; a parabola: a tempo changing steadily) fitted through
the onsets of the last N beats at their true places, the fermata's two sides apart (the
benchmark's oracle is the 4-beat line). Besides the benchmark's scenarios, the same performer
with drift alone, jitter alone, and both, nothing else. Prints the beat error p50 / p95 (ms) as
the benchmark counts it, on the tuning melodies and the reported ones.

    .venv/bin/python scripts/follow_floor.py
"""

from __future__ import annotations

import numpy as np

from coperformer.bench.follow import (
    REPORTED,
    SCENARIOS,
    TUNING,
    Scenario,
    beat_errors,
    oracle_band,
    perform,
)
from coperformer.model.collections import collection_melodies

FITS = ((4, 1), (8, 1), (16, 1), (8, 2), (12, 2), (16, 2))  # (beats, polynomial degree)
PLAIN = (Scenario("drift20_only", 0.20, 0.0, False, False, False),
         Scenario("jitter20_only", 0.0, 20.0, False, False, False),
         Scenario("drift20_jitter20_only", 0.20, 20.0, False, False, False))


def floor_row(pieces: list, scenario: Scenario, beats: int, degree: int) -> str:
    """The fit's beat error over the melodies, as the benchmark counts it."""
    errors = []
    for seed, piece in enumerate(pieces):
        perf = perform(piece, scenario, seed)
        errors += beat_errors(perf, oracle_band(perf, beats, degree))["errors"]
    p50, p95 = np.percentile(errors, [50, 95])
    return f"{p50:6.1f} / {p95:6.1f}"


def main() -> None:
    """Print the table for both melody sets."""
    for collection in (TUNING, REPORTED):
        pieces = collection_melodies(collection, 12)
        print(f"\n{collection.name}: beat error p50 / p95 (ms)")
        print(f"{'scenario':>24} " + " ".join(f"{f'{n} beats, deg {d}':>17}" for n, d in FITS))
        for scenario in SCENARIOS + PLAIN:
            cells = [floor_row(pieces, scenario, n, d) for n, d in FITS]
            print(f"{scenario.name:>24} " + " ".join(f"{c:>17}" for c in cells))


if __name__ == "__main__":
    main()
