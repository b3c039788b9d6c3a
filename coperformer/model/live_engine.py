"""The band through the engine itself: a melody played into a real session (the engine's
LiveBand and its listening planner, the shipped GAN) driven by a virtual clock, its decided
chords and band notes read back onto the melody's grid. Offline, the whole tune is harmonized
first and the session plays those chords as a chart, the melody known ahead.

A tune in a meter the live transport does not keep (5/8, 9/8...) is played in 4/4, as
`coperformer play` plays such a file; a pickup ends on the first bar line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.intents import Intent
from coperformer.engine.known_melody import KnownMelody
from coperformer.engine.live_band import LiveBand
from coperformer.engine.recorder import Recorder
from coperformer.engine.runner import run_virtual
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import BAND_CHANNELS, MemorySink
from coperformer.engine.take import Recording
from coperformer.music.accompany import Accompaniment, grid_voices
from coperformer.music.beat_harmonizer import changes_by_step
from coperformer.music.chord_chart import Chart, ChordChart, StepChart, chords_by_step
from coperformer.music.chord_metrics import Declared
from coperformer.music.chord_model import ChordModel, grid_beat_steps, grid_halves
from coperformer.music.chord_type import Chord
from coperformer.music.features import BarGenerator
from coperformer.music.listening import CHANGE_EVERY, HarmonyPlanner
from coperformer.music.meter import (
    COMMON_TIME,
    METER_CODES,
    STEPS_PER_QUARTER,
    SUPPORTED_METERS,
    Meter,
)
from coperformer.music.notes import Piece
from coperformer.music.roll import REST, Grid, grid_from_piece

BPM = 120  # the evaluation's tempo (its melodies carry none that means anything)
TAIL_BARS = 2
COUNT_IN = 1  # `play`'s: a chart's first bar is decided in it and played from bar 0


@dataclass
class DecidingPlanner(HarmonyPlanner):
    """The listening planner, remembering every chord it decided: planned at the decision, or
    a preview's that the decision took as it was."""

    decided: dict[int, Chord | None] = field(default_factory=dict)
    previewed: dict[int, Chord | None] = field(default_factory=dict)
    parts: dict[tuple[int, int], Chord] = field(default_factory=dict)  # (bar, step) -> the
    # chord decided from that step on (a beat's or the half's)

    def plan(self, recent: list[np.ndarray], now: int, commit: bool = True,
             beat: int = STEPS_PER_QUARTER) -> Chord | None:
        """HarmonyPlanner.plan, noting a decided (or previewed) chord (worker thread)."""
        chord = super().plan(recent, now, commit, beat)
        (self.decided if commit else self.previewed)[now] = chord
        if commit:  # a preview not taken
            self.previewed.pop(now, None)
        return chord

    def plan_half(self, recent: list[np.ndarray], now: int, first_half: np.ndarray,
                  commit: bool = True) -> Chord | None:
        """HarmonyPlanner.plan_half, noting a chord decided for a bar's second half (worker
        thread)."""
        chord = super().plan_half(recent, now, first_half, commit)
        if chord is not None and commit:
            self.parts[(now, first_half.shape[0])] = chord
        return chord

    def plan_beat(self, recent: list[np.ndarray], now: int, heard_steps: np.ndarray,
                  beat: int, commit: bool = True) -> Chord | None:
        """HarmonyPlanner.plan_beat, noting a chord decided from a beat on (worker thread)."""
        chord = super().plan_beat(recent, now, heard_steps, beat, commit)
        if chord is not None and commit:
            self.parts[(now, heard_steps.shape[0])] = chord
        return chord

    def remember(self, now: int, index: int) -> None:
        """HarmonyPlanner.remember, noting the preview's chord it commits (worker thread)."""
        super().remember(now, index)
        if now in self.previewed:
            self.decided[now] = self.previewed.pop(now)


def _meter(grid: Grid) -> Meter:
    """The meter the live transport keeps for the tune (a bar the model reads as "other":
    the kept meter of its length, 2/4 or 3/8; any other meter it does not keep: 4/4)."""
    bar = min(1, grid.bars - 1)
    name = METER_CODES[int(grid.meter_code[bar])]
    if name != "other":
        return Meter.parse(name) if name in SUPPORTED_METERS else COMMON_TIME
    others = [Meter.parse(kept) for kept in SUPPORTED_METERS if kept not in METER_CODES]
    return next((m for m in others if m.bar_steps == int(grid.bar_len[bar])), COMMON_TIME)


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


@dataclass
class _Performance:
    """A melody played into a session (see ``perform``)."""

    session: Session
    sink: MemorySink
    planner: DecidingPlanner
    recording: Recording
    at: Callable[[int], int]  # a melody step -> its time in the session
    step_ns: int

    def step(self, time_ns: int) -> int:
        """The melody step of a time in the session (any thread)."""
        return int(round((time_ns - self.at(0)) / self.step_ns))


def perform(generator: BarGenerator, chords: ChordModel, grid: Grid, seed: int = 0,
            adventure: float = 0.5, chart: Chart | None = None,
            bpm: float = BPM, known: bool = False, previews: bool = False,
            every: str = CHANGE_EVERY[0], intents: tuple[tuple[int, Intent], ...] = ()
            ) -> _Performance:
    """The melody of ``grid`` played live at ``bpm`` into a session of its own in virtual
    time, as a player would play it (caller's thread): the engine's own band decides every
    bar. The tempo matters: a note still sounding at a decision is heard up to then. With
    the melody ``known`` ahead the band hears each bar before it plays it and plays the
    chart's chords (an offline accompaniment). The coming bar's ``previews`` (the window's, at
    each beat) draw what the decision draws from the same input, so they change no note: off,
    they are not computed. ``every``: how often the band may change chord (a beat, a half
    bar, a bar).
    ``intents``: (melody step, intent) the player asks for when the melody reaches that step
    (a knob turned while playing)."""
    step_ns = round(NS_PER_S * 60 / bpm / STEPS_PER_QUARTER)
    meter = _meter(grid)
    bar_steps = meter.bar_steps
    offset = pickup_offset(grid, bar_steps)
    clock = VirtualClock()
    planner = DecidingPlanner(chords, adventure, seed=seed)
    band = LiveBand(generator, seed, planner) if not known else \
        LiveBand(generator, seed, known=KnownMelody.from_grid(grid, offset, bar_steps))
    sink, recorder = MemorySink(), Recorder()
    config = SessionConfig(bpm=bpm, meter=meter, count_in=COUNT_IN, metronome=False, seed=seed,
                           chart=chart, previews=previews, chords_every=every)
    session = Session(config, band, [sink], clock, generator.track_names, generator.programs,
                      recorder)
    bar0 = session.start()
    at = lambda step: bar0 + (step + offset) * step_ns  # noqa: E731 - the melody's clock
    events = sorted([(at(s), 1, NOTE_ON, p) for s, _, p in _notes(grid)]
                    + [(at(e) - 1, 0, NOTE_OFF, p) for _, e, p in _notes(grid)]
                    + [(at(s), -1, index, 0) for index, (s, _) in enumerate(intents)])
    for when, order, kind, pitch in events:
        run_virtual(session, clock, when)
        if order < 0:
            session.request(intents[kind][1])
            continue
        session.feed(InputEvent(when, kind, pitch, 80 if kind == NOTE_ON else 0,
                                raw=(0x90 if kind == NOTE_ON else 0x80, pitch, 80)))
    run_virtual(session, clock, at(grid.steps) + TAIL_BARS * bar_steps * step_ns)
    session.stop()
    return _Performance(session, sink, planner, recorder.recording, at, step_ns)


def pickup_offset(grid: Grid, bar_steps: int) -> int:
    """Where the melody's step 0 falls in the session's bar 0: a pickup ends on the first
    bar line."""
    pickup = grid.bars > 1 and grid.bar_len[0] < grid.bar_len[1]
    return (bar_steps - int(grid.bar_len[0])) % bar_steps if pickup else 0


def engine_live(generator: BarGenerator, chords: ChordModel, grid: Grid, seed: int = 0,
                adventure: float = 0.5, every: str = CHANGE_EVERY[0]) -> tuple[Grid, Declared]:
    """The melody of ``grid`` played live into a session; the band (as a grid) and the chords
    it decided, per step of the melody (caller's thread; a session of its own)."""
    done = perform(generator, chords, grid, seed, adventure, every=every)
    return _band_grid(grid, done), _declared(grid, done)


def live_accompaniment(generator: BarGenerator, chords: ChordModel, piece: Piece,
                       seed: int = 0, adventure: float = 0.5,
                       chart: ChordChart | None = None, bpm: float = BPM,
                       every: str = CHANGE_EVERY[0]) -> Accompaniment:
    """`accompany --mode live`: the piece's melody played at ``bpm`` into the engine's live
    band (the code the player hears; `play` of the same file at its tempo decides the same),
    a chord at most ``every`` beat, half bar or bar, its band and chord markers read back
    (caller's thread)."""
    grid = grid_from_piece(Piece(piece.melody, [], piece.bars, piece.name))
    done = perform(generator, chords, grid, seed, adventure, chart, bpm, every=every)
    band = _band_grid(grid, done)
    markers = [(done.step(time_ns) / STEPS_PER_QUARTER, name)
               for time_ns, name in done.recording.chords if 0 <= done.step(time_ns) < grid.steps]
    return Accompaniment(band, grid_voices(band), markers)



def offline_accompaniment(generator: BarGenerator, chords: ChordModel, piece: Piece,
                          seed: int = 0, adventure: float = 0.5,
                          chart: ChordChart | None = None,
                          every: str = CHANGE_EVERY[0]) -> Accompaniment:
    """`accompany --mode offline`: the whole melody harmonized first (a chord may change at
    ``every`` beat, half bar or bar), or ``chart``'s chords, then played into the engine's band
    with the melody known ahead, each bar voiced by the GAN as it hears that bar (caller's
    thread)."""
    grid = grid_from_piece(Piece(piece.melody, [], piece.bars, piece.name))
    by_step = chords_by_step(chart, piece.bars, grid.steps) if chart else \
        harmonized_steps(HarmonyPlanner(chords, adventure, seed=seed), grid, every)
    band = _known_band(generator, chords, grid, by_step, seed, adventure)
    return Accompaniment(band, grid_voices(band), [
        (step / STEPS_PER_QUARTER, chord.name) for step, chord in _given(grid, by_step)])


def engine_offline(generator: BarGenerator, chords: ChordModel, grid: Grid, seed: int = 0,
                   adventure: float = 0.5) -> tuple[Grid, Declared]:
    """The evaluation's offline band: the band (as a grid) and the chords it was given, per
    step of the melody (caller's thread)."""
    by_step = harmonized_steps(HarmonyPlanner(chords, adventure, seed=seed), grid)
    declared = Declared.empty(grid.steps)
    for step, chord in enumerate(by_step):
        if chord is not None and not chord.rests:
            declared.set(slice(step, step + 1), chord.root, chord.pitch_classes)
    return _known_band(generator, chords, grid, by_step, seed, adventure), declared


def harmonized_steps(planner: HarmonyPlanner, grid: Grid,
                     every: str = CHANGE_EVERY[0]) -> list[Chord | None]:
    """The planner's harmonization of the grid's whole melody as a chord per step (a silent
    bar keeps the chord before; None before the first); the chord may change at ``every``
    beat, half bar or bar (``CHANGE_EVERY``)."""
    bars = [grid.melody[grid.bar_slice(bar)] for bar in range(grid.bars)]
    cuts = None if every == "beat" else [(0,) if every == "bar" or half is None else (0, half)
                                         for half in grid_halves(grid)]
    changes = planner.harmonize(bars, grid_beat_steps(grid), cuts)
    return changes_by_step(grid.bar_start, grid.steps, changes, None)


def _known_band(generator: BarGenerator, chords: ChordModel, grid: Grid,
                by_step: list[Chord | None], seed: int, adventure: float) -> Grid:
    """The band the engine plays on ``by_step``'s chords with the melody known ahead."""
    bar_steps = _meter(grid).bar_steps
    chart = StepChart.from_steps(by_step, pickup_offset(grid, bar_steps), bar_steps)
    return _band_grid(grid, perform(generator, chords, grid, seed, adventure, chart,
                                    known=True))


def _given(grid: Grid, by_step: list[Chord | None]) -> list[tuple[int, Chord]]:
    """(first step, chord) of each chord given: at each change, and again at each bar line."""
    starts = {int(start) for start in grid.bar_start}
    return [(step, chord) for step, chord in enumerate(by_step) if chord is not None and (
        step in starts or step == 0 or chord != by_step[step - 1])]


def _declared(grid: Grid, done: _Performance) -> Declared:
    """The chords the band decided, per step of the melody: each bar's from its downbeat, a
    beat's or a second half's from there to the bar's end (a later one overrides it)."""
    out = Declared.empty(grid.steps)
    transport = done.session.transport
    for bar, chord in done.planner.decided.items():
        _declare(out, chord, done.step(transport.bar_start_ns(bar)),
                 done.step(transport.bar_start_ns(bar + 1)))
    for (bar, step), chord in sorted(done.planner.parts.items()):
        _declare(out, chord, done.step(transport.ns_at_quarters(bar, step / STEPS_PER_QUARTER)),
                 done.step(transport.bar_start_ns(bar + 1)))
    return out


def _declare(out: Declared, chord: Chord | None, start: int, stop: int) -> None:
    """``chord`` over steps ``start``..``stop`` (clipped to the melody; none for a rest)."""
    start, stop = max(0, start), min(out.root.shape[0], stop)
    if chord is not None and not chord.rests and start < stop:
        out.set(slice(start, stop), chord.root, chord.pitch_classes)


def _band_grid(grid: Grid, done: _Performance) -> Grid:
    band = np.full_like(grid.band, REST)
    onsets = np.zeros_like(grid.band_onset)
    for note in done.sink.scheduled:
        if note.channel not in BAND_CHANNELS:
            continue
        voice = BAND_CHANNELS.index(note.channel)
        start, stop = max(0, done.step(note.on_ns)), min(grid.steps, done.step(note.off_ns))
        if start < stop:
            band[voice, start:stop] = note.pitch
            onsets[voice, start] = True
    return Grid(grid.melody, grid.melody_onset, band, onsets, grid.bar_start, grid.bar_len,
                grid.meter_code)
