"""The audio clock: which sequencer tick an absolute time is, kept true while a driver renders.

FluidSynth's sequencer follows the samples the synth renders (a sample timer). Without a
driver our render thread renders on the real clock, so tick and time stay in step by
construction. With a driver (JACK, PulseAudio, ALSA, a file) the driver's thread renders a
period at a time on the sound card's clock: the tick read at a moment jumps by a period at
each callback, the card's clock drifts against ours (tens of ppm, a few ms a minute), and an
xrun or a server hiccup shifts it for good. So the mapping is measured, not assumed:
``AudioAnchor`` keeps the offset (tick - time x rate) seen right after a callback (the largest
offset of the last half second), and ``AudioClockSampler`` feeds it from a small thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

SAMPLE_EVERY_S = 0.004  # how often the sampler reads the sequencer's tick
WINDOW_NS = 500_000_000  # the offset is the largest seen in this long (> any driver's period)
TIGHT_READ_NS = 200_000  # a reading whose two clock reads lie further apart is dropped
JUMP_S = 0.015  # a shift this large (an xrun, a server restart) re-anchors at once


class AudioAnchor:
    """The ns -> tick mapping: ``tick(t) = t * rate + offset``, the offset re-measured.

    ``observe`` runs on the sampler's thread, ``tick_at`` on any thread: the offset is one
    float, replaced whole (no lock needed)."""

    def __init__(self, rate: float, reference_ns: int, reference_tick: int):
        self.rate_per_ns = rate / 1e9
        self.offset = reference_tick - reference_ns * self.rate_per_ns
        self._window: deque[tuple[int, float]] = deque()
        self._last_tick: int | None = None
        self.running = False  # the driver has rendered since the anchor was made
        self.reanchors = 0  # jumps larger than JUMP_S: xruns, restarts

    def tick_at(self, time_ns: int) -> int:
        """The sequencer tick of an absolute time. Any thread."""
        return round(time_ns * self.rate_per_ns + self.offset)

    def observe(self, time_ns: int, tick: int) -> None:
        """One reading of (time, the sequencer's tick); the sampler's thread."""
        if self._last_tick is None or tick == self._last_tick:
            self._last_tick = tick  # not rendering (yet): the reference stands
            return
        self._last_tick = tick
        offset = tick - time_ns * self.rate_per_ns
        window = self._window
        while window and time_ns - window[0][0] > WINDOW_NS:
            window.popleft()
        while window and window[-1][1] <= offset:
            window.pop()  # a monotone deque: the front is the window's largest
        window.append((time_ns, offset))
        best = window[0][1]
        jump = abs(best - self.offset) / (self.rate_per_ns * 1e9)
        if not self.running or jump > JUMP_S:
            self.reanchors += self.running
            self._window = deque([(time_ns, offset)])
            best = offset
        self.running = True
        self.offset = best


class AudioClockSampler:
    """A daemon thread that feeds an ``AudioAnchor`` with (time, tick) readings until stopped."""

    def __init__(self, anchor: AudioAnchor, now_ns: Callable[[], int],
                 read_tick: Callable[[], int]):
        self.anchor, self._now_ns, self._read_tick = anchor, now_ns, read_tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audio-clock", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self.sample()

    def sample(self) -> None:
        """Read the tick between two clock reads; keep the reading if they lie close."""
        before = self._now_ns()
        tick = self._read_tick()
        after = self._now_ns()
        if after - before <= TIGHT_READ_NS:
            self.anchor.observe((before + after) // 2, tick)

    def await_rendering(self, timeout_s: float) -> bool:
        """Wait until the driver has rendered (the anchor runs), at most ``timeout_s``: a note
        scheduled before would sound late by the driver's start-up. The owner's thread."""
        deadline = time.monotonic() + timeout_s
        while not self.anchor.running and time.monotonic() < deadline:
            self.sample()
            time.sleep(0.001)
        return self.anchor.running

    def stop(self) -> None:
        """Stop sampling and join the thread (the owner's thread)."""
        self._stop.set()
        self._thread.join(2)
