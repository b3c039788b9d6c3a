"""The causal band: at each decision point, the next bar from the bars played so far."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coperformer.music import features as F
from coperformer.music.features import BarGenerator
from coperformer.music.meter import Meter
from coperformer.music.notes import Bar, Note, Piece
from coperformer.music.roll import bar_voices, grid_from_piece

WINDOW = F.CONTEXT_BARS + 1


@dataclass
class BarRequest:
    """What the worker knows at a decision point."""

    bar: int  # the bar to generate (>= 1)
    meters: list[Meter]  # meters of bars bar-WINDOW+1 .. bar (oldest first; may be fewer)
    melody: list[Note]  # the player's notes, quarters relative to the window's first bar


class LiveBand:
    """Keeps the band it played and the melody's pitch-class history between bars (worker
    thread only, like the session that owns it)."""

    def __init__(self, generator: BarGenerator, seed: int = 0):
        self.generator = generator
        self.rng = np.random.default_rng(seed)
        self._band: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._pc_by_bar: dict[int, np.ndarray] = {}  # bars still inside the window
        self._settled = np.zeros(F.PROFILE_SIZE, np.float32)  # every bar before the window

    def next_bar(self, request: BarRequest) -> list[list[Note]]:
        """Band notes per voice for ``request.bar``, in quarters from that bar's start."""
        first = request.bar - len(request.meters) + 1
        bars, position = [], 0.0
        for meter in request.meters:
            bars.append(Bar(position, meter))
            position += meter.bar_quarters
        grid = grid_from_piece(Piece(request.melody, [], bars))
        slots = F.slots_from_grid(grid)
        for offset in range(len(request.meters) - 1):
            stored = self._band.get(first + offset)
            if stored is not None:
                slots.band[offset], slots.band_onset[offset] = stored
        per_bar = F.bar_pitch_classes(slots)
        for offset in range(len(request.meters) - 1):
            self._pc_by_bar[first + offset] = per_bar[offset]
        for old in [b for b in self._pc_by_bar if b < first]:
            self._settled = self._settled + self._pc_by_bar.pop(old)
        history = sum(self._pc_by_bar.values(), self._settled)
        padded = _pad_front(slots, WINDOW - len(request.meters))
        last = WINDOW - 1
        context = padded.take(np.arange(last - F.CONTEXT_BARS, last))
        result = self.generator.generate(context, padded.take(np.array([last])), False,
                                         self.rng, F.normalize_profile(history))
        self._band[request.bar] = (result.pitches, result.onsets)
        self._band.pop(request.bar - WINDOW, None)
        length = int(grid.bar_len[-1])
        return bar_voices(result.pitches[:, :length], result.onsets[:, :length])


def _pad_front(slots: F.BarSlots, missing: int) -> F.BarSlots:
    index = np.concatenate([np.full(missing, -1), np.arange(slots.meter.shape[0])])
    return slots.take(index)
