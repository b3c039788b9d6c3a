"""Per-bar generation time of a model on one thread (features, model and decoding)."""

from __future__ import annotations

import time

import numpy as np

from coperformer.engine.stats import summary
from coperformer.music import features as F
from coperformer.music.features import BarGenerator


def bench_inference(model: BarGenerator, bars: int = 2000, offline: bool = False,
                    ) -> dict[str, float]:
    """Per-bar generation time on random bars, in ms (min, p50, p99, max, n)."""
    rng = np.random.default_rng(1)
    slots = F.empty_slots(F.CONTEXT_BARS + 1)
    slots.melody[:] = rng.integers(60, 80, slots.melody.shape)
    slots.band[:] = rng.integers(40, 70, slots.band.shape)
    context, current = slots.take(np.arange(F.CONTEXT_BARS)), slots.take(np.array([F.CONTEXT_BARS]))
    profile = F.normalize_profile(rng.random(F.PROFILE_SIZE).astype(np.float32))
    model.warm_up()
    samples = []
    for _ in range(bars):
        started = time.perf_counter_ns()
        model.generate(context, current, offline, rng, profile)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return summary(samples)
