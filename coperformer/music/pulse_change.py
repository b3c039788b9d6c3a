"""A sudden change of the player's pulse, heard in the recent onsets (pure).

The bar pointer follows a tempo that moves by a few percent a beat; a player who jumps to a
new tempo (a new section, a tune taken faster) is followed only slowly, and the jump's notes
fall between the old beats, where a melody's syncopations fall too, so they never make the
tracker lost: the band went on with a wrong beat for a dozen beats (issue 20). What a listener
hears instead is a run of evenly spaced notes whose spacing is no simple share of the beat and
that fall off the beats counted: a new pulse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SIMPLE_RATIOS = (0.25, 1 / 3, 0.5, 2 / 3, 1.0, 1.5, 2.0, 3.0, 4.0)  # the spacing of a run of
# even notes against the beat in a melody: sixteenths, triplets, eighths, two triplets' (a
# swung pair's long note), beats, dotted beats, two, three and four beats (a run of dotted
# eighths, three against four, is no melody's habit)
NOTES_A_BEAT = (1, 2)  # a run of even notes played on a new pulse: its beats or its eighths


@dataclass(frozen=True)
class PulseParams:
    """When a run of onsets is a new pulse (``off_beats`` chosen by
    scripts/pulse_change_choice.py on essenFolksong/irl: no false alarm there, the most jumps
    heard; docs/performance.md "Stop 41")."""

    onsets: int = 5  # this many onsets in a row (chords counted once) ...
    longest_gap: int = 1  # ... each after the one before by at most this many of the
    # shortest gap (1: a run of even notes) ...
    evenness: float = 0.07  # ... this evenly spaced (their sd off their line, of their
    # spacing) ...
    off_beats: int = 2  # ... this many of them counted off the beat ...
    least_change: float = 0.08  # ... their spacing this far (log) from every simple share,
    sureness: float = 2.0  # and this many standard errors of it further
    most_change: float = 0.45  # of the beat; the new beat (one or two of them, the nearer)
    # at most this far (log) from the beat


@dataclass(frozen=True)
class NewPulse:
    """A new pulse heard: its period, and how likely the latest onset is on its beat (a run
    of eighths: the louder half of the run is likelier on the beats)."""

    period_s: float
    on_beat: float


class PulseWatch:
    """The recent onsets (time, counted off the beat, loudness) and whether they make a new
    pulse."""

    def __init__(self, params: PulseParams | None = None) -> None:
        self.params = params or PulseParams()
        self._onsets: list[tuple[float, bool, int]] = []

    def clear(self) -> None:
        """Forget the onsets (the tracker started again)."""
        self._onsets = []

    def add(self, time_s: float, off_beat: bool, velocity: int) -> None:
        """An onset at ``time_s`` (a chord's first note only), counted off the beat or not."""
        self._onsets = (self._onsets + [(time_s, off_beat, velocity)])[-self.params.onsets:]

    def new_pulse(self, period_s: float) -> NewPulse | None:
        """The new pulse when the recent onsets make one against the tracked ``period_s``;
        else None."""
        p = self.params
        if len(self._onsets) < p.onsets or sum(off for _, off, _ in self._onsets) < p.off_beats:
            return None
        times = np.array([t for t, _, _ in self._onsets])
        gaps = np.diff(times)
        steps = np.round(gaps / max(float(gaps.min()), 1e-3))  # in the shortest gap's units
        if steps.max() > p.longest_gap:
            return None
        index = np.concatenate([[0.0], np.cumsum(steps)])
        spacing, start = np.polyfit(index, times, 1)
        residual = times - (start + spacing * index)
        spread = float(np.sqrt(residual @ residual / (p.onsets - 2)))
        if spacing <= 0 or spread > p.evenness * spacing:
            return None
        share = math.log(spacing / period_s)
        unsure = p.sureness * spread / math.sqrt(float(np.sum((index - index.mean()) ** 2)))
        if min(abs(share - math.log(r)) for r in SIMPLE_RATIOS) < \
                p.least_change + unsure / spacing:  # (the spacing's standard error, in log)
            return None
        change, notes = min((abs(share + math.log(n)), n) for n in NOTES_A_BEAT)
        if change > p.most_change:
            return None
        return NewPulse(float(spacing * notes), 1.0 if notes == 1 else self._latest_on_beat())

    def _latest_on_beat(self) -> float:
        """In a run of two notes a beat: how likely its latest note is on the beat, by the
        mean loudness of its half of the run against the other half's (squared)."""
        loud = [float(np.mean([v for _, _, v in self._onsets[-1 - half::-2]])) ** 2
                for half in (0, 1)]
        return loud[0] / (loud[0] + loud[1])
