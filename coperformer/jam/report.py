"""What a finished jam leaves: its figures, the files it wrote, and why it stopped early."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class JamResult:
    """The result of Jam.finish() (any thread may read it)."""

    stats: Mapping  # the session's figures plus pass-through, CPU and audio latency
    saved: tuple[str, ...] = ()
    error: str | None = None  # the worker's failure, if it failed
    save_error: str | None = None  # why the take or the WAV could not be written
    save_note: str | None = None  # what was left to do by hand (the WAV after a stop signal)

    def summary(self) -> str:
        """One line: bars, misses, inference and margin, the re-plans inside bars (the left
        hand's or a chord chart's, if any), the bars held while Follow me had lost the
        beat (if any), and the files written."""
        s = self.stats
        line = (f"bars {s['bars_planned']}, misses {s['missed_deadlines']}, inference p99 "
                f"{s['inference_ms']['p99']:.2f} ms, margin p50 {s['margin_ms']['p50']:.1f} ms")
        if replans := s.get("replan_ms", {}).get("n"):
            line += f", re-plans inside bars {replans} ({s['late_replans']} late)"
        if held := s.get("held_bars"):
            line += f", bars held with the beat lost {held}"
        return line + (f"; saved {', '.join(self.saved)}" if self.saved else "")
