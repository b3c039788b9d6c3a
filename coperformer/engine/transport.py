"""Transport: tempo, meter and count-in mapped to absolute bar times (drift-free)."""

from __future__ import annotations

from dataclasses import dataclass

from coperformer.common.errors import CoperformerError
from coperformer.engine.clock import NS_PER_S
from coperformer.music.meter import COMMON_TIME, SUPPORTED_METERS, Meter

MIN_BPM, MAX_BPM = 40.0, 240.0
DEFAULT_BPM = 120.0


class TransportError(CoperformerError, ValueError):
    """A tempo or meter the transport does not support."""


def check_tempo(bpm: float) -> float:
    """Validate a tempo in quarter notes per minute."""
    if not MIN_BPM <= bpm <= MAX_BPM:
        raise TransportError(f"tempo {bpm:g} BPM is outside {MIN_BPM:g}-{MAX_BPM:g}")
    return float(bpm)


def check_meter(meter: Meter) -> Meter:
    """Validate a meter (2/4, 3/4, 4/4 or 6/8)."""
    if str(meter) not in SUPPORTED_METERS:
        raise TransportError(f"meter {meter} is not one of {', '.join(SUPPORTED_METERS)}")
    return meter


@dataclass(frozen=True)
class Segment:
    """From bar ``first_bar`` on, bars start every ``bar_ns`` from ``start_ns``."""

    first_bar: int
    start_ns: int
    bpm: float
    meter: Meter

    @property
    def bar_ns(self) -> int:
        """Length of one bar in nanoseconds (any thread: segments are immutable)."""
        return round(self.meter.bar_quarters * 60 * NS_PER_S / self.bpm)

    @property
    def quarter_ns(self) -> float:
        """Length of one quarter note in nanoseconds (any thread)."""
        return 60 * NS_PER_S / self.bpm


class Transport:
    """Bar -> absolute time. Bar 0 is the first played bar; count-in bars are negative.

    Owned by the session's worker thread once the session runs (other threads read the
    snapshot's copy of the tempo map); every method then belongs to that thread.
    """

    def __init__(self, bpm: float = DEFAULT_BPM, meter: Meter | None = None, count_in: int = 0):
        meter = meter or COMMON_TIME
        self.count_in = max(0, int(count_in))
        self._pending: tuple[float, Meter] | None = None
        self._segments = [Segment(-self.count_in, 0, check_tempo(bpm), check_meter(meter))]
        self.started = False

    @classmethod
    def from_segments(cls, segments: list[Segment], count_in: int = 0) -> Transport:
        """A started transport with a given tempo map (recordings, snapshots); any thread."""
        transport = cls(segments[0].bpm, segments[0].meter, count_in)
        transport._segments = list(segments)
        transport.started = True
        return transport

    def start(self, at_ns: int) -> None:
        """Start the count-in (or bar 0 when there is none) at ``at_ns`` (owner's thread)."""
        first = self._segments[0]
        self._segments = [Segment(first.first_bar, at_ns, first.bpm, first.meter)]
        self.started = True

    def start_at_bar_zero(self, at_ns: int) -> None:
        """Start so that bar 0 begins at ``at_ns`` (sync start; owner's thread)."""
        first = self._segments[0]
        self.start(at_ns - self.count_in * first.bar_ns)

    def segment(self, bar: int) -> Segment:
        """The segment that holds a bar (owner's thread)."""
        current = self._segments[0]
        for segment in self._segments:
            if segment.first_bar <= bar:
                current = segment
        return current

    def bar_start_ns(self, bar: int) -> int:
        """When a bar starts (absolute ns), following tempo changes (owner's thread)."""
        segment = self.segment(bar)
        return segment.start_ns + (bar - segment.first_bar) * segment.bar_ns

    def bar_at(self, now_ns: int) -> int:
        """The bar that is sounding at ``now_ns`` (owner's thread)."""
        segment = self._segments[0]
        for candidate in self._segments:
            if candidate.start_ns <= now_ns:
                segment = candidate
        return segment.first_bar + (now_ns - segment.start_ns) // segment.bar_ns

    def position(self, now_ns: int) -> tuple[int, int]:
        """(bar, beat), both 1-based for display; count-in bars negative (owner's thread)."""
        bar = self.bar_at(now_ns)
        segment = self.segment(bar)
        beat_ns = segment.bar_ns / segment.meter.beats_per_bar
        beat = int((now_ns - self.bar_start_ns(bar)) // beat_ns) + 1
        return (bar + 1 if bar >= 0 else bar), beat

    def quarters_at(self, now_ns: int) -> float:
        """Quarter notes since bar 0, negative in the count-in (owner's thread)."""
        bar = self.bar_at(now_ns)
        segment = self.segment(bar)
        into = (now_ns - self.bar_start_ns(bar)) / segment.quarter_ns
        return self.quarters_of_bar(bar) + into

    def quarters_of_bar(self, bar: int) -> float:
        """Where a bar starts in quarters since bar 0, one step per segment (owner's thread)."""
        if bar < 0:
            return -sum(self.segment(b).meter.bar_quarters for b in range(bar, 0))
        total = 0.0
        for index, segment in enumerate(self._segments):
            following = self._segments[index + 1].first_bar if index + 1 < len(self._segments) \
                else bar
            start, end = max(segment.first_bar, 0), min(following, bar)
            if end > start:
                total += (end - start) * segment.meter.bar_quarters
        return total

    def ns_at_quarters(self, bar: int, quarters_into_bar: float) -> int:
        """Absolute time of a position inside a bar (owner's thread)."""
        return self.bar_start_ns(bar) + round(quarters_into_bar * self.segment(bar).quarter_ns)

    def set_tempo(self, bpm: float, now_ns: int, earliest_bar: int | None = None) -> int:
        """Change the tempo from the next bar line (or ``earliest_bar``); returns that bar.
        The owner's thread."""
        return self._change(now_ns, check_tempo(bpm), None, earliest_bar)

    def set_meter(self, meter: Meter, now_ns: int, earliest_bar: int | None = None) -> int:
        """Change the meter from the next bar line (or ``earliest_bar``); returns that bar.
        The owner's thread."""
        return self._change(now_ns, None, check_meter(meter), earliest_bar)

    def _change(self, now_ns: int, bpm: float | None, meter: Meter | None,
                earliest_bar: int | None) -> int:
        if not self.started:
            first = self._segments[0]
            self._segments = [Segment(first.first_bar, first.start_ns, bpm or first.bpm,
                                      meter or first.meter)]
            return first.first_bar
        bar = max(self.bar_at(now_ns) + 1, earliest_bar if earliest_bar is not None else -10**9)
        current = self.segment(bar)
        start = self.bar_start_ns(bar)
        self._segments = [s for s in self._segments if s.first_bar < bar]
        self._segments.append(Segment(bar, start, bpm or current.bpm, meter or current.meter))
        return bar

    def retime(self, bar: int, start_ns: int, bpm: float) -> None:
        """From ``bar`` on (not announced yet), bars start at ``start_ns`` at ``bpm``: Follow
        mode's tracked tempo (owner's thread)."""
        meter = self.segment(bar).meter
        self._segments = [s for s in self._segments if s.first_bar < bar]
        self._segments.append(Segment(bar, start_ns, check_tempo(bpm), meter))

    def bpm_at(self, bar: int) -> float:
        """The tempo of a bar (owner's thread)."""
        return self.segment(bar).bpm

    def meter_at(self, bar: int) -> Meter:
        """The meter of a bar (owner's thread)."""
        return self.segment(bar).meter

    def changes(self) -> list[Segment]:
        """The tempo/meter segments, oldest first, as a new list (owner's thread)."""
        return list(self._segments)
