"""The performer of `bench --follow`: a melody played as a person plays it, with its true beats.

A count-in, gradual tempo drift (a slow swing up and back down), a final ritardando, a fermata
(a note held on), timing jitter, swung eighths, or a sudden new tempo a third into the tune:
each scenario says which. The true beat times come with the notes, for the benchmark to judge
the band against.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from coperformer.music.meter import Meter
from coperformer.music.notes import Piece

NS = 1_000_000_000
DRIFT_CYCLE_BEATS = 96  # the tempo drifts up and back down over this many beats at least


@dataclass(frozen=True)
class Scenario:
    """How the player plays: drift (fraction), jitter (ms), ritardando, fermata, swing."""

    name: str
    drift: float = 0.0
    jitter_ms: float = 20.0
    ritardando: bool = True
    fermata: bool = True
    swing: bool = True
    jump: float = 0.0  # the tempo jumps this much faster (a fraction) a third into the tune


SCENARIOS = (
    Scenario("steady", 0.0, 10.0, False, False, False),
    Scenario("drift10", 0.10),
    Scenario("drift20", 0.20),
    Scenario("drift20_jitter30", 0.20, 30.0),
)
TIGHT = Scenario("drift20_jitter10", 0.20, 10.0)  # the drift with the tightest player
JUMP = Scenario("jump25", 0.0, 20.0, False, False, True, 0.25)  # a new section taken faster
BESIDE = (TIGHT, JUMP)  # reported beside the scenarios, in none of the choices over them
JUMP_AT = 1 / 3  # of the tune


@dataclass
class Performance:
    """Onsets (ns, pitch, velocity, release ns) and the performer's true beat times."""

    onsets: list[tuple[int, int, int, int]]
    count_in: list[int]
    beats: list[int]
    meter: Meter
    fermata_span: tuple[int, int] | None  # from the held note's notated end to the next onset
    positions: list[tuple[int, float]]  # each melody onset (ns) and its true place (beats)
    jump_ns: int | None = None  # when the tempo jumped


def perform(piece: Piece, scenario: Scenario, seed: int, bpm: float = 100.0) -> Performance:
    """Play a melody as a person would under a scenario."""
    rng = random.Random(seed)
    meter = piece.bars[0].meter
    per_bar = meter.beats_per_bar
    beat_q = meter.bar_quarters / per_bar
    end_q = piece.bars[-1].end
    fermata_q, extra_s = _fermata(piece, beat_q) if scenario.fermata else (None, 0.0)
    clock = _TempoMap(bpm * beat_q, scenario, end_q, beat_q, fermata_q, extra_s, rng)
    jump_ns = clock.ns(clock.jump_q) if scenario.jump else None
    count_in = [clock.ns(-beat_q * k) for k in range(meter.count_in_beats(), 0, -1)]
    beats = [clock.ns(q * beat_q) for q in range(int(round(end_q / beat_q)) + 1)]
    onsets, positions = [], []
    for note in piece.melody:
        start = _swung(note.start, beat_q) if scenario.swing else note.start
        on = clock.ns(start) + round(rng.gauss(0, scenario.jitter_ms) * 1e6)
        positions.append((on, start / beat_q))
        off = clock.ns(note.end) - 30_000_000
        velocity = 90 if abs(note.start / beat_q % per_bar) < 1e-6 else 70
        velocity = max(1, min(127, velocity + rng.randint(-10, 10)))
        onsets.append((on, note.pitch, velocity, max(off, on + 20_000_000)))
        if abs(note.start / beat_q % per_bar) < 1e-6:  # a chord on the downbeat
            onsets.append((on + rng.randint(2, 15) * 1_000_000, note.pitch - 4, velocity - 10,
                           max(off, on + 20_000_000)))
    count_in = [t + round(rng.gauss(0, scenario.jitter_ms) * 1e6) for t in count_in]
    onsets.sort()
    span = None
    if fermata_q is not None:
        later = [on for on, *_ in onsets if on > clock.ns(fermata_q - 1e-6)]
        span = (clock.ns(fermata_q - 1e-6), min(later, default=clock.ns(end_q)))
    return Performance(onsets, count_in, beats, meter, span, positions, jump_ns)


def _swung(start: float, beat_q: float) -> float:
    """An off-beat eighth played two thirds of the way through the beat."""
    if beat_q == 1.0 and abs(start % 1.0 - 0.5) < 1e-6:
        return start + 1.0 / 6.0
    return start


def _fermata(piece: Piece, beat_q: float) -> tuple[float, float]:
    """Where the fermata's note ends (quarters) and how long it is held beyond (s): a note
    of a beat or more, ending on a beat, nearest the middle of the tune."""
    middle = piece.bars[len(piece.bars) // 2].start
    notes = [n for n in piece.melody if n.duration >= beat_q - 1e-6
             and abs(n.end / beat_q - round(n.end / beat_q)) < 1e-6] or piece.melody
    note = min(notes, key=lambda n: (abs(n.end - middle), -n.duration))
    return note.end, 1.5


class _TempoMap:
    """Quarter notes -> ns under a tempo curve; a fermata inserts time at its note's end."""

    def __init__(self, quarter_bpm: float, scenario: Scenario, end_q: float, beat_q: float,
                 fermata_q: float | None, extra_s: float, rng: random.Random):
        self.base = 60.0 / quarter_bpm
        self.scenario, self.end_q = scenario, end_q
        self.phase = rng.choice((1.0, -1.0))  # speeds up first or slows down first
        self.rit_from = end_q - 2 * 4 * beat_q if scenario.ritardando else end_q + 1
        self.jump_q = round(end_q * JUMP_AT / beat_q) * beat_q  # on a beat
        self.fermata_q, self.extra_s = fermata_q, extra_s
        self.cycle = max(end_q, DRIFT_CYCLE_BEATS * beat_q)  # gradual: a minute or longer
        self.step = 1.0 / 48
        self.origin = 5.0 * NS  # bar 0: a count-in of two bars before it starts after time 0
        self._sums = [0.0]

    def _seconds_per_quarter(self, q: float) -> float:
        drift = self.scenario.drift * self.phase * math.sin(2 * math.pi * max(0.0, q) / self.cycle)
        factor = 1.0 + drift
        if q > self.rit_from:
            factor *= 1.0 - 0.4 * (q - self.rit_from) / (self.end_q - self.rit_from)
        if q >= self.jump_q:
            factor *= 1.0 + self.scenario.jump
        return self.base / factor

    def ns(self, q: float) -> int:
        """The time of a position in quarters (count-in positions are negative)."""
        if q <= 0:
            return round(self.origin + q * self.base * NS)
        steps = int(q / self.step)
        while len(self._sums) <= steps:
            k = len(self._sums) - 1
            self._sums.append(self._sums[-1] + self.step * self._seconds_per_quarter(
                (k + 0.5) * self.step))
        seconds = self._sums[steps] + (q - steps * self.step) * self._seconds_per_quarter(q)
        if self.fermata_q is not None and q >= self.fermata_q - 1e-9:
            seconds += self.extra_s
        return round(self.origin + seconds * NS)
