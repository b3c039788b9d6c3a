"""How stop 34's tracker settings were chosen: the tempo modes (rates, switch chance) and how
many onsets in a row must find the belief astray before the tracker is lost, on the tracker's
tuning melodies (essenFolksong/irl; never the reported ones), the tracker's modelled band.
Prints per setting and scenario: beat error p50 / p95 (ms), the last 8 beats' p50 / p95,
lost events, failed re-locks after the fermata, missed beats.

    .venv/bin/python scripts/follow_choice.py [MELODIES]   (12 by default; 30 for the checks)
"""

from __future__ import annotations

import sys

from coperformer.bench import follow
from coperformer.music.beat_tracker import TrackerParams
from coperformer.music.tempo_modes import ModeParams

SYMMETRIC = (0.9, 0.05, 0.05)  # the prior of three modes
SLOWING = (0.95, 0.05)  # ... and of two
MODES = [((0.0,), (1.0,), 0.0), ((0.0, 0.05, -0.05), SYMMETRIC, 0.02),
         ((0.0, 0.05, -0.05), SYMMETRIC, 0.05), ((0.0, 0.05, -0.05), SYMMETRIC, 0.15),
         ((0.0, 0.03, -0.03), SYMMETRIC, 0.1), ((0.0, 0.08, -0.08), SYMMETRIC, 0.03),
         ((0.0, 0.08, -0.08), SYMMETRIC, 0.1), ((0.0, 0.06, -0.04), (0.94, 0.03, 0.03), 0.03),
         ((0.0, 0.05), SLOWING, 0.03), ((0.0, 0.05), SLOWING, 0.04), ((0.0, 0.05), (0.9, 0.1), 0.1),
         ((0.0, 0.06), SLOWING, 0.03), ((0.0, 0.06), SLOWING, 0.04), ((0.0, 0.08), SLOWING, 0.03),
         ((0.0, 0.08), SLOWING, 0.05)]  # (rates, prior, switch); lost after 1 onset
LOST_ONSETS = (1, 2, 3)  # with the kept modes


def rows(params: TrackerParams, count: int) -> list[str]:
    """One line per scenario."""
    pieces = follow.collection_melodies(follow.TUNING, count)
    out = []
    for scenario in follow.SCENARIOS:
        runs = []
        for seed, piece in enumerate(pieces):
            perf = follow.perform(piece, scenario, seed)
            band, lost = follow.play_band(perf, True, params)
            runs.append((follow.beat_errors(perf, band), lost, perf))
        g = follow.gather_runs(runs)
        errors, end = g["beat_error_ms"], g["last_beats_ms"]
        out.append(f"{scenario.name}: {errors['p50']} / {errors['p95']}  end {end['p50']} / "
                   f"{end['p95']}  lost {g['lost_events']}  re-lock never "
                   f"{g['relock_beats']['never']}  missed {g['missed_beats']}")
    return out


def main() -> None:
    """The modes' settings, then the lost rule's."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    for rates, prior, switch in MODES:
        print(f"modes {rates}, prior {prior}, switch {switch}, lost after 1 onset:")
        params = TrackerParams(modes=ModeParams(rates, prior, switch), lost_onsets=1)
        print("   " + "\n   ".join(rows(params, count)), flush=True)
    for onsets in LOST_ONSETS:
        print(f"the kept modes, lost after {onsets} onsets:")
        print("   " + "\n   ".join(rows(TrackerParams(lost_onsets=onsets), count)), flush=True)


if __name__ == "__main__":
    main()
