"""Small melodies on the grid for the music core's tests."""

from coperformer.music.meter import Meter
from coperformer.music.notes import Note, Piece, bars_for
from coperformer.music.roll import Grid, grid_from_piece


def melody_grid(pitches_per_bar: list[list[int]]) -> Grid:
    """A 4/4 melody grid: each bar's pitches share the bar equally."""
    notes = []
    for bar, pitches in enumerate(pitches_per_bar):
        length = 4 / len(pitches)
        notes += [Note(p, bar * 4 + i * length, bar * 4 + (i + 1) * length)
                  for i, p in enumerate(pitches)]
    return grid_from_piece(Piece(notes, [], bars_for(Meter(4, 4), 4 * len(pitches_per_bar))))
