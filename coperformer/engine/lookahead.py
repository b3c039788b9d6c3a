"""When the band plans the coming bar provisionally: at the beats of the bar before it, from
that bar's last beat back, at most one plan in ``PREVIEW_GAP_NS``; the plan is committed at
the decision point (pure timing; the worker thread)."""

from __future__ import annotations

from coperformer.engine.clock import MS
from coperformer.engine.transport import Transport

PREVIEW_GAP_NS = 400 * MS  # previews closer than this are skipped: at 240 BPM every other
# beat (a plan costs 3-5 ms of CPU; the window's chord-ahead moves at most twice a second)


def beat_times(transport: Transport, bar: int) -> list[int]:
    """The times (ns) of a bar's counted beats (a dotted quarter in 6/8; a bar of one beat:
    its downbeat only)."""
    start, end = transport.bar_start_ns(bar), transport.bar_start_ns(bar + 1)
    beats = transport.meter_at(bar).beats_per_bar
    return [start + round(k * (end - start) / beats) for k in range(beats)]


def lead_in_beats(transport: Transport, bar: int) -> list[int]:
    """The times (ns) of the provisional plans of ``bar``: the beats of the bar before it,
    its last beat and each earlier one at least PREVIEW_GAP_NS before the next kept."""
    kept: list[int] = []
    for beat in reversed(beat_times(transport, bar - 1)):
        if not kept or kept[-1] - beat >= PREVIEW_GAP_NS:
            kept.append(beat)
    return kept[::-1]


class Lookahead:
    """Which provisional plans of the coming bar were made (worker thread)."""

    def __init__(self) -> None:
        self.bar: int | None = None
        self.done = 0  # beats of the lead-in already planned

    def due_ns(self, transport: Transport, bar: int, decision_ns: int) -> int | None:
        """When the next provisional plan of ``bar`` is due; None when none is left (worker
        thread)."""
        done = self.done if self.bar == bar else 0
        beats = [t for t in lead_in_beats(transport, bar)[done:] if t < decision_ns]
        return beats[0] if beats else None

    def take(self, transport: Transport, bar: int, now_ns: int, decision_ns: int) -> bool:
        """Mark every beat due by ``now_ns`` as planned; True when one was new (a worker
        that fell behind plans once, not once per missed beat; worker thread)."""
        if self.bar != bar:
            self.bar, self.done = bar, 0
        beats = lead_in_beats(transport, bar)
        due = sum(1 for t in beats if t <= now_ns and t < decision_ns)
        if due <= self.done:
            return False
        self.done = due
        return True
