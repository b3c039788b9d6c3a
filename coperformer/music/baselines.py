"""Rule baselines: a held tonic, the best triad for the same bar or the previous bar (causal)."""

from __future__ import annotations

import numpy as np

from coperformer.music.harmony import Key, estimate_key, pitch_class_histogram
from coperformer.music.meter import STEPS_PER_QUARTER
from coperformer.music.notes import fold_pitch
from coperformer.music.roll import REST, Grid

TIE_ORDER = (0, 4, 3, 5, 1, 2, 6)  # ties between triads go to I, V, IV, ...
VOICING = ((57, 68), (50, 61), (40, 51))  # alto (third), tenor (fifth), bass (root)


def best_triad(melody: np.ndarray, onsets: np.ndarray, key: Key) -> tuple[int, ...] | None:
    """The diatonic triad that covers the most melody time, beats weighing double."""
    sounding = melody != REST
    if not sounding.any():
        return None
    weight = np.ones(melody.shape)
    weight[::STEPS_PER_QUARTER] = 2.0
    weight[onsets] += 1.0
    per_pc = np.bincount(melody[sounding] % 12, weight[sounding], minlength=12)
    total = per_pc.sum()
    best, best_score = None, -np.inf
    for rank, triad in enumerate(key.diatonic_triads()):
        inside = per_pc[list(triad)].sum()
        score = inside - 0.5 * (total - inside) - 0.01 * TIE_ORDER[rank]
        if score > best_score:
            best, best_score = triad, score
    return best


def _voice(grid: Grid, bar: int, triad: tuple[int, ...]) -> None:
    span = grid.bar_slice(bar)
    third, fifth, root = triad[1], triad[2], triad[0]
    for voice, (pc, (low, high)) in enumerate(zip((third, fifth, root), VOICING, strict=True)):
        grid.band[voice, span] = fold_pitch(pc + 12 * (low // 12), low, high)
        grid.band_onset[voice, span.start] = True


def _clear_band(grid: Grid) -> None:
    grid.band[:] = REST
    grid.band_onset[:] = False


Triad = tuple[int, ...]


def voiced(grid: Grid, chords: list[Triad | None]) -> Grid:
    """Fill the band with one sustained triad per bar (none where a bar has None)."""
    _clear_band(grid)
    for bar, triad in enumerate(chords):
        if triad:
            _voice(grid, bar, triad)
    return grid


def same_bar_chords(grid: Grid) -> list[Triad | None]:
    """Each bar's triad chosen from that bar's melody (offline)."""
    key = estimate_key(pitch_class_histogram(grid.melody))
    return [best_triad(grid.melody[grid.bar_slice(bar)],
                       grid.melody_onset[grid.bar_slice(bar)], key) for bar in range(grid.bars)]


def previous_bar_chords(grid: Grid) -> list[Triad | None]:
    """Each bar's triad: the one that best fit the previous bar (causal key, too)."""
    chords: list[Triad | None] = [None]
    for bar in range(1, grid.bars):
        past = grid.bar_slice(bar - 1)
        key = estimate_key(pitch_class_histogram(grid.melody[: past.stop]))
        chords.append(best_triad(grid.melody[past], grid.melody_onset[past], key))
    return chords[: grid.bars]


def held_tonic_chords(grid: Grid) -> list[Triad | None]:
    """The tonic triad of the key heard so far (causal: bars before this one), every bar."""
    chords: list[Triad | None] = [None]
    for bar in range(1, grid.bars):
        heard = grid.melody[: grid.bar_slice(bar).start]
        chords.append(None if (heard == REST).all()
                      else estimate_key(pitch_class_histogram(heard)).diatonic_triads()[0])
    return chords[: grid.bars]


def same_bar_triads(grid: Grid) -> Grid:
    """Fill the band with a sustained triad per bar chosen from that bar's melody (offline)."""
    return voiced(grid, same_bar_chords(grid))


def previous_bar_triads(grid: Grid) -> Grid:
    """Fill each bar with the triad that best fit the previous bar (causal key, too)."""
    return voiced(grid, previous_bar_chords(grid))


def held_tonic(grid: Grid) -> Grid:
    """Hold the tonic triad of the key heard so far (causal: bars before this one) every bar."""
    return voiced(grid, held_tonic_chords(grid))
