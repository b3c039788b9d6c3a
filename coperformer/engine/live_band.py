"""The causal band: at each decision point, the next bar from the bars played so far."""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from coperformer.engine.bar_request import WINDOW, BarRequest
from coperformer.engine.known_melody import KnownMelody
from coperformer.music import features as F
from coperformer.music.accompany import RECENT_PATTERNS
from coperformer.music.chord_type import Chord
from coperformer.music.endings import ending_key
from coperformer.music.features import BarGenerator
from coperformer.music.harmony import Key
from coperformer.music.listening import MEMORY_BARS, HarmonyPlanner, register_ceiling
from coperformer.music.notes import Note
from coperformer.music.roll import Grid, bar_voices


@dataclass(frozen=True)
class BarPlan:
    """A decided bar: the chord the band plays (None: none planned) and its notes per voice,
    in quarters from the bar's start."""

    chord: Chord | None
    voices: list[list[Note]]


class LiveBand:
    """Keeps the band it played and the melody's history between bars; plans, then plays.

    With a ``planner`` the band listens: before each bar it plans a chord from everything the
    player played (phrase memory included) and the GAN plays that chord. With the melody
    ``known`` ahead (an offline accompaniment of a file) it hears each bar it plays, plays the
    declared chords (a harmonization's) under that bar's melody, and the GAN draws as offline.
    Worker thread only, like the session that owns it.
    """

    def __init__(self, generator: BarGenerator, seed: int = 0,
                 planner: HarmonyPlanner | None = None, floating: frozenset[int] = frozenset(),
                 known: KnownMelody | None = None):
        self.generator = generator
        self.planner = planner
        self.known = known
        self.floating = floating  # upper voices (0 = top) that keep above the player
        self.rng = np.random.default_rng(seed)
        self._melody: dict[int, np.ndarray] = {}  # the player's bars as steps, the last 64
        self._played: deque[bytes] = deque(maxlen=RECENT_PATTERNS)
        self._band: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._pc_by_bar: dict[int, np.ndarray] = {}  # bars still inside the window
        self._settled = np.zeros(F.PROFILE_SIZE, np.float32)  # every bar before the window
        self.chord: Chord | None = None  # the chord planned for the last bar decided
        self.resting = False  # the last bar decided rests: nothing heard, or the player stopped
        self._state = 0  # counts the changes a plan depends on (decisions, re-plans, settings)
        self._ahead: _Ahead | None = None  # the last provisional plan, kept for reuse
        self.reused = 0  # decisions that took their provisional plan as it was

    def set_generator(self, generator: BarGenerator) -> None:
        """Another style's generator plays from the next bar decided; a plan the old one made
        is not played (worker thread)."""
        self.generator = generator
        self._state += 1

    def set_adventure(self, value: float) -> None:
        """Safe (0) .. adventurous (1) harmony from the next bar planned (worker thread)."""
        if self.planner is not None:
            self.planner.adventure = min(1.0, max(0.0, value))
            self._state += 1

    def set_floating(self, voice: int, floating: bool) -> None:
        """An upper voice keeps above the player (or under, the default) from the next bar
        planned (worker thread)."""
        self.floating = self.floating | {voice} if floating else self.floating - {voice}
        self._state += 1

    def next_bar(self, request: BarRequest, late: bool = False) -> BarPlan:
        """The chord and band notes of ``request.bar``. The
        provisional plan of the same bar is taken as it is when nothing new was heard since
        (the same draws, so the same notes), or when the decision is ``late``: a bar planned a
        beat ago rather than notes dropped."""
        ahead = self._ahead
        self._ahead = None
        if ahead is not None and ahead.state == self._state and ahead.bar == request.bar and (
                late or ahead.key == self._key(request)):
            self.reused += 1
            return BarPlan(ahead.chord, self._commit(ahead))
        self._state += 1
        window = self._window(request)
        if window.listening:  # (a bar longer than 16 steps is split: no plan, no memory)
            self._remember_melody(window.grid, window.first, len(request.meters) - 1)
        self._pc_by_bar, self._settled = window.pc_by_bar, window.settled
        chord = self.planner.plan(self._recent_melody(request.bar), request.bar,
                                  beat=request.meters[-1].beat_steps) \
            if window.listening else self._known_chord(request)
        chord = self.chord = _with_declared(chord, request.declared, self.floating)
        self.resting = window.listening and chord is None
        if _silent(window, chord):
            return BarPlan(chord, [[] for _ in range(F.BAND_VOICES)])
        result = self._generate(window, chord, self.rng)
        self._played.append(result.key())
        self._band[request.bar] = (result.pitches, result.onsets)
        self._band.pop(request.bar - WINDOW, None)
        return BarPlan(chord, _voices(result, window))

    def replan(self, request: BarRequest) -> BarPlan:
        """``request.bar`` again, under the chord the left hand now holds, keeping the bar's
        register (the bar being played follows it from its next beat; worker thread)."""
        window = self._window(request)
        base = self._known_chord(request) if self.known else self.chord
        chord = self.chord = _with_declared(base, request.declared, self.floating)
        if chord is not None and chord.rests:  # a chart's N.C.: the rest of the bar is silent
            return BarPlan(chord, [[] for _ in range(F.BAND_VOICES)])
        self._state += 1
        result = self._generate(window, chord, self.rng)
        self._band[request.bar] = (result.pitches, result.onsets)
        return BarPlan(chord, _voices(result, window))

    def from_step(self, request: BarRequest, step: int) -> BarPlan | None:
        """``request.bar`` again from ``step`` on (its half, or a beat), under the chord the
        planner takes there from what was heard of the bar before it, keeping the bar's
        register; None when the bar keeps its chord (no plan of its own, or the likeliest is
        the same; worker thread)."""
        window = self._window(request)
        if not window.listening or self.known is not None or self.chord is None \
                or request.declared is not None:
            return None
        grid, last = window.grid, len(request.meters) - 1
        heard = {window.first + offset: grid.melody[grid.bar_slice(offset)]
                 for offset in range(last)}
        recent, before = self._recent_melody(request.bar, heard), \
            grid.melody[grid.bar_slice(last)][:step]
        chord = self.planner.plan_half(recent, request.bar, before) \
            if self.planner.every == "half" else \
            self.planner.plan_beat(recent, request.bar, before, request.meters[-1].beat_steps)
        self._state += 1  # the planner heard the chord of this beat (a preview asks again)
        if chord is None:
            return None
        chord = self.chord = _with_declared(chord, None, self.floating)
        self._state += 1
        result = self._generate(window, chord, self.rng)
        self._band[request.bar] = (result.pitches, result.onsets)
        return BarPlan(chord, _voices(result, window))

    def provisional(self, request: BarRequest) -> tuple[Chord | None, list[list[Note]]]:
        """The chord and notes the band would play in ``request.bar`` from what was heard so
        far; it changes nothing, and draws what next_bar would draw from the same input. The
        last one is kept: asked again with nothing new heard, it is not computed again
        (worker thread)."""
        key = self._key(request)
        ahead = self._ahead
        if ahead is not None and ahead.state == self._state and ahead.key == key:
            return ahead.chord, ahead.voices
        window = self._window(request)
        planned = self._preview(request, window.grid)
        choice = self.planner.last_choice if planned is not None else None
        planned = planned if window.listening else self._known_chord(request)
        chord = _with_declared(planned, request.declared, self.floating)
        rng = _copy_of(self.rng)
        result = None if _silent(window, chord) else self._generate(window, chord, rng)
        voices = [[] for _ in range(F.BAND_VOICES)] if result is None else _voices(result, window)
        self._ahead = _Ahead(request.bar, key, self._state, window, chord, choice, result, rng,
                             voices)
        return chord, voices

    def _commit(self, ahead: _Ahead) -> list[list[Note]]:
        """Play a provisional plan: what next_bar would have done with the same input."""
        window = ahead.window
        if window.listening:
            self._remember_melody(window.grid, window.first, window.grid.bars - 1)
        self._pc_by_bar, self._settled = window.pc_by_bar, window.settled
        if ahead.choice is not None:
            self.planner.remember(ahead.bar, ahead.choice)
        self.chord = ahead.chord
        self.resting = window.listening and ahead.chord is None
        self._state += 1
        if ahead.result is None:
            return ahead.voices
        self.rng = ahead.rng
        self._played.append(ahead.result.key())
        self._band[ahead.bar] = (ahead.result.pitches, ahead.result.onsets)
        self._band.pop(ahead.bar - WINDOW, None)
        return ahead.voices

    def _window(self, request: BarRequest) -> _Window:
        """The model's view of the request: slots with the band played, the pitch-class
        history with the request's bars in it; no state changes."""
        first = request.bar - len(request.meters) + 1
        grid = request.heard if self.known is None else self._known_grid(request, first)
        slots = F.slots_from_grid(grid)
        for offset in range(len(request.meters) - 1):
            stored = self._band.get(first + offset)
            if stored is not None:
                slots.band[offset], slots.band_onset[offset] = stored
        pc_by_bar, settled = dict(self._pc_by_bar), self._settled
        per_bar = F.bar_pitch_classes(slots)
        for offset in range(len(request.meters) - 1):
            pc_by_bar[first + offset] = per_bar[offset]
        for old in [b for b in pc_by_bar if b < first]:
            settled = settled + pc_by_bar.pop(old)
        padded = _pad_front(slots, WINDOW - len(request.meters))
        return _Window(grid, first, self._listens(request, grid), pc_by_bar, settled, padded)

    def _generate(self, window: _Window, chord: Chord | None, rng: np.random.Generator):
        last = WINDOW - 1
        history = sum(window.pc_by_bar.values(), window.settled)
        return self.generator.generate(
            window.padded.take(np.arange(last - F.CONTEXT_BARS, last)),
            window.padded.take(np.array([last])), self.known is not None, rng,
            F.normalize_profile(history), chord, frozenset(self._played))

    def _known_grid(self, request: BarRequest, first: int) -> Grid:
        """The window's bars as the known melody has them, the bar to play too."""
        grid = copy.deepcopy(request.heard)
        start = 0
        for offset, meter in enumerate(request.meters):
            steps = meter.bar_steps
            grid.melody[start : start + steps], grid.melody_onset[start : start + steps] = \
                self.known.bar(first + offset, steps)
            start += steps
        return grid

    def _known_chord(self, request: BarRequest) -> Chord | None:
        """With the melody known: the declared chord under the melody of its own bar (as a
        chart's under the bar heard before it, live); else None."""
        if self.known is None or request.declared is None or request.declared.rests:
            return None
        melody, _ = self.known.bar(request.bar, request.meters[-1].bar_steps)
        return replace(request.declared, ceiling=register_ceiling(melody))

    def _key(self, request: BarRequest) -> tuple:
        """What a plan is made from: the same key, the same plan (with the melody known, what
        was heard of it does not matter)."""
        if self.known is not None:
            return (request.bar, tuple(request.meters), request.declared)
        return (request.bar, tuple(request.meters), request.melody_key, request.declared)

    def heard_key(self, last_pitch: int | None = None) -> Key:
        """The key the player's tune is in, from everything played so far and its last note
        (music/endings.ending_key; worker thread)."""
        return ending_key(sum(self._pc_by_bar.values(), self._settled), last_pitch)

    def preview(self, request: BarRequest) -> Chord | None:
        """The chord the band would plan for ``request.bar`` from what was heard so far; it
        changes nothing (worker thread)."""
        return self._preview(request, request.heard)

    def _preview(self, request: BarRequest, grid: Grid) -> Chord | None:
        """preview() on the request's grid, already made."""
        if not self._listens(request, grid):
            return None
        first = request.bar - len(request.meters) + 1
        heard = {first + offset: grid.melody[grid.bar_slice(offset)]
                 for offset in range(len(request.meters) - 1)}
        return self.planner.plan(self._recent_melody(request.bar, heard), request.bar,
                                 commit=False, beat=request.meters[-1].beat_steps)

    def _listens(self, request: BarRequest, grid: Grid) -> bool:
        return self.planner is not None and len(request.meters) == grid.bars

    def _remember_melody(self, grid: Grid, first: int, count: int) -> None:
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


@dataclass
class _Window:
    """A request as the model sees it (see LiveBand._window)."""

    grid: Grid
    first: int
    listening: bool
    pc_by_bar: dict[int, np.ndarray]
    settled: np.ndarray
    padded: F.BarSlots


@dataclass
class _Ahead:
    """A provisional plan and what it was made from (see LiveBand.provisional)."""

    bar: int
    key: tuple
    state: int
    window: _Window
    chord: Chord | None
    choice: int | None  # the planner's chord index, committed if the plan is played
    result: object  # the generated bar (None: the band rests)
    rng: np.random.Generator  # the draws after it
    voices: list[list[Note]]


def _with_declared(planned: Chord | None, declared: Chord | None,
                   floating: frozenset[int] = frozenset()) -> Chord | None:
    """The left hand's chord wins over the plan, and keeps to the player's register like the
    plan; ``floating`` voices keep above the player."""
    chord = planned if declared is None else replace(
        declared, ceiling=planned.ceiling if planned else None,
        top=planned.top if planned else None)
    return chord if chord is None or not floating else replace(chord, floating=floating)


def _silent(window: _Window, chord: Chord | None) -> bool:
    """The band rests: it listens and heard nothing yet (or the player stopped), or the
    chart says N.C."""
    return window.listening and chord is None or chord is not None and chord.rests


def _voices(result, window: _Window) -> list[list[Note]]:
    """A generated bar as notes per voice, cut to the bar's length."""
    length = int(window.grid.bar_len[-1])
    return bar_voices(result.pitches[:, :length], result.onsets[:, :length])


def _copy_of(rng: np.random.Generator) -> np.random.Generator:
    """A generator that draws what ``rng`` would draw next (rng itself moves on apart)."""
    copy = np.random.Generator(type(rng.bit_generator)())
    copy.bit_generator.state = rng.bit_generator.state
    return copy


def _pad_front(slots: F.BarSlots, missing: int) -> F.BarSlots:
    index = np.concatenate([np.full(missing, -1), np.arange(slots.meter.shape[0])])
    return slots.take(index)
