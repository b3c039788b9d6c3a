"""How likely the tracker takes the first onset after a fermata to fall between beats (a
pick-up eighth into the next phrase) was chosen (stop 39, issue 20), on the tracker's 30
tuning melodies (essenFolksong/irl; never the reported ones), its modelled band as `bench
--follow` plays it. Per share and scenario: the share of the player's on-beat notes counted
at their place in the bar before and after the fermata, re-lock after the fermata (median /
worst beats, never), beat error p50 / p95 (ms), lost events.

The rule (written before the run): the fewest failed re-locks after the fermata (summed over
the three drift scenarios) among shares that keep the bar place after the fermata within 2
points of share 0 (the tracker before; mean of the three), raise the drift scenarios' p95 sum
by at most 5 % and their lost events by at most 10 %; ties: the lower p95 sum.

    .venv/bin/python scripts/resume_choice.py   (about 4 minutes)
"""

from __future__ import annotations

from dataclasses import replace

from coperformer.bench import follow
from coperformer.music.beat_tracker import TrackerParams

SHARES = (0.0, 0.15, 0.3, 0.45)


def main() -> None:
    """One line per share."""
    pieces = follow.collection_melodies(follow.TUNING, 30)
    for share in SHARES:
        params = replace(TrackerParams(), resume_off_beat=share)
        cells = []
        for scenario in follow.SCENARIOS[1:]:
            row, place = follow.tracker_rows(pieces, scenario, params)
            errors, relock = row["beat_error_ms"], row["relock_beats"]
            cells.append(f"{scenario.name}: bar place {place['before']} / "
                         f"{place['after_fermata']} %, re-lock {relock['p50']} / "
                         f"{relock['max']} / never {relock['never']}, {errors['p50']} / "
                         f"{errors['p95']} ms, lost {row['lost_events']}")
        print(f"{share}: " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
