"""What the band hears at a decision point: the player's notes of the window's bars on the
model's step grid, with the left hand's chord (built from the bar buffer without changing it;
the worker thread)."""

from __future__ import annotations

from dataclasses import dataclass

from coperformer.engine.bar_buffer import BarBuffer
from coperformer.engine.left_hand import LeftHand
from coperformer.engine.transport import Transport
from coperformer.music.chord_type import Chord
from coperformer.music.features import CONTEXT_BARS
from coperformer.music.meter import MAX_BAR_STEPS, Meter
from coperformer.music.notes import Bar, Piece
from coperformer.music.roll import (
    Grid,
    Span,
    empty_grid,
    mark_pitch_changes,
    thin_spans,
    to_step,
    write_spans,
)

WINDOW = CONTEXT_BARS + 1  # the bars the band hears: the context, and the bar it plays
FORGET_WINDOWS = 2  # the bar buffer keeps the player's notes of this many windows back


@dataclass
class BarRequest:
    """What the worker knows at a decision point."""

    bar: int  # the bar to generate (>= 1)
    meters: list[Meter]  # meters of bars bar-WINDOW+1 .. bar (oldest first; may be fewer)
    heard: Grid  # the player's melody on the grid, those bars (the one to generate silent)
    declared: Chord | None = None  # the chord the left hand holds (it wins over the plan)

    @property
    def melody_key(self) -> bytes:
        """What was heard, as bytes: two requests with the same key hear the same melody."""
        return self.heard.melody.tobytes() + self.heard.melody_onset.tobytes()


MAX_WINDOW_NOTES = MAX_BAR_STEPS * WINDOW  # more notes than the window has steps: a flood


def bar_request(transport: Transport, buffer: BarBuffer, left_hand: LeftHand | None,
                bar: int, now_ns: int, charted: Chord | None = None) -> BarRequest:
    """The request for ``bar`` from everything heard until ``now_ns``. The declared chord:
    the left hand's, else ``charted`` (a chord chart's)."""
    first = max(0, bar - WINDOW + 1)
    meters = [transport.meter_at(b) for b in range(first, bar + 1)]
    origin_ns = transport.bar_start_ns(first)
    origin = transport.quarters_of_bar(first)
    spans = [(pitch, to_step(transport.quarters_at(max(on, origin_ns)) - origin),
              to_step(transport.quarters_at(off) - origin))
             for pitch, _, on, off in buffer.snapshot(origin_ns, now_ns)
             if not left_hand or left_hand.melody(pitch)]
    if len(spans) > MAX_WINDOW_NOTES:  # a flood: what the grid can show, no more
        spans = thin_spans(spans)
    return BarRequest(bar, meters, window_grid(meters, spans),
                      left_hand.chord if left_hand else charted)


def window_grid(meters: list[Meter], spans: list[Span]) -> Grid:
    """The melody of the window's bars (``meters``, oldest first) on the model's grid."""
    bars, position = [], 0.0
    for meter in meters:
        bars.append(Bar(position, meter))
        position += meter.bar_quarters
    grid = empty_grid(Piece([], [], bars))
    write_spans(spans, grid.melody, grid.melody_onset)
    mark_pitch_changes(grid.melody[None, :], grid.melody_onset[None, :])
    return grid
