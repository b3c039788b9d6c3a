"""What the band hears at a decision point: the player's notes of the window's bars, in
quarters, with the left hand's chord (built from the bar buffer without changing it; the worker
thread)."""

from __future__ import annotations

from dataclasses import dataclass

from coperformer.engine.bar_buffer import BarBuffer
from coperformer.engine.left_hand import LeftHand
from coperformer.engine.transport import Transport
from coperformer.music.features import CONTEXT_BARS
from coperformer.music.listening import Chord
from coperformer.music.meter import MAX_BAR_STEPS, Meter
from coperformer.music.notes import Note
from coperformer.music.roll import thin_line

WINDOW = CONTEXT_BARS + 1  # the bars the band hears: the context, and the bar it plays
FORGET_WINDOWS = 2  # the bar buffer keeps the player's notes of this many windows back


@dataclass
class BarRequest:
    """What the worker knows at a decision point."""

    bar: int  # the bar to generate (>= 1)
    meters: list[Meter]  # meters of bars bar-WINDOW+1 .. bar (oldest first; may be fewer)
    melody: list[Note]  # the player's notes, quarters relative to the window's first bar
    declared: Chord | None = None  # the chord the left hand holds (it wins over the plan)


MAX_WINDOW_NOTES = MAX_BAR_STEPS * WINDOW  # more notes than the window has steps: a flood


def bar_request(transport: Transport, buffer: BarBuffer, left_hand: LeftHand | None,
                bar: int, now_ns: int, charted: Chord | None = None) -> BarRequest:
    """The request for ``bar`` from everything heard until ``now_ns``. The declared chord:
    the left hand's, else ``charted`` (a chord chart's)."""
    first = max(0, bar - WINDOW + 1)
    meters = [transport.meter_at(b) for b in range(first, bar + 1)]
    origin_ns = transport.bar_start_ns(first)
    origin_q = transport.quarters_of_bar(first)
    melody = []
    for pitch, velocity, on, off in buffer.snapshot(origin_ns, now_ns):
        if left_hand and not left_hand.melody(pitch):
            continue
        start = transport.quarters_at(max(on, origin_ns)) - origin_q
        end = transport.quarters_at(off) - origin_q
        melody.append(Note(pitch, start, max(end, start + 0.01), velocity))
    if len(melody) > MAX_WINDOW_NOTES:  # a flood: what the grid can show, no more
        melody = thin_line(melody)
    return BarRequest(bar, meters, melody, left_hand.chord if left_hand else charted)
