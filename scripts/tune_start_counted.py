"""The tune-start rows' comparison (stop 38, issue 20): the same melodies (those that start on
a downbeat) counted in as the bench's other rows are, the band judged from the second bar, the
tracker's modelled band and the real engine. Prints a line per set, scenario and mode.

    .venv/bin/python scripts/tune_start_counted.py   (about a minute)
"""

from __future__ import annotations

from coperformer.bench import follow
from coperformer.bench.follow_engine import engine_beats
from coperformer.bench.tune_start import POOL, from_second_bar, starts_on_a_downbeat
from coperformer.model.collections import collection_melodies
from coperformer.model.store import load_chord_model, load_model

MELODIES = 12


def main() -> None:
    """A line per set, scenario and mode."""
    model, chords = load_model(None), load_chord_model()
    for collection in (follow.REPORTED, follow.TUNING):
        pieces = [p for p in collection_melodies(collection, POOL * MELODIES)
                  if starts_on_a_downbeat(p)][:MELODIES]
        for scenario in follow.SCENARIOS:
            for mode in ("follow", "engine"):
                runs = []
                for seed, piece in enumerate(pieces):
                    perf = follow.perform(piece, scenario, seed)
                    band, lost = follow.play_band(perf, True) if mode == "follow" else \
                        engine_beats(perf, model, chords, True)
                    runs.append((follow.beat_errors(perf, from_second_bar(perf, band)), lost,
                                 perf))
                row = follow.gather_runs(runs)
                print(f"{collection.name} ({len(pieces)}), {scenario.name}, {mode}, counted "
                      f"in: {row['beat_error_ms']}, lock {row['lock_beats']}, lost "
                      f"{row['lost_events']}", flush=True)


if __name__ == "__main__":
    main()
