"""The whole melody known ahead (an offline accompaniment of a file): the band hears each bar
it plays before it plays it, as `accompany --mode offline` lets it (pure; worker thread)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coperformer.music.roll import REST, Grid


@dataclass(frozen=True)
class KnownMelody:
    """The melody's steps from the session's bar 0 on, in bars of ``bar_steps``."""

    melody: np.ndarray  # pitch per step, REST where none
    onset: np.ndarray  # a note starts on the step
    bar_steps: int

    @classmethod
    def from_grid(cls, grid: Grid, offset: int, bar_steps: int) -> KnownMelody:
        """``grid``'s melody with its step 0 ``offset`` steps into the session's bar 0 (where
        a pickup ends on the first bar line)."""
        melody = np.concatenate([np.full(offset, REST, grid.melody.dtype), grid.melody])
        onset = np.concatenate([np.zeros(offset, bool), grid.melody_onset])
        return cls(melody, onset, bar_steps)

    def bar(self, bar: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """The first ``steps`` steps of session ``bar``: pitches and onsets (rests past the
        end)."""
        start = bar * self.bar_steps
        pitches = np.full(steps, REST, self.melody.dtype)
        onsets = np.zeros(steps, bool)
        have = self.melody[start : start + steps]
        pitches[: len(have)], onsets[: len(have)] = have, self.onset[start : start + steps]
        return pitches, onsets
