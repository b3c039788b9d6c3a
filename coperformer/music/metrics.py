"""Evaluation figures for a band against its melody, on binarized grids (pc = pitch % 12)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coperformer.music.harmony import (
    CONSONANT_OVER_BASS,
    estimate_key,
    fits_one_chord,
    pitch_class_histogram,
    pitch_class_mask,
)
from coperformer.music.meter import STEPS_PER_QUARTER
from coperformer.music.roll import REST, Grid

FIGURES = (
    "harmonic_agreement", "chord_fit", "consonance", "in_key", "empty_bar_rate",
    "polyphony", "onsets_per_bar", "distinct_bars",
)


@dataclass
class Tally:
    """Counts summed over bars and pieces, turned into figures at the end."""

    beats: int = 0
    beats_fit: int = 0
    bass_steps: int = 0
    bass_consonant: int = 0
    band_notes: int = 0
    band_in_key: int = 0
    bars: int = 0
    empty_bars: int = 0
    sounding_steps: int = 0
    sounding_voices: int = 0
    onsets: int = 0
    patterns: list = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        """The figures named in FIGURES."""
        chord_fit = self.beats_fit / max(1, self.beats)
        consonance = self.bass_consonant / max(1, self.bass_steps)
        non_empty = [p for p in self.patterns if p]
        return {
            "harmonic_agreement": (chord_fit + consonance) / 2,
            "chord_fit": chord_fit,
            "consonance": consonance,
            "in_key": self.band_in_key / max(1, self.band_notes),
            "empty_bar_rate": self.empty_bars / max(1, self.bars),
            "polyphony": self.sounding_voices / max(1, self.sounding_steps),
            "onsets_per_bar": self.onsets / max(1, self.bars),
            "distinct_bars": len(set(non_empty)) / max(1, len(non_empty)),
        }


def _beat_windows(grid: Grid, bar: int) -> list[slice]:
    span = grid.bar_slice(bar)
    return [slice(s, min(s + STEPS_PER_QUARTER, span.stop))
            for s in range(span.start, span.stop, STEPS_PER_QUARTER)]


def _bar_pattern(grid: Grid, span: slice) -> tuple:
    band = grid.band[:, span]
    if (band == REST).all():
        return ()
    return tuple(band.ravel().tolist()) + tuple(grid.band_onset[:, span].ravel().tolist())


def _bass_line(band: np.ndarray) -> np.ndarray:
    masked = np.where(band == REST, 10_000, band)
    low = masked.min(axis=0)
    return np.where(low == 10_000, REST, low)


def measure_piece(grid: Grid, tally: Tally, first_bar: int = 1) -> None:
    """Add one piece's bars (from ``first_bar`` on) to a tally."""
    key = estimate_key(pitch_class_histogram(grid.melody))
    scale = key.scale()
    bass = _bass_line(grid.band)
    for bar in range(first_bar, grid.bars):
        span = grid.bar_slice(bar)
        _measure_beats(grid, bar, tally)
        band = grid.band[:, span]
        sounding = band != REST
        melody = grid.melody[span]
        both = (melody != REST) & (bass[span] != REST)
        intervals = (melody[both] - bass[span][both]) % 12
        tally.bass_steps += int(both.sum())
        tally.bass_consonant += int(np.isin(intervals, list(CONSONANT_OVER_BASS)).sum())
        onset_pitches = band[grid.band_onset[:, span] & sounding]
        tally.band_notes += int(onset_pitches.size)
        tally.band_in_key += int(np.isin(onset_pitches % 12, list(scale)).sum())
        tally.onsets += int(onset_pitches.size)
        tally.bars += 1
        tally.empty_bars += int(not sounding.any())
        per_step = sounding.sum(axis=0)
        tally.sounding_steps += int((per_step > 0).sum())
        tally.sounding_voices += int(_distinct_per_step(band).sum())
        tally.patterns.append(_bar_pattern(grid, span))


def _distinct_per_step(band: np.ndarray) -> np.ndarray:
    counts = []
    for column in band.T:
        counts.append(len({int(p) for p in column if p != REST}))
    return np.asarray(counts)


def _measure_beats(grid: Grid, bar: int, tally: Tally) -> None:
    for window in _beat_windows(grid, bar):
        melody = grid.melody[window]
        band = grid.band[:, window]
        tally.beats += 1
        if (band == REST).all():
            continue
        mask = pitch_class_mask(melody[melody != REST]) | pitch_class_mask(band[band != REST])
        tally.beats_fit += int(fits_one_chord(mask))


def measure(grids: list[Grid], first_bar: int = 1) -> dict[str, float]:
    """All figures over a list of grids (bars from ``first_bar`` on in each)."""
    tally = Tally()
    for grid in grids:
        measure_piece(grid, tally, first_bar)
    return tally.figures()
