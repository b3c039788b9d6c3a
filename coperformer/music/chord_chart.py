"""A chord chart (pure): a song's chords written as a lead sheet, ``C | Am | F G7 | C``, that
the band plays instead of planning its own (Band-in-a-Box style); the form repeats."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coperformer.common.errors import CoperformerError
from coperformer.music.chord_type import NO_CHORD, QUALITY_TABLE, SUFFIX_OF, Chord
from coperformer.music.harmony import semitones
from coperformer.music.meter import Meter
from coperformer.music.notes import Bar
from coperformer.music.roll import to_step

MAX_CHART_BARS = 512
MAX_CHORDS_PER_BAR = 4
COMMENT = "#"  # a chart line starting with it is a title or a note
REPEAT_BAR = "%"
NO_CHORD_SYMBOLS = ("n.c.", "nc", "n.c")
SYMBOL = re.compile(r"^([A-Ga-g])([#b]?)([^/]*)(?:/([A-Ga-g])([#b]?))?$")
SIXTHS = {"6": (0, 4, 7, 9), "m6": (0, 3, 7, 9)}
ALIASES = {"maj": "", "M": "", "min": "m", "mi": "m", "-": "m", "M7": "maj7", "Maj7": "maj7",
           "-7": "m7", "min7": "m7", "o": "dim", "°": "dim", "o7": "dim7", "°7": "dim7",
           "ø": "m7b5", "ø7": "m7b5", "+": "aug", "sus": "sus4", "dom7": "7"}


def _suffixes() -> dict[str, tuple[int, ...]]:
    """Each written quality's intervals over the root (the first, full spelling per name)."""
    table: dict[str, tuple[int, ...]] = {}
    for quality in QUALITY_TABLE:
        table.setdefault(quality.suffix, quality.intervals)
    table.update(SIXTHS)
    for alias, name in ALIASES.items():
        table[alias] = table[name]
    return table


SUFFIXES = _suffixes()


class ChartError(CoperformerError, ValueError):
    """A chord chart that cannot be read (said in one line, naming the symbol or bar)."""


def parse_chord(symbol: str) -> Chord:
    """One chord symbol (``C``, ``F#m7``, ``Bb/D``, ``Gsus4``, ``Edim``; ``♭`` and ``♯``
    too) as a chord with its bass; its name keeps the root and bass as written (``Db`` stays
    ``Db``), the quality in its usual form (``Cmin7`` reads ``Cm7``). ``N.C.``: no chord."""
    if symbol.lower() in NO_CHORD_SYMBOLS:
        return NO_CHORD
    match = SYMBOL.match(symbol.replace("♭", "b").replace("♯", "#"))
    if not match or match.group(3) not in SUFFIXES:
        raise ChartError(f"not a chord symbol: {symbol!r} (e.g. C, Am, F#m7, Bb/D, Gsus4, N.C.)")
    letter, accidental, quality, bass_letter, bass_accidental = match.groups()
    root = semitones(letter, accidental) % 12
    bass = root if bass_letter is None else semitones(bass_letter, bass_accidental) % 12
    intervals = SUFFIXES[quality]
    pitch_classes = tuple((root + i) % 12 for i in intervals)
    name = letter.upper() + accidental + SUFFIX_OF.get(intervals, quality)
    label = name if bass_letter is None else f"{name}/{bass_letter.upper()}{bass_accidental}"
    return Chord(pitch_classes, bass, label=label)


@dataclass(frozen=True)
class ChordChart:
    """The chart's bars, each one to MAX_CHORDS_PER_BAR chords that share the bar evenly;
    song bar ``n`` plays chart bar ``n`` modulo the chart's length."""

    bars: tuple[tuple[Chord, ...], ...]
    text: str

    def changes(self, bar: int, meter: Meter) -> list[tuple[float, Chord]]:
        """The chords of song ``bar`` as (where each starts, as a share of the bar); chord
        ``i`` of ``n`` starts on beat ``i * beats // n``, or, when the chords outnumber the
        beats, on the bar's eighths (halves of simple beats, thirds of compound ones)."""
        chords = self.bars[bar % len(self.bars)]
        slots = meter.beats_per_bar
        while slots < len(chords):
            slots *= 3 if meter.beat_steps % 3 == 0 else 2
        return [(index * slots // len(chords) / slots, chord)
                for index, chord in enumerate(chords)]

    def chord_at(self, bar: int, share: float, meter: Meter) -> Chord:
        """The chord sounding ``share`` (0..1) of the way through song ``bar``."""
        return [chord for start, chord in self.changes(bar, meter) if start <= share + 1e-9][-1]


@dataclass(frozen=True)
class StepChart:
    """Chords written per grid step from the session's first bar (an offline harmonization
    the band plays as it plays a chart; a stretch without a chord rests): the same reading
    as ChordChart's, ``changes`` and ``chord_at``, for bars of ``bar_steps`` steps."""

    chords: tuple[Chord, ...]  # one a step; NO_CHORD where the band rests
    bar_steps: int

    @classmethod
    def from_steps(cls, by_step: list[Chord | None], offset: int, bar_steps: int) -> StepChart:
        """A chord per melody step (None: none) whose step 0 falls ``offset`` steps into the
        session's bar 0 (a pickup's), in bars of ``bar_steps``; silent to the last bar line."""
        padded = [None] * offset + list(by_step)
        padded += [None] * (-len(padded) % bar_steps + bar_steps)
        return cls(tuple(NO_CHORD if chord is None else chord for chord in padded), bar_steps)

    def changes(self, bar: int, meter: Meter) -> list[tuple[float, Chord]]:
        """The chords of ``bar`` as (where each starts, as a share of the bar)."""
        start = bar * self.bar_steps
        cell = self.chords[start : start + self.bar_steps] or (NO_CHORD,)
        return [(step / self.bar_steps, chord) for step, chord in enumerate(cell)
                if step == 0 or chord != cell[step - 1]]

    def chord_at(self, bar: int, share: float, meter: Meter) -> Chord:
        """The chord sounding ``share`` (0..1) of the way through ``bar``."""
        return [chord for start, chord in self.changes(bar, meter) if start <= share + 1e-9][-1]


Chart = ChordChart | StepChart  # what the band can play instead of planning its own chords


def chords_by_step(chart: ChordChart, bars: list[Bar], steps: int) -> list[Chord | None]:
    """The chart's chord at each of ``steps`` grid steps of a piece with these bars. A first
    bar shorter than the second is a pickup: no chord (None), and the chart starts after it."""
    out: list[Chord | None] = [None] * steps
    starts = [to_step(bar.start) for bar in bars] + [steps]
    pickup = len(bars) > 1 and bars[0].meter.bar_quarters < bars[1].meter.bar_quarters
    for index, bar in enumerate(bars[1:] if pickup else bars, start=int(pickup)):
        bar_steps = bar.meter.bar_steps
        for step in range(max(0, starts[index]), min(starts[index + 1], steps)):
            share = min(step - starts[index], bar_steps - 1) / bar_steps
            out[step] = chart.chord_at(index - pickup, share, bar.meter)
    return out


def parse_chart(text: str) -> ChordChart:
    """A chart written as bars between bar lines, chords in a bar separated by spaces, ``%``
    repeating the bar before: ``C | Am | F G7 | %``; a line break is a bar line too, and a
    line starting with ``#`` is a comment (a title)."""
    lines = [line.strip().strip("|").strip() for line in text.splitlines()
             if not line.lstrip().startswith(COMMENT)]
    written = " | ".join(line for line in lines if line)
    cells = [cell.split() for cell in written.split("|")] if written else []
    if not cells:
        raise ChartError("the chord chart is empty (write it like: C | Am | F G7 | C)")
    if len(cells) > MAX_CHART_BARS:
        raise ChartError(f"a chord chart of {len(cells)} bars; at most {MAX_CHART_BARS}")
    bars: list[tuple[Chord, ...]] = []
    for number, cell in enumerate(cells, start=1):
        bars.append(_bar(cell, number, bars[-1] if bars else None))
    return ChordChart(tuple(bars), " | ".join(" ".join(cell) for cell in cells))


def _bar(cell: list[str], number: int, previous: tuple[Chord, ...] | None) -> tuple[Chord, ...]:
    """One bar of the chart from its symbols (bar ``number`` counted from 1)."""
    if not cell:
        raise ChartError(f"bar {number} of the chord chart is empty (use % to repeat a bar)")
    if cell == [REPEAT_BAR]:
        if previous is None:
            raise ChartError("the chord chart starts with %: there is no bar to repeat")
        return previous
    if len(cell) > MAX_CHORDS_PER_BAR:
        raise ChartError(f"bar {number} of the chord chart has {len(cell)} chords; "
                         f"at most {MAX_CHORDS_PER_BAR}")
    try:
        return tuple(parse_chord(symbol) for symbol in cell)
    except ChartError as error:
        raise ChartError(f"bar {number}: {error}") from None
