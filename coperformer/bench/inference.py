"""Per-bar generation time of a model on one thread (features, model and decoding), and the
listening band's planning time."""

from __future__ import annotations

import time

import numpy as np

from coperformer.engine.stats import summary
from coperformer.model.live_engine import live_accompaniment, offline_accompaniment
from coperformer.music import features as F
from coperformer.music.chord_model import ChordModel
from coperformer.music.chord_type import Chord
from coperformer.music.features import BarGenerator
from coperformer.music.listening import MEMORY_BARS, HarmonyPlanner
from coperformer.music.meter import COMMON_TIME
from coperformer.music.notes import Note, Piece, bars_for

ACCOMPANY_BARS = 100  # issue 2: accompanying 100 bars takes <= 1 s after start-up


def bench_inference(model: BarGenerator, bars: int = 2000, offline: bool = False,
                    listening: bool = False) -> dict[str, float]:
    """Per-bar generation time on random bars, in ms (min, p50, p99, max, n).

    ``listening``: the live band's path, on a planned chord, avoiding its last 64 bars (the
    avoided set holds real earlier results, so some bars decode several draws).
    """
    rng = np.random.default_rng(1)
    slots = F.empty_slots(F.CONTEXT_BARS + 1)
    slots.melody[:] = rng.integers(60, 80, slots.melody.shape)
    slots.band[:] = rng.integers(40, 70, slots.band.shape)
    context, current = slots.take(np.arange(F.CONTEXT_BARS)), slots.take(np.array([F.CONTEXT_BARS]))
    profile = F.normalize_profile(rng.random(F.PROFILE_SIZE).astype(np.float32))
    model.warm_up()
    samples = []
    chord = Chord((0, 4, 7), 0) if listening else None
    played: list[bytes] = []
    for _ in range(bars):
        avoid = frozenset(played[-MEMORY_BARS:])
        started = time.perf_counter_ns()
        bar = model.generate(context, current, offline, rng, profile, chord, avoid)
        samples.append((time.perf_counter_ns() - started) / 1e6)
        played.append(bar.key())
    return summary(samples)


def bench_accompany(model: BarGenerator, reward: ChordModel, bars: int = ACCOMPANY_BARS,
                    runs: int = 3) -> dict[str, float]:
    """Seconds to accompany a ``bars``-bar melody, offline and live (listening), best of
    ``runs`` after the model's warm-up."""
    notes = [Note(67 + (i * 5) % 12, i * 0.5, i * 0.5 + 0.45, 80) for i in range(bars * 8)]
    piece = Piece(notes, [], bars_for(COMMON_TIME, bars * 4.0))
    model.warm_up()
    figures = {"bars": bars}
    accompany = {"offline": lambda: offline_accompaniment(model, reward, piece),
                 "live": lambda: live_accompaniment(model, reward, piece)}  # the engine's
    for mode, run in accompany.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        figures[f"{mode}_s"] = round(min(times), 3)
    return figures


def bench_planning(reward: ChordModel, bars: int = 2000) -> dict[str, float]:
    """Time to plan one bar's chord with a full 64-bar phrase memory, in ms."""
    rng = np.random.default_rng(2)
    phrase = [rng.integers(60, 72, 16).astype(np.int16) for _ in range(8)]
    recent = [phrase[b % 8] for b in range(MEMORY_BARS)]  # a tune that repeats, as they do
    planner = HarmonyPlanner(reward)
    samples = []
    for bar in range(bars):
        started = time.perf_counter_ns()
        planner.plan(recent, MEMORY_BARS + bar)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return summary(samples)
