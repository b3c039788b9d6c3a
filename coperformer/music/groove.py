"""The drum groove: hand-written patterns per meter and feel, with a variation and a fill
before each phrase end (pure; honestly patterns, not a learned model).

A pattern is one line per drum on a 16th-note grid (12 steps for 6/8 and 3/4, 16 for 4/4):
``X`` an accent, ``x`` a normal hit, ``o`` a ghost note, ``.`` silence. A swung feel plays
each beat's second eighth two thirds of the way through the beat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coperformer.common.errors import CoperformerError
from coperformer.music.meter import STEPS_PER_QUARTER, Meter

KICK, SIDE_STICK, SNARE, CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 36, 37, 38, 42, 44, 46
LOW_TOM, MID_TOM, HIGH_TOM, FLOOR_TOM, CRASH, RIDE = 45, 47, 50, 41, 49, 51
VELOCITIES = {"X": 112, "x": 88, "o": 46}
HUMANIZE = 6  # +- velocity steps, drawn per hit from the bar's own seed
HIT_QUARTERS = 0.25  # every hit lasts a 16th (drums ring on by themselves)
PHRASE_BARS = (4, 8)  # a fill ends every phrase of this many bars
DRUM_KITS = {"Standard": 0, "Room": 8, "Power": 16, "Electronic": 24, "TR-808": 25,
             "Jazz": 32, "Brush": 40, "Orchestra": 48}  # GM kit programs (bank 128)

Pattern = dict[int, str]  # drum -> one character per 16th step

PATTERNS: dict[str, dict[str, tuple[Pattern, Pattern, Pattern]]] = {
    # feel -> meter -> (main, variation, fill)
    "straight": {
        "4/4": ({KICK: "X.......x.x.....", SNARE: "....X.......X...",
                 CLOSED_HAT: "x.x.x.x.x.x.x.x."},
                {KICK: "X.....x.x.......", SNARE: "....X.......X..o",
                 CLOSED_HAT: "x.x.x.x.x.x.x.o."},
                {KICK: "X.......x.......", SNARE: "....X...x.x.xxxx",
                 CLOSED_HAT: "x.x.x.x.........", HIGH_TOM: "........x.......",
                 MID_TOM: "..........x....."}),
        "3/4": ({KICK: "X...........", SNARE: "....x...x...", CLOSED_HAT: "x.x.x.x.x.x."},
                {KICK: "X.......x...", SNARE: "....x...x...", CLOSED_HAT: "x.x.x.x.x.x."},
                {KICK: "X...........", SNARE: "....x.xxX.xx", CLOSED_HAT: "x.x........."}),
        "6/8": ({KICK: "X.....x.....", SNARE: "......X.....", CLOSED_HAT: "x.x.x.x.x.x."},
                {KICK: "X...x.x.....", SNARE: "......X.....", CLOSED_HAT: "x.x.x.x.x.x."},
                {KICK: "X...........", SNARE: "......x.xxXx", HIGH_TOM: "..x.........",
                 MID_TOM: "....x.......", CLOSED_HAT: "x..........."}),
    },
    "swing": {
        "4/4": ({RIDE: "x...x.x.x...x.x.", PEDAL_HAT: "....x.......x...",
                 KICK: "o...o...o...o..."},
                {RIDE: "x...x.x.x...x.x.", PEDAL_HAT: "....x.......x...",
                 KICK: "o...o...o.....o.", SNARE: "......o.......o."},
                {RIDE: "x...x...........", SNARE: "......x.x.x.X...", KICK: "o...........X..."}),
        "3/4": ({RIDE: "x...x.x.x.x.", PEDAL_HAT: "....x...x...", KICK: "o..........."},
                {RIDE: "x...x.x.x.x.", PEDAL_HAT: "....x...x...", SNARE: "..........o.",
                 KICK: "o..........."},
                {RIDE: "x...........", SNARE: "....x.x.X...", KICK: "X..........."}),
        "6/8": ({RIDE: "x.x.x.x.x.x.", PEDAL_HAT: "......x.....", KICK: "o..........."},
                {RIDE: "x.x.x.x.x.x.", PEDAL_HAT: "......x.....", SNARE: "..........o.",
                 KICK: "o..........."},
                {RIDE: "x.....x.....", SNARE: "..o.o...x.X.", KICK: "X..........."}),
    },
    "soft": {
        "4/4": ({KICK: "x.......x.......", SIDE_STICK: "....x.......x...",
                 CLOSED_HAT: "o.o.o.o.o.o.o.o."},
                {KICK: "x.......x.o.....", SIDE_STICK: "....x.......x...",
                 CLOSED_HAT: "o.o.o.o.o.o.o.o."},
                {KICK: "x.......x.......", SIDE_STICK: "....x...........",
                 LOW_TOM: "........x...x...", FLOOR_TOM: "..........x...x."}),
        "3/4": ({KICK: "x...........", SIDE_STICK: "....o...o...", CLOSED_HAT: "o.o.o.o.o.o."},
                {KICK: "x.......o...", SIDE_STICK: "....o...o...", CLOSED_HAT: "o.o.o.o.o.o."},
                {KICK: "x...........", LOW_TOM: "....x...x...", FLOOR_TOM: "......x...x."}),
        "6/8": ({KICK: "x.....o.....", SIDE_STICK: "......x.....", CLOSED_HAT: "o.o.o.o.o.o."},
                {KICK: "x.....o.o...", SIDE_STICK: "......x.....", CLOSED_HAT: "o.o.o.o.o.o."},
                {KICK: "x...........", LOW_TOM: "......x.x...", FLOOR_TOM: "..........x."}),
    },
}
FEELS = tuple(PATTERNS)
SWUNG = frozenset({"swing"})


class GrooveError(CoperformerError, ValueError):
    """A feel or phrase length the groove does not have (said in one line)."""


@dataclass(frozen=True)
class Hit:
    """One drum stroke: where in the bar (quarters), which GM drum, how hard."""

    start: float
    drum: int
    velocity: int


def check_feel(feel: str) -> str:
    """The feel if the groove has it; a GrooveError naming the choices if not."""
    if feel not in PATTERNS:
        raise GrooveError(f"no drum feel {feel!r}; choose one of {', '.join(FEELS)}")
    return feel


def check_phrase(bars: int) -> int:
    """A phrase length the fills follow (4 or 8 bars)."""
    if bars not in PHRASE_BARS:
        raise GrooveError(f"a drum phrase is 4 or 8 bars, not {bars}")
    return bars


def bar_role(bar: int, phrase_bars: int) -> str:
    """'fill' on a phrase's last bar, 'variation' on every second bar, else 'main'."""
    position = bar % phrase_bars
    if position == phrase_bars - 1:
        return "fill"
    return "variation" if position % 2 == 1 else "main"


def groove_bar(meter: Meter, bar: int, feel: str, phrase_bars: int = 4,
               seed: int = 0) -> list[Hit]:
    """The drum hits of one bar, sorted by time; a crash marks each phrase's first bar."""
    main, variation, fill = PATTERNS[check_feel(feel)][_pattern_meter(meter)]
    pattern = {"main": main, "variation": variation, "fill": fill}[bar_role(bar, phrase_bars)]
    rng = np.random.default_rng([seed, bar])
    swung = feel in SWUNG and meter.beat_steps == STEPS_PER_QUARTER
    hits = []
    for drum, line in pattern.items():
        for step, mark in enumerate(line[: meter.bar_steps]):
            if mark in VELOCITIES:
                velocity = VELOCITIES[mark] + int(rng.integers(-HUMANIZE, HUMANIZE + 1))
                hits.append(Hit(_position(step, swung), drum, int(np.clip(velocity, 1, 127))))
    if bar % phrase_bars == 0 and bar > 0:
        hits.append(Hit(0.0, CRASH, VELOCITIES["X"]))
    return sorted(hits, key=lambda h: (h.start, h.drum))


def _pattern_meter(meter: Meter) -> str:
    """The patterns a meter plays: its own, else compound meters and 3/8 borrow 6/8's and
    the others 4/4's (cut to the bar: 2/4 plays 4/4's first half, 3/8 6/8's)."""
    if str(meter) in PATTERNS["straight"]:
        return str(meter)
    return "6/8" if meter.beat_steps == 6 or str(meter) == "3/8" else "4/4"


def _position(step: int, swung: bool) -> float:
    """A step's time in quarters (a swung beat's second eighth on the triplet)."""
    quarters = step / STEPS_PER_QUARTER
    if swung and step % STEPS_PER_QUARTER == 2:
        quarters += 1 / 6
    return quarters
