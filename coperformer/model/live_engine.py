"""The live band measured through the engine itself: a melody played into a real session (the
engine's LiveBand and its listening planner, the shipped GAN) driven by a virtual clock, its
decided chords and band notes read back onto the melody's grid.

A tune in a meter the live transport does not keep (2/4, 3/8) is played in 4/4, as
`coperformer play` plays such a file; a pickup ends on the first bar line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.live_band import LiveBand
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import BAND_CHANNELS, MemorySink
from coperformer.music.chord_metrics import Declared
from coperformer.music.chord_model import ChordModel
from coperformer.music.features import BarGenerator
from coperformer.music.listening import Chord, HarmonyPlanner
from coperformer.music.meter import (
    COMMON_TIME,
    METER_CODES,
    STEPS_PER_QUARTER,
    SUPPORTED_METERS,
    Meter,
)
from coperformer.music.roll import REST, Grid

BPM = 120
STEP_NS = NS_PER_S * 60 // BPM // STEPS_PER_QUARTER
TAIL_BARS = 2


@dataclass
class DecidingPlanner(HarmonyPlanner):
    """The listening planner, remembering every chord it decided (not its previews)."""

    decided: dict[int, Chord | None] = field(default_factory=dict)

    def plan(self, recent: list[np.ndarray], now: int, commit: bool = True) -> Chord | None:
        """HarmonyPlanner.plan, noting a decided chord (worker thread)."""
        chord = super().plan(recent, now, commit)
        if commit:
            self.decided[now] = chord
        return chord


def _meter(grid: Grid) -> Meter:
    code = int(grid.meter_code[min(1, grid.bars - 1)])
    name = METER_CODES[code]
    return Meter.parse(name) if name in SUPPORTED_METERS else COMMON_TIME


def _notes(grid: Grid) -> list[tuple[int, int, int]]:
    """(first step, last step + 1, pitch) of each melody note."""
    out = []
    for start in np.nonzero(grid.melody_onset & (grid.melody != REST))[0]:
        end = start + 1
        while end < grid.steps and grid.melody[end] == grid.melody[start] \
                and not grid.melody_onset[end]:
            end += 1
        out.append((int(start), int(end), int(grid.melody[start])))
    return out


def engine_live(generator: BarGenerator, chords: ChordModel, grid: Grid, seed: int = 0,
                adventure: float = 0.5) -> tuple[Grid, Declared]:
    """The melody of ``grid`` played live into a session; the band (as a grid) and the chords
    it decided, per step of the melody (caller's thread; a session of its own)."""
    meter = _meter(grid)
    bar_steps = meter.bar_steps
    pickup = grid.bars > 1 and grid.bar_len[0] < grid.bar_len[1]
    offset = (bar_steps - int(grid.bar_len[0])) % bar_steps if pickup else 0
    clock = VirtualClock()
    planner = DecidingPlanner(chords, adventure, seed=seed)
    band = LiveBand(generator, seed, planner)
    sink = MemorySink()
    session = Session(SessionConfig(bpm=BPM, meter=meter, count_in=0, metronome=False,
                                    seed=seed), band, [sink], clock,
                      generator.track_names, generator.programs)
    bar0 = session.start()
    at = lambda step: bar0 + (step + offset) * STEP_NS  # noqa: E731 - the melody's clock
    events = sorted([(at(s), 1, NOTE_ON, p) for s, _, p in _notes(grid)]
                    + [(at(e) - 1, 0, NOTE_OFF, p) for _, e, p in _notes(grid)])
    for when, _, kind, pitch in events:
        _run_until(session, clock, when)
        session.feed(InputEvent(when, kind, pitch, 80 if kind == NOTE_ON else 0,
                                raw=(0x90 if kind == NOTE_ON else 0x80, pitch, 80)))
    _run_until(session, clock, at(grid.steps) + TAIL_BARS * bar_steps * STEP_NS)
    session.stop()
    return _band_grid(grid, sink, at), _declared(grid, planner, session, at)


def _run_until(session: Session, clock: VirtualClock, end_ns: int) -> None:
    while clock.now_ns() < end_ns and not session.finished:
        session.poll(clock.now_ns())
        clock.wait_until(min(session.next_deadline(), end_ns))
    session.poll(clock.now_ns())


def _step(at, when: int) -> int:
    return int(round((when - at(0)) / STEP_NS))


def _declared(grid: Grid, planner: DecidingPlanner, session: Session, at) -> Declared:
    out = Declared.empty(grid.steps)
    for bar, chord in planner.decided.items():
        if chord is None or chord.rests:
            continue
        start = max(0, _step(at, session.transport.bar_start_ns(bar)))
        stop = min(grid.steps, _step(at, session.transport.bar_start_ns(bar + 1)))
        if start < stop:
            out.set(slice(start, stop), chord.root, chord.pitch_classes)
    return out


def _band_grid(grid: Grid, sink: MemorySink, at) -> Grid:
    band = np.full_like(grid.band, REST)
    onsets = np.zeros_like(grid.band_onset)
    for note in sink.scheduled:
        if note.channel not in BAND_CHANNELS:
            continue
        voice = BAND_CHANNELS.index(note.channel)
        start, stop = max(0, _step(at, note.on_ns)), min(grid.steps, _step(at, note.off_ns))
        if start < stop:
            band[voice, start:stop] = note.pitch
            onsets[voice, start] = True
    return Grid(grid.melody, grid.melody_onset, band, onsets, grid.bar_start, grid.bar_len,
                grid.meter_code)
