"""Session statistics: inference time and margin per bar, misses, notes per bar."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.ma  # noqa: F401 - np.percentile imports it on first use (~100 ms holding the GIL)


def summary(values: list[float]) -> dict[str, float]:
    """min, p50, p99, max and n (zeros when empty); pure, any thread."""
    if not values:
        return {"min": 0.0, "p50": 0.0, "p99": 0.0, "max": 0.0, "n": 0}
    data = np.asarray(values, float)
    return {"min": round(float(data.min()), 4), "p50": round(float(np.percentile(data, 50)), 4),
            "p99": round(float(np.percentile(data, 99)), 4),
            "max": round(float(data.max()), 4), "n": int(data.size)}


@dataclass
class SessionStats:
    """What the session measured while it ran: the worker appends and counts; other threads
    read a StatsView (the lists only grow, so a view's prefix never changes)."""

    inference_ms: list[float] = field(default_factory=list)
    plan_ms: list[float] = field(default_factory=list)  # each beat's plan of the coming bar
    margin_ms: list[float] = field(default_factory=list)
    replan_ms: list[float] = field(default_factory=list)  # re-plans of a bar (left hand, half)
    replan_margin_ms: list[float] = field(default_factory=list)  # done this long before the beat
    notes_per_bar: list[int] = field(default_factory=list)
    misses: int = 0
    late_replans: int = 0
    dropped_notes: int = 0
    bars_planned: int = 0
    input_events: int = 0
    port_losses: int = 0
    port_returns: int = 0
    style_changes: int = 0
    reused_plans: int = 0  # decisions that played their provisional plan (nothing new heard)
    late_provisional: int = 0  # of them, decisions that came late: a beat-old plan, not silence
    held_bars: int = 0  # Follow mode lost the beat: bars the band held its chord through

    def view(self) -> StatsView:
        """The figures as they are now, cheap to take (worker thread)."""
        return StatsView(self, len(self.inference_ms), len(self.plan_ms), len(self.margin_ms),
                         len(self.replan_ms), len(self.notes_per_bar), self.misses,
                         self.late_replans, self.dropped_notes,
                         self.bars_planned, self.input_events, self.port_losses,
                         self.port_returns, self.style_changes, self.reused_plans,
                         self.late_provisional, self.held_bars)

    def as_dict(self) -> dict:
        """A JSON-ready summary (worker thread, or any thread once the worker stopped)."""
        return self.view().as_dict()


@dataclass(frozen=True)
class StatsView:
    """The figures at one moment: counters copied, sample lists shared and cut at their
    length then; summarized by whoever reads it (any thread), never by the worker."""

    source: SessionStats
    inference_n: int = 0
    plan_n: int = 0
    margin_n: int = 0
    replan_n: int = 0
    notes_n: int = 0
    misses: int = 0
    late_replans: int = 0
    dropped_notes: int = 0
    bars_planned: int = 0
    input_events: int = 0
    port_losses: int = 0
    port_returns: int = 0
    style_changes: int = 0
    reused_plans: int = 0
    late_provisional: int = 0
    held_bars: int = 0

    def as_dict(self) -> dict:
        """A JSON-ready summary of the view (any thread)."""
        notes = self.source.notes_per_bar[: self.notes_n]
        return {
            "inference_ms": summary(self.source.inference_ms[: self.inference_n]),
            "plan_ms": summary(self.source.plan_ms[: self.plan_n]),
            "margin_ms": summary(self.source.margin_ms[: self.margin_n]),
            "replan_ms": summary(self.source.replan_ms[: self.replan_n]),
            "replan_margin_ms": summary(self.source.replan_margin_ms[: self.replan_n]),
            "notes_per_bar": summary([float(n) for n in notes]),
            "missed_deadlines": self.misses,
            "late_replans": self.late_replans,
            "dropped_notes": self.dropped_notes,
            "bars_planned": self.bars_planned,
            "bars_with_band": sum(1 for n in notes if n > 0),
            "input_events": self.input_events,
            "port_losses": self.port_losses,
            "port_returns": self.port_returns,
            "reused_plans": self.reused_plans,
            "late_provisional": self.late_provisional,
            "held_bars": self.held_bars,
            "style_changes": self.style_changes,
        }
