"""An accelerated soak: one real session at 240 BPM for many minutes with recording on (file
input, FluidSynth without a device): missed deadlines, memory at start and end, CPU use, and
the decisions slice by slice beside the host's stalls (a slope is the app's, a stall the
host's)."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from coperformer.bench.host_probe import LATE_REACH_NS, HostProbe
from coperformer.bench.sessions import PLAYER_TRACK, melody_file
from coperformer.common.proc import rss_mb
from coperformer.engine.clock import MS
from coperformer.engine.session import Session
from coperformer.engine.stats import summary
from coperformer.io.take_check import note_balance
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions

SOAK_BPM = 240
WARM_UP_S = 60.0  # memory is measured from here: caches and pools fill in the first minute
SAMPLE_S = 5.0
SLICES = 6  # the soak's decisions are reported in this many slices of equal time


def soak_figures(model: str | None, minutes: float) -> dict:
    """Play ``minutes`` of a melody at 240 BPM, recorded; RSS every few seconds; a host probe
    beside it."""
    bars = max(4, round(minutes * SOAK_BPM / 4))
    with tempfile.TemporaryDirectory() as tmp:
        take = Path(tmp) / "soak.mid"
        jam = Jam.build(JamOptions(input=str(melody_file(Path(tmp), SOAK_BPM, bars)),
                                   model=model, tempo=SOAK_BPM, meter="4/4", record=take))
        samples: list[tuple[float, float]] = []
        started = time.perf_counter()
        with HostProbe() as host:
            jam.start()
            sampler = threading.Thread(target=_sample, args=(jam, started, samples),
                                       daemon=True)
            sampler.start()
            sampler.join()
            stats = jam.finish().stats
        notes, unended = note_balance(take, PLAYER_TRACK)
    figures = _report(minutes, stats, samples, notes, unended)
    figures.update(decision_slices(jam.session, host))
    return figures


def _sample(jam: Jam, started: float, samples: list[tuple[float, float]]) -> None:
    while jam.running:
        samples.append((time.perf_counter() - started, rss_mb()))
        time.sleep(SAMPLE_S)


def decision_slices(session: Session, host: HostProbe, slices: int = SLICES) -> dict:
    """The band's decisions in ``slices`` slices of the session's time: their times (p50, p99,
    max), the bars decided late, and the host's stalls in the slice; and how many late bars
    had a host stall within LATE_REACH_NS before their decision ended."""
    stats = session.stats
    first = session.first_band_bar
    done_ns = np.array([session.transport.bar_start_ns(first + index) - round(margin * MS)
                        for index, margin in enumerate(stats.margin_ms)], np.int64)
    if not done_ns.size:
        return {"slices": [], "late_with_host_stall": 0}
    took = np.array(stats.inference_ms[: done_ns.size])
    late = np.array(stats.margin_ms) < 0
    edges = np.linspace(done_ns[0], done_ns[-1] + 1, slices + 1)
    stall_at = np.array([at for at, _ in host.stalls], np.int64)
    stall_ms = np.array([ms for _, ms in host.stalls])
    out = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (done_ns >= low) & (done_ns < high)
        stalled = (stall_at >= low) & (stall_at < high)
        out.append({"from_s": round((low - edges[0]) / 1e9), "decision_ms": summary(
            took[inside].tolist()), "late_bars": int(late[inside].sum()),
            "host_stalls": int(stalled.sum()),
            "host_worst_ms": round(float(stall_ms[stalled].max()), 1) if stalled.any() else 0.0,
            "host_stalled_percent": round(float(stall_ms[stalled].sum()) * 1e6
                                          / (high - low) * 100, 2)})
    explained = sum(1 for end in done_ns[late]
                    if ((stall_at <= end) & (stall_at >= end - LATE_REACH_NS)).any())
    return {"slices": out, "late_with_host_stall": explained,
            "host_stalled_percent": round(100 * host.stalled_share(), 2)}


def _report(minutes: float, stats: dict, samples: list[tuple[float, float]], notes: int,
            unended: int) -> dict:
    warm = [mb for at, mb in samples if at >= min(WARM_UP_S, samples[-1][0] / 2)] or [0.0]
    start, end = warm[0], warm[-1]
    return {"minutes": minutes, "bpm": SOAK_BPM, "bars": stats["bars_planned"],
            "missed_deadlines": stats["missed_deadlines"],
            "inference_ms": stats["inference_ms"], "plan_ms": stats["plan_ms"],
            "margin_ms": stats["margin_ms"],
            "rss_start_mb": round(start, 1), "rss_end_mb": round(end, 1),
            "rss_peak_mb": round(max(mb for _, mb in samples), 1),
            "rss_growth_percent": round(100 * (end - start) / start, 2) if start else 0.0,
            "cpu_percent": stats["cpu_percent"], "player_notes_in_take": notes,
            "unended_in_take": unended}
