"""The causal band: at each decision point, the next bar from the bars played so far."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from coperformer.music import features as F
from coperformer.music.accompany import RECENT_PATTERNS
from coperformer.music.features import BarGenerator
from coperformer.music.harmony import Key, estimate_key
from coperformer.music.listening import MEMORY_BARS, Chord, HarmonyPlanner
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
    declared: Chord | None = None  # the chord the left hand holds (it wins over the plan)


class LiveBand:
    """Keeps the band it played and the melody's history between bars; plans, then plays.

    With a ``planner`` the band listens: before each bar it plans a chord from everything the
    player played (phrase memory included) and the GAN plays that chord. Worker thread only,
    like the session that owns it.
    """

    def __init__(self, generator: BarGenerator, seed: int = 0,
                 planner: HarmonyPlanner | None = None):
        self.generator = generator
        self.planner = planner
        self.rng = np.random.default_rng(seed)
        self._melody: dict[int, np.ndarray] = {}  # the player's bars as steps, the last 64
        self._played: deque[bytes] = deque(maxlen=RECENT_PATTERNS)
        self._band: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._pc_by_bar: dict[int, np.ndarray] = {}  # bars still inside the window
        self._settled = np.zeros(F.PROFILE_SIZE, np.float32)  # every bar before the window
        self.chord: Chord | None = None  # the chord planned for the last bar decided

    def set_adventure(self, value: float) -> None:
        """Safe (0) .. adventurous (1) harmony from the next bar planned (worker thread)."""
        if self.planner is not None:
            self.planner.adventure = min(1.0, max(0.0, value))

    def next_bar(self, request: BarRequest) -> list[list[Note]]:
        """Band notes per voice for ``request.bar``, in quarters from that bar's start."""
        first = request.bar - len(request.meters) + 1
        grid = _grid(request)
        slots = F.slots_from_grid(grid)
        for offset in range(len(request.meters) - 1):
            stored = self._band.get(first + offset)
            if stored is not None:
                slots.band[offset], slots.band_onset[offset] = stored
        listening = self._listens(request, grid)
        if listening:  # (a bar longer than the model's 16 steps is split: no plan, no memory)
            self._remember_melody(grid, first, len(request.meters) - 1)
        per_bar = F.bar_pitch_classes(slots)
        for offset in range(len(request.meters) - 1):
            self._pc_by_bar[first + offset] = per_bar[offset]
        for old in [b for b in self._pc_by_bar if b < first]:
            self._settled = self._settled + self._pc_by_bar.pop(old)
        history = sum(self._pc_by_bar.values(), self._settled)
        padded = _pad_front(slots, WINDOW - len(request.meters))
        last = WINDOW - 1
        context = padded.take(np.arange(last - F.CONTEXT_BARS, last))
        chord = self.planner.plan(self._recent_melody(request.bar), request.bar) \
            if listening else None
        if request.declared is not None:  # the left hand's chord, under the player
            chord = replace(request.declared, ceiling=chord.ceiling if chord else None)
        self.chord = chord
        if listening and chord is None:  # nothing heard yet, or the player stopped: listen
            return [[] for _ in range(slots.band.shape[1])]
        result = self.generator.generate(context, padded.take(np.array([last])), False,
                                         self.rng, F.normalize_profile(history), chord,
                                         frozenset(self._played))
        self._played.append(result.key())
        self._band[request.bar] = (result.pitches, result.onsets)
        self._band.pop(request.bar - WINDOW, None)
        length = int(grid.bar_len[-1])
        return bar_voices(result.pitches[:, :length], result.onsets[:, :length])

    def heard_key(self) -> Key:
        """The key of everything the player played so far (worker thread)."""
        return estimate_key(sum(self._pc_by_bar.values(), self._settled))

    def preview(self, request: BarRequest) -> Chord | None:
        """The chord the band would plan for ``request.bar`` from what was heard so far; it
        changes nothing (worker thread)."""
        grid = _grid(request)
        if request.declared is not None:
            return request.declared
        if not self._listens(request, grid):
            return None
        first = request.bar - len(request.meters) + 1
        heard = {first + offset: grid.melody[grid.bar_slice(offset)]
                 for offset in range(len(request.meters) - 1)}
        return self.planner.plan(self._recent_melody(request.bar, heard), request.bar,
                                 commit=False)

    def _listens(self, request: BarRequest, grid) -> bool:
        return self.planner is not None and len(request.meters) == grid.bars

    def _remember_melody(self, grid, first: int, count: int) -> None:
        for offset in range(count):
            self._melody[first + offset] = grid.melody[grid.bar_slice(offset)].copy()
        for old in [b for b in self._melody if b < first + count - MEMORY_BARS]:
            del self._melody[old]

    def _recent_melody(self, bar: int, newer: dict[int, np.ndarray] | None = None,
                       ) -> list[np.ndarray]:
        """The player's last MEMORY_BARS bars before ``bar`` (unheard bars are empty); bars in
        ``newer`` replace the remembered ones."""
        empty = np.zeros(0, np.int16)
        known = {**self._melody, **(newer or {})}
        return [known.get(index, empty) for index in range(max(0, bar - MEMORY_BARS), bar)]


def _grid(request: BarRequest):
    """The request's melody on the model's grid."""
    bars, position = [], 0.0
    for meter in request.meters:
        bars.append(Bar(position, meter))
        position += meter.bar_quarters
    return grid_from_piece(Piece(request.melody, [], bars))


def _pad_front(slots: F.BarSlots, missing: int) -> F.BarSlots:
    index = np.concatenate([np.full(missing, -1), np.arange(slots.meter.shape[0])])
    return slots.take(index)
