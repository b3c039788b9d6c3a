"""Judging real-time tests by the host probe (coperformer/bench/host_probe.py): a missed
deadline is excused only by a stall measured outside the app."""

from __future__ import annotations

import time
import warnings

from coperformer.bench.host_probe import LATE_REACH_NS, STARVED_SHARE, HostProbe

__all__ = ["LATE_REACH_NS", "STARVED_SHARE", "HostProbe", "assert_on_time", "play_to_end"]


def assert_on_time(missed: int, host: HostProbe, margin_ms: float) -> None:
    """No missed deadline, but for those the host explains: each stall of half the margin or
    more (the rest of the margin then goes to a decision slowed by the same host) excuses one;
    warned."""
    excused = host.longer_than(margin_ms / 2)
    if excused:
        worst = max(late for _, late in host.stalls)
        warnings.warn(f"the host stalled {excused} times past {margin_ms / 2:.0f} ms (worst "
                      f"{worst:.0f} ms): {missed} missed deadlines, {excused} excused",
                      stacklevel=2)
    assert missed <= excused, (missed, host.stalls)


def play_to_end(jam) -> object:
    """Start a built Jam, wait for its end, finish it: its result, after judging that no
    deadline and no re-plan was missed but for what the host's stalls explain."""
    with HostProbe() as host:
        jam.start()
        while jam.running:
            time.sleep(0.05)
        result = jam.finish()
    late = result.stats["missed_deadlines"] + result.stats.get("late_replans", 0)
    assert_on_time(late, host, jam.options.margin_ms)
    return result
