"""How much louder a chord's onset counts than its first note (stop 40, issue 20). The tracker
counted a chord once, at its first note's loudness, so the chords a player strikes on strong
beats told it nothing about where the bar begins; after a fermata it came back a beat off on
about a fifth of the tuning melodies and stayed there. Per setting (``chord_accent``: 1, the
tracker before), on the tracker's 30 tuning melodies (essenFolksong/irl; never the reported
ones), the modelled band of `bench --follow` over the drift scenarios: beat error p95 summed
(all beats; the gradual part: not the tune's last 8 and not the 4 after the fermata), failed
re-locks, lost events, bar place after the fermata.

The rule (written before the run, as scripts/overdue_choice.py at 95f260a): the best bar place
after the fermata summed over the drift scenarios, among settings that keep the all-beats p95
sum within 5 % and the failed re-locks and lost events within 2 of the tracker before; ties
(within a point): the smaller setting.

    .venv/bin/python scripts/chord_accent_choice.py   (about 5 minutes)
"""

from __future__ import annotations

from dataclasses import replace

from coperformer.bench import follow
from coperformer.music.beat_tracker import TrackerParams

SETTINGS = (1.0, 1.5, 2.0, 3.0)


def main() -> None:
    """One line per setting."""
    pieces = follow.collection_melodies(follow.TUNING, 30)
    for accent in SETTINGS:
        params = replace(TrackerParams(), chord_accent=accent)
        p95, gradual, never, lost, after = [], [], 0, 0, []
        for scenario in follow.SCENARIOS[1:]:
            row, place = follow.tracker_rows(pieces, scenario, params)
            p95.append(row["beat_error_ms"]["p95"])
            gradual.append(row["gradual_beats_ms"]["p95"])
            never += row["relock_beats"]["never"]
            lost += row["lost_events"]
            after.append(place["after_fermata"])
        print(f"chord accent {accent}: p95 sum {sum(p95):.1f} ms ({p95}); gradual p95 "
              f"{gradual}; re-lock never {never}; lost {lost}; bar place after the fermata "
              f"{after} (sum {sum(after):.1f})", flush=True)


if __name__ == "__main__":
    main()
