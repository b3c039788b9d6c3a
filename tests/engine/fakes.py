"""Fakes for engine unit tests: a generator that plays a fixed chord, optionally slowly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coperformer.engine.clock import VirtualClock


@dataclass
class FakeBar:
    pitches: np.ndarray
    onsets: np.ndarray

    def key(self) -> bytes:
        return self.pitches.tobytes() + self.onsets.tobytes()


class ChordGenerator:
    """Plays a C major chord on every beat; ``delay_ns`` of virtual time per bar."""

    def __init__(self, clock: VirtualClock | None = None, delay_ns: int = 0):
        self.clock, self.delay_ns, self.calls = clock, delay_ns, []

    def generate(self, context, current, offline, rng, profile, chord=None, avoid=frozenset()):
        self.calls.append((context, current, offline, profile.copy(), chord))
        if self.clock is not None and self.delay_ns:
            self.clock.advance(self.delay_ns)
        pitches = np.full((3, 16), -1, np.int16)
        onsets = np.zeros((3, 16), bool)
        length = int(current.valid[0].sum())
        for voice, pitch in enumerate((67, 64, 48)):
            pitches[voice, :length] = pitch
            onsets[voice, 0:length:4] = True
        return FakeBar(pitches, onsets)
