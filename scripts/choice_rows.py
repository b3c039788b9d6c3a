"""The line the choice scripts print for one setting: per set of tunes, note-in-chord / root
agreement with the human chords (nan without them) / chord changes per bar."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from coperformer.music.chord_metrics import ChordTally, Declared


def set_figures(tunes, declare: Callable) -> dict:
    """The chord figures of ``declare(grid)`` (its declared chords) over (grid, labels) tunes."""
    tally = ChordTally()
    for grid, labels in tunes:
        tally.add(grid, declare(grid), None if labels is None else Declared.from_labels(labels))
    return tally.figures()


def setting_row(sets: dict, declare: Callable) -> str:
    """Every set's note-in-chord / root agreement / changes per bar, joined by " | "."""
    row = []
    for name, tunes in sets.items():
        f = set_figures(tunes, declare)
        root = f.get("root_agreement", np.nan)
        row.append(f"{name}: {100 * f['note_in_chord']:.1f} / {100 * root:.1f} / "
                   f"{f['changes_per_bar']:.2f}")
    return " | ".join(row)
