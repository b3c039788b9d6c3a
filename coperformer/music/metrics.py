"""Evaluation figures for a band against its melody, on binarized grids (pc = pitch % 12)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coperformer.music.harmony import (
    CONSONANT_OVER_BASS,
    FITS_ONE_CHORD,
    estimate_key,
    pitch_class_histogram,
    pitch_class_mask,
    triad_root,
)
from coperformer.music.meter import STEPS_PER_QUARTER
from coperformer.music.roll import REST, Grid

FIGURES = (
    "harmonic_agreement", "chord_fit", "consonance", "clash", "chord_variety", "in_key",
    "empty_bar_rate", "polyphony", "onsets_per_bar", "distinct_bars",
)
CONSONANT_INTERVAL = np.isin(np.arange(12), sorted(CONSONANT_OVER_BASS))
CLASH_INTERVALS = (1, 6, 11)  # a semitone (either way) or a tritone
VARIETY_WINDOW = 4  # bars per chord-variety window


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
    melody_steps: int = 0
    clash_steps: int = 0
    windows: int = 0
    window_roots: int = 0
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
            "clash": self.clash_steps / max(1, self.melody_steps),
            "chord_variety": self.window_roots / max(1, self.windows),
            "in_key": self.band_in_key / max(1, self.band_notes),
            "empty_bar_rate": self.empty_bars / max(1, self.bars),
            "polyphony": self.sounding_voices / max(1, self.sounding_steps),
            "onsets_per_bar": self.onsets / max(1, self.bars),
            "distinct_bars": len(set(non_empty)) / max(1, len(non_empty)),
        }


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
    _measure_clash(grid, grid.bar_start[first_bar] if first_bar < grid.bars else grid.steps,
                   tally)
    _measure_variety(grid, first_bar, tally)
    for bar in range(first_bar, grid.bars):
        span = grid.bar_slice(bar)
        _measure_beats(grid, bar, tally)
        band = grid.band[:, span]
        sounding = band != REST
        consonant, steps = bass_consonance(grid.melody[span], bass[span])
        tally.bass_steps += steps
        tally.bass_consonant += consonant
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


def _measure_clash(grid: Grid, first_step: int, tally: Tally) -> None:
    melody = grid.melody[first_step:]
    band = grid.band[:, first_step:]
    sounding = melody != REST
    intervals = (band - melody[None, :]) % 12
    clash = ((band != REST) & np.isin(intervals, CLASH_INTERVALS)).any(axis=0) & sounding
    tally.melody_steps += int(sounding.sum())
    tally.clash_steps += int(clash.sum())


def _measure_variety(grid: Grid, first_bar: int, tally: Tally) -> None:
    roots = [band_root(grid.band[:, grid.bar_slice(bar)]) for bar in range(first_bar, grid.bars)]
    for start in range(0, len(roots) - VARIETY_WINDOW + 1, VARIETY_WINDOW):
        window = {r for r in roots[start : start + VARIETY_WINDOW] if r is not None}
        tally.windows += 1
        tally.window_roots += len(window)


def band_root(band: np.ndarray) -> int | None:
    """The root of the triad that best explains one bar of band steps (bass weighs double)."""
    sounding = band != REST
    if not sounding.any():
        return None
    weights = np.zeros(12)
    np.add.at(weights, band[sounding] % 12, 1.0)
    bass = _bass_line(band)
    np.add.at(weights, bass[bass != REST] % 12, 1.0)
    return triad_root(weights)


def _distinct_per_step(band: np.ndarray) -> np.ndarray:
    counts = []
    for column in band.T:
        counts.append(len({int(p) for p in column if p != REST}))
    return np.asarray(counts)


def _measure_beats(grid: Grid, bar: int, tally: Tally) -> None:
    span = grid.bar_slice(bar)
    fits = beat_fits(grid.melody[span], grid.band[:, span])
    tally.beats += len(fits)
    tally.beats_fit += sum(fits)


def beat_fits(melody: np.ndarray, band: np.ndarray) -> list[bool]:
    """Per quarter-note beat of a bar: do melody and band pitch classes fit one chord?

    A beat where the band is silent does not fit.
    """
    beats = -(-melody.shape[0] // STEPS_PER_QUARTER)
    melody_bits = _beat_masks(melody[None, :], beats)
    band_bits = _beat_masks(band, beats)
    fits = FITS_ONE_CHORD[melody_bits | band_bits] & (band_bits != 0)
    return fits.tolist()


def _beat_masks(lines: np.ndarray, beats: int) -> np.ndarray:
    """The pitch-class mask of each beat [beats] over some lines [lines, steps]."""
    padded = np.full((lines.shape[0], beats * STEPS_PER_QUARTER), REST, np.int64)
    padded[:, : lines.shape[1]] = lines
    bits = np.where(padded != REST, 1 << (padded % 12), 0)
    per_beat = bits.reshape(lines.shape[0], beats, STEPS_PER_QUARTER)
    return np.bitwise_or.reduce(np.bitwise_or.reduce(per_beat, axis=2), axis=0)


def bass_consonance(melody: np.ndarray, bass: np.ndarray) -> tuple[int, int]:
    """(consonant steps, steps with both sounding): the melody over the band's lowest note."""
    both = (melody != REST) & (bass != REST)
    intervals = (melody[both].astype(np.int64) - bass[both]) % 12
    return int(CONSONANT_INTERVAL[intervals].sum()), int(both.sum())


def band_agreement(melody: np.ndarray, band: np.ndarray) -> float:
    """Harmonic agreement (0..1) of one bar of band [voices, steps] with its melody."""
    fits = beat_fits(melody, band)
    consonant, steps = bass_consonance(melody, _bass_line(band))
    return (float(np.mean(fits)) + (consonant / steps if steps else 1.0)) / 2


def chord_agreement(melody: np.ndarray, chord_pcs: tuple[int, ...], bass_pc: int) -> float:
    """Harmonic agreement (0..1) of one bar of melody with a held chord and bass, as measured."""
    return float(chord_agreements(melody, [chord_pcs], [bass_pc])[0])


def chord_agreements(melody: np.ndarray, chords: list[tuple[int, ...]], basses: list[int],
                     ) -> np.ndarray:
    """``chord_agreement`` for many held chords at once [chords]."""
    beats = -(-melody.shape[0] // STEPS_PER_QUARTER)
    melody_bits = _beat_masks(melody[None, :], beats)
    chord_bits = np.array([pitch_class_mask(chord) for chord in chords])
    fits = FITS_ONE_CHORD[melody_bits[None, :] | chord_bits[:, None]].mean(axis=1)
    sounding = melody[melody != REST].astype(np.int64)
    if not sounding.size:
        return (fits + 1.0) / 2
    intervals = (sounding[None, :] - np.asarray(basses)[:, None]) % 12
    return (fits + CONSONANT_INTERVAL[intervals].mean(axis=1)) / 2


def measure(grids: list[Grid], first_bar: int = 1) -> dict[str, float]:
    """All figures over a list of grids (bars from ``first_bar`` on in each)."""
    tally = Tally()
    for grid in grids:
        measure_piece(grid, tally, first_bar)
    return tally.figures()
