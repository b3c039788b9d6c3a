"""Accompaniment bar by bar: the causal (live) path and the offline path share this loop."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from coperformer.music import features as F
from coperformer.music.chord_chart import ChordChart, chords_by_step
from coperformer.music.features import BandBarLike, BarGenerator
from coperformer.music.listening import MEMORY_BARS, Chord, HarmonyPlanner, register_ceiling
from coperformer.music.meter import STEPS_PER_QUARTER
from coperformer.music.notes import Note, Piece
from coperformer.music.roll import REST, Grid, bar_voices, grid_from_piece

RECENT_PATTERNS = 64  # the live band avoids repeating any of its last 64 bars exactly


@dataclass
class Accompaniment:
    """The result: the grid with the band filled in, and the band as notes per voice."""

    grid: Grid
    voices: list[list[Note]]
    chords: list[tuple[float, str]]  # (quarters, name): each chord the band was given


def fill_bar(generator: BarGenerator, slots: F.BarSlots, bar: int, offline: bool,
             rng: np.random.Generator, history: np.ndarray, chord: Chord | None = None,
             avoid: frozenset[bytes] = frozenset()) -> BandBarLike:
    """Generate one bar into ``slots`` from the bars before it (and its melody if offline).

    ``history`` is the melody's pitch-class histogram over all bars before this one.
    """
    context = slots.take(F.context_index(np.array([bar]), np.zeros(1, np.int64)).reshape(-1))
    current = slots.take(np.array([bar]))
    profile = F.normalize_profile(history)
    result = generator.generate(context, current, offline, rng, profile, chord, avoid)
    slots.band[bar] = result.pitches
    slots.band_onset[bar] = result.onsets
    return result


def accompany_grid(generator: BarGenerator, grid: Grid, mode: str = "offline",
                   seed: int = 0, planner: HarmonyPlanner | None = None,
                   charted: list[Chord | None] | None = None,
                   given: list[tuple[int, Chord]] | None = None) -> Grid:
    """Fill the band of a melody grid; live mode leaves bar 1 silent, as on stage.

    In live mode a ``planner`` chooses each bar's chord from the bars before it (the
    listening band), offline it harmonizes the whole melody first; without one the GAN's own
    guess is played. ``charted`` (a chord
    chart's chord per step) is played instead, from bar 1, in either mode. Each chord the
    band is given goes into ``given`` as (first step, chord).
    """
    given = [] if given is None else given
    if mode not in ("offline", "live"):
        raise ValueError(f"unknown mode {mode!r}")
    slots = F.slots_from_grid(grid)
    slots.band[:] = -1
    slots.band_onset[:] = False
    rng = np.random.default_rng(seed)
    per_bar = F.bar_pitch_classes(slots)
    history = np.zeros(F.PROFILE_SIZE, np.float32)
    melody_bars = [grid.melody[grid.bar_slice(bar)] for bar in range(grid.bars)]
    played: list[bytes] = []
    listening = planner is not None and mode == "live"
    if planner is not None and mode == "offline" and not charted:  # the whole tune at once
        charted = _harmonized_steps(planner.harmonize(melody_bars), grid)
    for bar in range(grid.bars):
        if charted:  # the chart's chords, no plan (none in a pickup)
            if changes := _chart_changes(charted, grid.bar_slice(bar)):
                _charted_bar(generator, slots, bar, mode == "offline", rng, history, changes,
                             played)
                given += [(grid.bar_slice(bar).start + step, chord) for step, chord in changes]
        else:
            recent = melody_bars[max(0, bar - MEMORY_BARS):bar]
            chord = planner.plan(recent, bar) if listening and bar > 0 else None
            if not (bar == 0 and mode == "live" or listening and chord is None):  # heard some
                result = fill_bar(generator, slots, bar, mode == "offline", rng, history, chord,
                                  frozenset(played[-RECENT_PATTERNS:]))
                played.append(result.key())
                if chord is not None:
                    given.append((grid.bar_slice(bar).start, chord))
        history = history + per_bar[bar]
    return slots_to_grid(slots, grid)


def _harmonized_steps(harmonized: list[list[tuple[int, Chord]]], grid: Grid,
                      ) -> list[Chord | None]:
    """An offline harmonization as a chord per step (a silent bar keeps the chord before)."""
    out: list[Chord | None] = [None] * grid.steps
    current: Chord | None = None
    for bar, changes in enumerate(harmonized):
        span = grid.bar_slice(bar)
        starts = dict(changes)
        for step in range(span.start, span.stop):
            current = starts.get(step - span.start, current)
            out[step] = current
    return out


def _chart_changes(charted: list[Chord | None], span: slice) -> list[tuple[int, Chord]]:
    """A bar's chords as (first step in the bar, chord); none where the chart has none."""
    bar = charted[span]
    return [(step, chord) for step, chord in enumerate(bar)
            if chord is not None and (step == 0 or chord != bar[step - 1])]


def _charted_bar(generator: BarGenerator, slots: F.BarSlots, bar: int, offline: bool,
                 rng: np.random.Generator, history: np.ndarray,
                 changes: list[tuple[int, Chord]], played: list[bytes]) -> None:
    """One bar on a chart's chords: generated on each chord and kept from where that chord
    starts (as the live band re-plans a bar), silent from an N.C., under the melody it hears."""
    heard = bar if offline else bar - 1  # the bar whose melody the band's register keeps under
    ceiling = register_ceiling(slots.melody[heard]) if heard >= 0 else None
    pitches = np.full_like(slots.band[bar], REST)
    onsets = np.zeros_like(slots.band_onset[bar])
    for step, chord in changes:
        if chord.rests:
            pitches[:, step:], onsets[:, step:] = REST, False
            continue
        result = fill_bar(generator, slots, bar, offline, rng, history,
                          replace(chord, ceiling=ceiling), frozenset(played[-RECENT_PATTERNS:]))
        if step == 0:
            played.append(result.key())
        changed = pitches[:, step] != result.pitches[:, step]
        pitches[:, step:], onsets[:, step:] = result.pitches[:, step:], result.onsets[:, step:]
        onsets[:, step] |= changed & (result.pitches[:, step] != REST)
    slots.band[bar], slots.band_onset[bar] = pitches, onsets


def slots_to_grid(slots: F.BarSlots, grid: Grid) -> Grid:
    """Copy the band of bar slots back into a grid's step arrays."""
    out = Grid(grid.melody, grid.melody_onset, np.full_like(grid.band, -1),
               np.zeros_like(grid.band_onset), grid.bar_start, grid.bar_len, grid.meter_code)
    for bar in range(grid.bars):
        span = grid.bar_slice(bar)
        length = span.stop - span.start
        out.band[:, span] = slots.band[bar, :, :length]
        out.band_onset[:, span] = slots.band_onset[bar, :, :length]
    return out


def grid_voices(grid: Grid) -> list[list[Note]]:
    """The band of a grid as notes per voice; notes end at bar lines, downbeats accented."""
    voices: list[list[Note]] = [[] for _ in range(grid.band.shape[0])]
    for bar in range(grid.bars):
        span = grid.bar_slice(bar)
        bar_notes = bar_voices(grid.band[:, span], grid.band_onset[:, span], span.start)
        for voice, notes in enumerate(bar_notes):
            voices[voice].extend(notes)
    return voices


def accompany_piece(generator: BarGenerator, piece: Piece, mode: str = "offline",
                    seed: int = 0, planner: HarmonyPlanner | None = None,
                    chart: ChordChart | None = None) -> Accompaniment:
    """Accompany a piece's melody (any band it has is ignored); live mode listens through
    ``planner`` when one is given; a ``chart``'s chords are played instead of any plan."""
    melody_only = Piece(piece.melody, [], piece.bars, piece.name)
    grid = grid_from_piece(melody_only)
    charted = chords_by_step(chart, piece.bars, grid.steps) if chart else None
    given: list[tuple[int, Chord]] = []
    grid = accompany_grid(generator, grid, mode, seed, planner, charted, given)
    chords = [(step / STEPS_PER_QUARTER, chord.name) for step, chord in given]
    return Accompaniment(grid, grid_voices(grid), chords)
