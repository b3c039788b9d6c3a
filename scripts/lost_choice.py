"""Stop 35's measurements of when the tracker is lost: the fit's mean and bound, and how many
onsets in a row must find it astray, on the tuning melodies (essenFolksong/irl; never the
reported ones), with how many notes without a pulse it takes to be lost (12 seeds, after 16
steady beats). Prints follow_choice's rows per setting. None was kept (docs/performance.md
"Stop 35").

    .venv/bin/python scripts/lost_choice.py [MELODIES]   (30 by default)
"""

from __future__ import annotations

import random
import sys

from follow_choice import rows

from coperformer.music.beat_tracker import LOST, BeatTracker, TrackerParams
from coperformer.music.tempo_modes import ModeParams

MS = 1_000_000
SETTINGS = [TrackerParams(), TrackerParams(lost_surprise=1.25, surprise_onsets=20.0),
            TrackerParams(lost_surprise=1.2, surprise_onsets=16.0), TrackerParams(lost_onsets=3),
            TrackerParams(lost_onsets=4), TrackerParams(lost_surprise=1.0),
            TrackerParams(modes=ModeParams((0.0, 0.04, 0.09), (0.94, 0.03, 0.03), 0.03)),
            TrackerParams(modes=ModeParams((0.0, 0.06, 0.12), (0.94, 0.03, 0.03), 0.03)),
            TrackerParams(modes=ModeParams((0.0, 0.05, 0.1), (0.94, 0.03, 0.03), 0.05))]


def notes_until_lost(params: TrackerParams, seed: int) -> int | None:
    """16 steady beats at 120 BPM, then notes with no pulse: how many until lost."""
    rng, tracker = random.Random(seed), BeatTracker(120.0, 1000 * MS, params=params)
    t = 1000 * MS
    for _ in range(16):
        tracker.onset(t + round(rng.gauss(0, 10.0) * MS), 60, 90)
        tracker.release(t + 160 * MS, 60)
        t += 500 * MS
    for count in range(1, 61):
        t += round(rng.uniform(130, 420) * MS)
        tracker.onset(t, 60, 80)
        tracker.release(t + 60 * MS, 60)
        if tracker.estimate(t + MS).state == LOST:
            return count
    return None


def main() -> None:
    """One block per setting."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    for params in SETTINGS:
        delays = [notes_until_lost(params, seed) for seed in range(12)]
        print(f"lost bound {params.lost_surprise} over {params.surprise_onsets} onsets, "
              f"{params.lost_onsets} in a row, modes {params.modes.rates}: lost after "
              f"{delays} notes without a pulse")
        print("   " + "\n   ".join(rows(params, count)), flush=True)


if __name__ == "__main__":
    main()
