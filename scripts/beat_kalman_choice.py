"""Whether the beat is read off a Kalman filter over the on-beat onsets when no line holds
(``TrackerParams.kalman``; stop 42, issue 20), and how much its period's change wanders
(``KalmanParams.jerk``). Per setting, on the tracker's tuning melodies (essenFolksong/irl;
never the reported ones), the modelled band of `bench --follow`: per drift scenario the
gradual beats' and the last 8 beats' p50 / p95 (ms), lost events and failed re-locks after
the fermata; the steady p95; jump25's re-lock after the jump.

The rule (written before the run): among settings that keep the steady p95 within 1 ms and
the drift scenarios' lost events and failed re-locks within 2 of the tracker without the
filter (the first setting), the lowest sum over the drift scenarios of the gradual and the
last beats' p95; ties: no filter, then the smaller jerk.

    .venv/bin/python scripts/beat_kalman_choice.py [MELODIES]   (30 by default)
"""

from __future__ import annotations

import sys
from dataclasses import replace

from coperformer.bench import follow
from coperformer.music.beat_kalman import KalmanParams
from coperformer.music.beat_tracker import TrackerParams

SETTINGS = (None, 1e-6, 1e-5, 1e-4)  # no filter, then the jerk


def row(pieces: list, jerk: float | None) -> str:
    """One setting's line."""
    kalman = None if jerk is None else replace(KalmanParams(), jerk=jerk)
    params = TrackerParams(kalman=kalman)
    steady = follow.tracker_rows(pieces, follow.SCENARIOS[0], params)[0]
    jump = follow.tracker_rows(pieces, follow.JUMP, params)[0]
    total, cells, lost, never = 0.0, [], 0, 0
    for scenario in follow.SCENARIOS[1:]:
        found = follow.tracker_rows(pieces, scenario, params)[0]
        gradual, end = found["gradual_beats_ms"], found["last_beats_ms"]
        total += gradual["p95"] + end["p95"]
        cells.append(f"{scenario.name} {gradual['p50']}/{gradual['p95']} end "
                     f"{end['p50']}/{end['p95']}")
        lost += found["lost_events"]
        never += found["relock_beats"]["never"]
    return (f"jerk {jerk}: sum {total:.1f}; " + "; ".join(cells) + f"; lost {lost}, re-lock "
            f"never {never}; steady p95 {steady['beat_error_ms']['p95']}; jump25 re-lock "
            f"{jump['jump_relock_beats']}")


def main() -> None:
    """One line per setting."""
    pieces = follow.collection_melodies(follow.TUNING, int(sys.argv[1]) if len(sys.argv) > 1
                                        else 30)
    for jerk in SETTINGS:
        print(row(pieces, jerk), flush=True)


if __name__ == "__main__":
    main()
