"""A new pulse in a melody's rhythms, not only in a run of even notes (stop 41, issue 20). In
`bench --follow`'s jump25 scenario (the tempo 25 % faster from a third into the tune) the
melodies go on in their own rhythms, and a run of five even notes is rare: the watch chosen by
scripts/pulse_change_choice.py hardly hears the jump there. Here the run's gaps may be whole
multiples (up to ``longest_gap``) of its shortest one. Per setting, on the tracker's tuning
melodies (essenFolksong/irl, never the reported ones): false alarms in all 46 under the four
scenarios with no jump (as pulse_change_choice counts them), and the modelled band's row of
jump25 on 30 of them: beats until re-locked after the jump (median, worst, never), lost
events, beat error p50 / p95 (ms).

The rule (written before the run): no false alarm; then the fewest failed re-locks after the
jump, then the lowest median; ties: the smaller ``longest_gap``.

    .venv/bin/python scripts/pulse_rhythm_choice.py   (about 10 minutes)
"""

from __future__ import annotations

from pulse_change_choice import false_alarms

from coperformer.bench import follow, performer
from coperformer.music.beat_tracker import TrackerParams
from coperformer.music.pulse_change import PulseParams

SETTINGS = (PulseParams(), PulseParams(longest_gap=2), PulseParams(longest_gap=3),
            PulseParams(longest_gap=4), PulseParams(onsets=6, longest_gap=2),
            PulseParams(onsets=6, longest_gap=4))


def main() -> None:
    """One line per setting."""
    pieces = follow.collection_melodies(follow.TUNING, 30)
    for pulse in SETTINGS:
        row = follow.tracker_rows(pieces, performer.JUMP, TrackerParams(pulse=pulse))[0]
        errors = row["beat_error_ms"]
        print(f"{pulse}: false alarms {false_alarms(pulse)}; jump25 re-lock "
              f"{row['jump_relock_beats']}, lost {row['lost_events']}, beat error "
              f"{errors['p50']} / {errors['p95']}", flush=True)


if __name__ == "__main__":
    main()
