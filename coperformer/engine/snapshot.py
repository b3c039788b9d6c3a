"""An immutable picture of a running session, published by the worker for other threads."""

from __future__ import annotations

from dataclasses import dataclass, field

from coperformer.engine.clock import MS
from coperformer.engine.stats import SessionStats, StatsView
from coperformer.engine.transport import Segment, Transport

IDLE_POLL_MS = 50.0  # how often the worker looks at its inbox before the transport starts


@dataclass(frozen=True)
class SessionSnapshot:
    """Position, stats and the planned bar as the worker last published them. Any thread."""

    started: bool = False
    finished: bool = False
    segments: tuple[Segment, ...] = ()
    count_in: int = 0
    last_bar: int | None = None  # the last bar line that passed
    planned_bar: int | None = None  # the last bar the band planned
    next_deadline_ns: int | None = None  # when the worker must act next (None: not started)
    figures: StatsView = field(default_factory=lambda: SessionStats().view())
    error: str | None = None  # why the worker failed, if it did
    follow: tuple[str, float] | None = None  # Follow mode: the tracker's state, confidence
    counting_in: tuple[int, int] | None = None  # the player's count-in: (beats played, beats
    # it needs) before the start

    @property
    def stats(self) -> dict:
        """The figures as published, summarized now (any thread; never the worker's work)."""
        return self.figures.as_dict()

    def position(self, now_ns: int) -> tuple[int, int] | None:
        """(bar, beat) at ``now_ns``, 1-based, negative in the count-in; None before start."""
        if not self.started or not self.segments:
            return None
        return Transport.from_segments(list(self.segments), self.count_in).position(now_ns)

    def tempo_at(self, now_ns: int) -> float | None:
        """The tempo (BPM) of the bar sounding at ``now_ns``; None before start (any thread)."""
        if not self.started or not self.segments:
            return None
        transport = Transport.from_segments(list(self.segments), self.count_in)
        return transport.bpm_at(transport.bar_at(now_ns))

    def quiet_ms(self, now_ns: int) -> float:
        """How long until the worker must act (other threads may stall the GIL until then)."""
        if self.next_deadline_ns is None:
            return IDLE_POLL_MS
        return (self.next_deadline_ns - now_ns) / MS
