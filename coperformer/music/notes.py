"""Note events and pieces in musical time (quarter notes from the first bar line)."""

from __future__ import annotations

from dataclasses import dataclass, field

from coperformer.music.meter import Meter


@dataclass(frozen=True)
class Note:
    """One note: MIDI pitch, start and end in quarter notes, velocity."""

    pitch: int
    start: float
    end: float
    velocity: int = 80

    @property
    def duration(self) -> float:
        """Length in quarter notes."""
        return self.end - self.start


@dataclass(frozen=True)
class Bar:
    """A bar: where it starts (quarter notes) and its meter."""

    start: float
    meter: Meter

    @property
    def end(self) -> float:
        """Where the bar ends, in quarter notes."""
        return self.start + self.meter.bar_quarters


@dataclass
class Piece:
    """A melody, the band's voices and the bar layout, all in quarter notes."""

    melody: list[Note]
    band: list[list[Note]] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    name: str = ""


def bars_for(meter: Meter, end: float, start: float = 0.0) -> list[Bar]:
    """Regular bars of one meter from ``start`` until they cover ``end``."""
    bars: list[Bar] = []
    position = start
    while position < end - 1e-9 or not bars:
        bars.append(Bar(position, meter))
        position += meter.bar_quarters
    return bars


def fold_pitch(pitch: int, low: int, high: int) -> int:
    """Move a pitch by octaves into [low, high] (inclusive; the range spans an octave or more)."""
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch
