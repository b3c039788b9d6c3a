"""An accelerated soak: one real session at 240 BPM for many minutes with recording on (file
input, FluidSynth without a device): missed deadlines, memory at start and end, CPU use."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from coperformer.bench.sessions import PLAYER_TRACK, melody_file
from coperformer.common.proc import rss_mb
from coperformer.io.take_check import note_balance
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions

SOAK_BPM = 240
WARM_UP_S = 60.0  # memory is measured from here: caches and pools fill in the first minute
SAMPLE_S = 5.0


def soak_figures(model: str | None, minutes: float) -> dict:
    """Play ``minutes`` of a melody at 240 BPM, recorded; RSS every few seconds."""
    bars = max(4, round(minutes * SOAK_BPM / 4))
    with tempfile.TemporaryDirectory() as tmp:
        take = Path(tmp) / "soak.mid"
        jam = Jam.build(JamOptions(input=str(melody_file(Path(tmp), SOAK_BPM, bars)),
                                   model=model, tempo=SOAK_BPM, meter="4/4", record=take))
        samples: list[tuple[float, float]] = []
        started = time.perf_counter()
        jam.start()
        sampler = threading.Thread(target=_sample, args=(jam, started, samples), daemon=True)
        sampler.start()
        sampler.join()
        stats = jam.finish().stats
        notes, unended = note_balance(take, PLAYER_TRACK)
    return _report(minutes, stats, samples, notes, unended)


def _sample(jam: Jam, started: float, samples: list[tuple[float, float]]) -> None:
    while jam.running:
        samples.append((time.perf_counter() - started, rss_mb()))
        time.sleep(SAMPLE_S)


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
