"""Meters and bar geometry on a 16th-note grid (4 steps per quarter note)."""

from __future__ import annotations

from dataclasses import dataclass

STEPS_PER_QUARTER = 4
MAX_BAR_STEPS = 16
SUPPORTED_METERS = ("2/4", "3/4", "4/4", "3/8", "6/8")  # what the live transport keeps
METER_CODES = ("3/4", "4/4", "6/8", "other")  # the model's meter input, as it was trained (a
# 2/4 or 3/8 bar is "other", as such bars always were offline)
COUNT_IN_MIN_BEATS = 4  # a count-in the player plays: four beats at least, in whole bars


@dataclass(frozen=True)
class Meter:
    """A time signature such as 3/4, 4/4 or 6/8."""

    numerator: int = 4
    denominator: int = 4

    @classmethod
    def parse(cls, text: str) -> Meter:
        """Parse ``"N/D"`` into a meter, raising ValueError on nonsense."""
        try:
            num_text, den_text = text.strip().split("/")
            num, den = int(num_text), int(den_text)
        except ValueError as exc:
            raise ValueError(f"not a meter: {text!r} (expected e.g. 4/4)") from exc
        if num < 1 or den not in (1, 2, 4, 8, 16, 32):
            raise ValueError(f"not a meter: {text!r}")
        return cls(num, den)

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    @property
    def bar_quarters(self) -> float:
        """Length of one bar in quarter notes."""
        return self.numerator * 4.0 / self.denominator

    @property
    def bar_steps(self) -> int:
        """Length of one bar in grid steps (rounded to whole steps)."""
        return max(1, round(self.bar_quarters * STEPS_PER_QUARTER))

    @property
    def code(self) -> int:
        """Index of this meter in METER_CODES (the model's meter input)."""
        text = str(self)
        return METER_CODES.index(text) if text in METER_CODES else len(METER_CODES) - 1

    @property
    def beat_steps(self) -> int:
        """Steps per counted beat (a dotted quarter in compound meters)."""
        compound = self.denominator == 8 and self.numerator % 3 == 0 and self.numerator > 3
        return 6 if compound else max(1, round(STEPS_PER_QUARTER * 4 / self.denominator))

    @property
    def beats_per_bar(self) -> int:
        """Counted beats per bar (2 in 6/8, 3 in 3/4, 4 in 4/4)."""
        return max(1, self.bar_steps // self.beat_steps)

    def count_in_beats(self, bars: int = 1) -> int:
        """The beats of a count-in the player plays: ``bars`` whole bars, and as many more as
        four beats need (at one bar: one of 4/4, two of 3/4, 2/4 or 6/8)."""
        least = -(-COUNT_IN_MIN_BEATS // self.beats_per_bar)
        return max(bars, least) * self.beats_per_bar


COMMON_TIME = Meter(4, 4)  # the meter when nothing says otherwise


def model_segments(bar_steps: int) -> list[tuple[int, int]]:
    """Split a bar into (offset, length) pieces that fit the model's 16-step window."""
    if bar_steps <= MAX_BAR_STEPS:
        return [(0, bar_steps)]
    pieces = -(-bar_steps // MAX_BAR_STEPS)
    base, extra = divmod(bar_steps, pieces)
    out, offset = [], 0
    for index in range(pieces):
        length = base + (1 if index < extra else 0)
        out.append((offset, length))
        offset += length
    return out
