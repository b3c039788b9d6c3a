"""The audio clock: which sequencer tick an absolute time is, kept true while a driver renders.

FluidSynth's sequencer follows the samples the synth renders (a sample timer). Without a
driver our render thread renders on the real clock, so tick and time stay in step by
construction. With a driver (JACK, PulseAudio, ALSA, a file) the driver's thread renders a
period at a time on the sound card's clock: the tick read at a moment jumps by a period at
each callback, the card's clock drifts against ours (tens of ppm on a sound card; a dummy
JACK server on a busy machine slips by percents), and an xrun or a server hiccup shifts it
for good. So the mapping is measured, not assumed: ``AudioAnchor`` fits a line through the
offsets (tick - time x rate) seen right after callbacks, and ``AudioClockSampler`` feeds it
from a small thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from coperformer.common.threads import ended

SAMPLE_EVERY_S = 0.004  # how often the sampler reads the sequencer's tick
BUCKET_NS = 100_000_000  # the largest offset of each 0.1 s: the moment right after a callback
FIT_BUCKETS = 6  # the line goes through the last 0.6 s of them (a driver's start-up burst
# leaves it soon; longer than any period)
MAX_DRIFT = 0.05  # a slope beyond 5 % is not a clock: held at this
DRIFT_FLOOR = 0.003  # a slope under 0.3 % is the readings' noise (a card drifts 0.01 %): 0
STEADY_S = 0.003  # the last buckets agree this well once the driver has settled
STEADY_BUCKETS = 5  # for this many (0.5 s: PulseAudio's first second comes in bursts)
TIGHT_READ_NS = 200_000  # a reading whose two clock reads lie further apart is dropped
JUMP_S = 0.015  # a shift this large (an xrun, a server restart) re-anchors at once


class AudioAnchor:
    """The ns -> tick mapping: ``tick(t) = t * rate + offset + drift * (t - at)``.

    The offset (tick - time x rate) read right after a driver's callback is the largest of
    the readings around it: each 0.1 s keeps its largest, and a line through the last 0.6 s of
    them gives the offset and its drift, less ``ahead_ticks`` (a callback leaves the tick its
    period past the frame heard then, but for the sequencer's last 64-frame block, whose
    start the tick shows). ``observe`` runs on the sampler's thread, ``tick_at`` on any
    thread: the line is one tuple, replaced whole (no lock needed)."""

    def __init__(self, rate: float, reference_ns: int, reference_tick: int,
                 ahead_ticks: int = 0):
        self.rate_per_ns = rate / 1e9
        self.ahead = ahead_ticks
        self.line = (reference_ns, reference_tick - reference_ns * self.rate_per_ns, 0.0)
        self._buckets: deque[tuple[int, int, float]] = deque(maxlen=FIT_BUCKETS)
        self._last_tick: int | None = None
        self.running = False  # the driver has rendered since the anchor was made
        self.reanchors = 0  # jumps larger than JUMP_S: xruns, restarts

    def tick_at(self, time_ns: int) -> int:
        """The sequencer tick of an absolute time. Any thread."""
        at, offset, drift = self.line
        return round(time_ns * self.rate_per_ns + offset + drift * (time_ns - at))

    @property
    def steady(self) -> bool:
        """Whether the last five whole buckets agree (the driver renders at its pace, its
        start-up's late or hurried periods behind). Any thread."""
        tops = [top for _, _, top in list(self._buckets)[-STEADY_BUCKETS - 1:-1]]
        return len(tops) == STEADY_BUCKETS and (
            max(tops) - min(tops)) / self.rate_per_ns / 1e9 <= STEADY_S

    def observe(self, time_ns: int, tick: int) -> None:
        """One reading of (time, the sequencer's tick); the sampler's thread."""
        if self._last_tick is None or tick == self._last_tick:
            self._last_tick = tick  # not rendering (yet): the reference stands
            return
        self._last_tick = tick
        offset = tick - time_ns * self.rate_per_ns
        expected = self.tick_at(time_ns) + self.ahead - time_ns * self.rate_per_ns
        jump = JUMP_S * self.rate_per_ns * 1e9
        if not self.running or offset > expected + jump:
            self._reanchor(time_ns, offset)
            return
        start, at, top = self._buckets[-1]
        if time_ns - start < BUCKET_NS:
            if offset > top:
                self._buckets[-1] = (start, time_ns, offset)
        elif top < expected - jump:  # a whole bucket below the line: the clock fell back
            self._reanchor(time_ns, offset)
            return
        else:
            self._buckets.append((time_ns, time_ns, offset))
        self.line = self._fit()

    def _reanchor(self, time_ns: int, offset: float) -> None:
        """Start afresh from this reading (counted, but for the first)."""
        self.reanchors += self.running
        self.running = True
        self._buckets.clear()
        self._buckets.append((time_ns, time_ns, offset))
        self.line = (time_ns, offset - self.ahead, 0.0)

    def _fit(self) -> tuple[int, float, float]:
        """The line through the buckets' largest offsets: (time, offset there, drift)."""
        points = [(at, top) for _, at, top in self._buckets]
        newest = points[-1][0]
        if len(points) < 3:
            return (newest, max(top for _, top in points) - self.ahead, 0.0)
        times = [at - newest for at, _ in points]
        mean_t = sum(times) / len(times)
        mean_o = sum(top for _, top in points) / len(points)
        spread = sum((t - mean_t) ** 2 for t in times)
        drift = sum((t - mean_t) * (top - mean_o)
                    for t, (_, top) in zip(times, points, strict=True)) / spread
        limit = MAX_DRIFT * self.rate_per_ns
        drift = min(max(drift, -limit), limit)
        if abs(drift) < DRIFT_FLOOR * self.rate_per_ns:
            drift = 0.0
        return (newest, mean_o - drift * mean_t - self.ahead, drift)


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
        """Wait until the driver renders at its pace (the anchor steady), at most
        ``timeout_s``: a driver's first periods come late or in a burst, and a note scheduled
        then would be mapped from them. The owner's thread."""
        deadline = time.monotonic() + timeout_s
        while not self.anchor.steady and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.anchor.steady

    def stop(self) -> bool:
        """Stop sampling and join the thread; whether it ended (the owner's thread)."""
        self._stop.set()
        return ended(self._thread)
