"""A straight line through the player's on-beat onsets (pure).

While the tempo holds steady, a line through the onsets of many beats places the coming beat
more surely than the bar pointer's reading after the latest onset, which each note's timing
jitter moves. The line is used only while it explains the onsets as well as a curve does (an
F test of a parabola against it: a tempo that moves bends the onsets away from any line), the
latest onsets do not lean to one side of it, the latest on-beat onset is not far off it (the
first beats of a ritardando, which a line through many beats hardly feels), and it agrees with
the bar pointer on where the beat is; otherwise the bar pointer's reading stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXACT_S = 0.001  # onsets this near a line (rms, s) are on it, whatever a curve does
SLIP = 0.4  # an onset this share of a period off the line's pace: the beats were counted anew


@dataclass(frozen=True)
class LineParams:
    """The line's constants (tuned on essenFolksong/irl, never on the reported melodies)."""

    windows: tuple[int, ...] = (32, 24)  # beats of onsets a line goes through, longest first
    min_share: float = 0.6  # ... of which at least this share have an onset on the beat
    curve_f: float = 3.0  # a parabola this much better (F statistic): the tempo moves
    recent: int = 4  # the latest onsets, which must not lean to one side of the line
    lean_z: float = 2.0  # ... by more than this many standard errors
    snap: float = 0.08  # beats: an onset this near a beat is on it
    agree: float = 0.12  # beats: the line and the bar pointer agree this closely, or no line
    miss_z: float = 5.0  # an onset this many spreads off the line: no reading until one is on it


@dataclass(frozen=True)
class LineReading:
    """Beat ``beat`` falls at ``time_s``, one every ``period_s``, by the line."""

    beat: int
    time_s: float
    period_s: float


class BeatLine:
    """The on-beat onsets of the recent beats and the line through them."""

    def __init__(self, params: LineParams | None = None) -> None:
        self.params = params or LineParams()
        self._points: list[tuple[int, float]] = []  # (beat, onset time s)
        self._doubted = False  # the latest onset on a beat fell far off the line

    def clear(self) -> None:
        """Forget every onset (the beat was lost, or a fermata broke the line)."""
        self._points = []
        self._doubted = False

    def add(self, beat_count: float, time_s: float) -> None:
        """An onset at ``time_s`` where the bar pointer counts ``beat_count`` beats: kept
        when it falls on a beat (a chord's notes come once already)."""
        beat = round(beat_count)
        if abs(beat_count - beat) > self.params.snap:
            return
        if self._points and self._points[-1][0] == beat:
            return  # one onset a beat: the first
        self._doubted = self._misses(beat, time_s)
        if self._slipped(beat, time_s):
            self._points = []  # the bar pointer counts the beats anew: so does the line
        longest = max(self.params.windows, default=0)
        self._points = [p for p in self._points if p[0] > beat - longest] + [(beat, time_s)]

    def _misses(self, beat: int, time_s: float) -> bool:
        """Whether an onset on ``beat`` falls far further off the line than its onsets do
        (the tempo is moving away from it: a ritardando's first beats)."""
        points = self._points[-max(self.params.windows, default=0):]
        if len(points) < 6:
            return False
        beats = np.array([b for b, _ in points], float)
        times = np.array([t for _, t in points])
        fit = np.polyfit(beats, times, 1)
        residuals = times - np.polyval(fit, beats)
        spread = max(EXACT_S, float(np.sqrt(residuals @ residuals / (len(beats) - 2))))
        return abs(time_s - float(np.polyval(fit, beat))) > self.params.miss_z * spread

    def _slipped(self, beat: int, time_s: float) -> bool:
        """Whether the onset's beat count breaks with the line's: counted back, or a beat's
        share of a period off the pace of the beats before."""
        if not self._points:
            return False
        last_beat, last_time = self._points[-1]
        if beat < last_beat:
            return True
        first_beat, first_time = self._points[0]
        if last_beat == first_beat:
            return False
        period = (last_time - first_time) / (last_beat - first_beat)
        return abs(time_s - last_time - (beat - last_beat) * period) > SLIP * period

    def reading(self, beat: int, pointer_time_s: float, pointer_period_s: float
                ) -> LineReading | None:
        """The line's reading of ``beat`` when a steady line explains the recent onsets and
        agrees with the bar pointer's (``pointer_time_s``, ``pointer_period_s``), and the
        latest on-beat onset was not far off it; else None."""
        if self._doubted:
            return None
        for window in self.params.windows:
            points = [p for p in self._points if p[0] > beat - window]
            if len(points) < max(6, self.params.min_share * window):
                continue
            beats = np.array([b - beat for b, _ in points], float)
            times = np.array([t for _, t in points])
            if not self._steady(beats, times):
                continue
            period, offset = np.polyfit(beats, times, 1)
            if abs(offset - pointer_time_s) <= self.params.agree * pointer_period_s:
                return LineReading(beat, float(offset), float(period))
        return None

    def _steady(self, beats: np.ndarray, times: np.ndarray) -> bool:
        """Whether a line explains the onsets as well as a parabola does (an F test), and
        the latest onsets do not lean to one side of it (a tempo moving now)."""
        line = times - np.polyval(np.polyfit(beats, times, 1), beats)
        curve = times - np.polyval(np.polyfit(beats, times, 2), beats)
        left, spread = float(curve @ curve), float(np.sqrt(line @ line / max(1, len(beats) - 2)))
        if spread < EXACT_S:
            return True  # on the line within a millisecond
        if left <= EXACT_S ** 2 * 1e-6:
            return False  # exactly on a curve, and not on the line
        f = (float(line @ line) - left) / (left / max(1, len(beats) - 3))
        latest = line[-self.params.recent:]
        lean = abs(float(latest.mean())) / (spread / np.sqrt(len(latest)))
        return f < self.params.curve_f and lean < self.params.lean_z
