"""An accompaniment as it is written out: the melody's grid with the band filled in, the band
as notes per voice, and the chords it was given (the engine's session makes it, live or with
the melody known ahead: model/live_engine.py)."""

from __future__ import annotations

from dataclasses import dataclass

from coperformer.music.notes import Note
from coperformer.music.roll import Grid, bar_voices

RECENT_PATTERNS = 64  # the live band avoids repeating any of its last 64 bars exactly


@dataclass
class Accompaniment:
    """The result: the grid with the band filled in, and the band as notes per voice."""

    grid: Grid
    voices: list[list[Note]]
    chords: list[tuple[float, str]]  # (quarters, name): each chord the band was given


def grid_voices(grid: Grid) -> list[list[Note]]:
    """The band of a grid as notes per voice; notes end at bar lines, downbeats accented."""
    voices: list[list[Note]] = [[] for _ in range(grid.band.shape[0])]
    for bar in range(grid.bars):
        span = grid.bar_slice(bar)
        bar_notes = bar_voices(grid.band[:, span], grid.band_onset[:, span], span.start)
        for voice, notes in enumerate(bar_notes):
            voices[voice].extend(notes)
    return voices
