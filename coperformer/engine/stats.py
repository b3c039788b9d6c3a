"""Session statistics: inference time and margin per bar, misses, notes per bar."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def summary(values: list[float]) -> dict[str, float]:
    """p50, p99 and max (zeros when empty)."""
    if not values:
        return {"min": 0.0, "p50": 0.0, "p99": 0.0, "max": 0.0, "n": 0}
    data = np.asarray(values, float)
    return {"min": round(float(data.min()), 4), "p50": round(float(np.percentile(data, 50)), 4),
            "p99": round(float(np.percentile(data, 99)), 4),
            "max": round(float(data.max()), 4), "n": int(data.size)}


@dataclass
class SessionStats:
    """What the session measured while it ran; the worker writes it, others read the
    snapshot's copy (or this object once the worker has stopped)."""

    inference_ms: list[float] = field(default_factory=list)
    margin_ms: list[float] = field(default_factory=list)
    notes_per_bar: list[int] = field(default_factory=list)
    misses: int = 0
    dropped_notes: int = 0
    bars_planned: int = 0
    input_events: int = 0
    port_losses: int = 0
    port_returns: int = 0

    def as_dict(self) -> dict:
        """A JSON-ready summary (worker thread, or any thread once the worker stopped)."""
        return {
            "inference_ms": summary(self.inference_ms),
            "margin_ms": summary(self.margin_ms),
            "notes_per_bar": summary([float(n) for n in self.notes_per_bar]),
            "missed_deadlines": self.misses,
            "dropped_notes": self.dropped_notes,
            "bars_planned": self.bars_planned,
            "bars_with_band": sum(1 for n in self.notes_per_bar if n > 0),
            "input_events": self.input_events,
            "port_losses": self.port_losses,
            "port_returns": self.port_returns,
        }
