"""How steadily the host ran while a real-time test or the soak ran: a process of its own
sleeps a few milliseconds at a time and notes each wake that came late, measured from the wake
before (so a stop between two naps counts as well as one inside a nap). Its lateness is the
host's (another job, a hypervisor taking the cores away), never the app's own GIL or work, so a
missed deadline is excused only by a stall measured outside the app."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings

LATE_REACH_NS = 100_000_000  # a late cycle or a host's stall this near an event may lose it

PROBE_SCRIPT = r"""
import json, sys, threading, time
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
stalls, nap_ns = [], 2_000_000
print("ready", flush=True)
woke = time.perf_counter_ns()
while not done.is_set():
    time.sleep(nap_ns / 1e9)
    before, woke = woke, time.perf_counter_ns()
    late_ns = woke - before - nap_ns
    if late_ns > 5_000_000:
        stalls.append([before, late_ns / 1e6])
print(json.dumps(stalls), flush=True)
"""


STARVED_SHARE = 0.05  # measured: 0.7-1.4 % on a steady 2-core host, 20-24 % under a quota of
# 0.45 of a core, where a JACK client's output lost a third of the beats


class HostProbe:
    """A context manager around a real-time test: ``stalls`` lists (monotonic ns, ms late) of
    every wake of the probe more than 5 ms late."""

    def __init__(self) -> None:
        self.stalls: list[tuple[int, float]] = []
        self._process: subprocess.Popen | None = None
        self._span_ns = (0, 0)  # when the probe ran: entered, exited

    def __enter__(self) -> HostProbe:
        self._process = subprocess.Popen([sys.executable, "-c", PROBE_SCRIPT],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True)
        if self._process.stdout.readline().strip() != "ready":
            raise RuntimeError("the host probe did not start")
        self._span_ns = (time.perf_counter_ns(), 0)
        return self

    def __exit__(self, *exc) -> None:
        self._span_ns = (self._span_ns[0], time.perf_counter_ns())
        out, _ = self._process.communicate("", timeout=30)
        self.stalls = [(int(at), float(ms)) for at, ms in json.loads(out)]

    @property
    def pid(self) -> int:
        """The probe's process id."""
        return self._process.pid

    def longer_than(self, ms: float) -> int:
        """How many times the host held the probe back longer than ``ms``."""
        return sum(1 for _, late in self.stalls if late > ms)

    def stalled_share(self) -> float:
        """The share of the probe's time the host held it back (a steady host: about 1 %; a
        2-core host starved to half a core: 20 %)."""
        start, end = self._span_ns
        return sum(late for _, late in self.stalls) * 1e6 / max(1, end - start)

    def late_moments(self, xruns_ns: list[int]) -> list[int]:
        """When something outside the app ran late: the JACK server's xruns (a client or the
        server late for a cycle, whose MIDI and sound that cycle may be lost) and each of the
        host's stalls, its start and its end (monotonic ns)."""
        stalls = [at for at, _ in self.stalls] + [round(at + ms * 1e6) for at, ms in self.stalls]
        return sorted(list(xruns_ns) + stalls)

    def starved(self, server_late: tuple[int, int] = (0, 0)) -> bool:
        """Whether the host held the probe back so much (``STARVED_SHARE`` of its time), or a
        JACK server's cycles ran late so often (``server_late``: its xruns, its cycles; the
        same share of them), that a real-time client's own cycles went unserved: sound lost is
        then the host's."""
        xruns, cycles = server_late
        share = max(self.stalled_share(), xruns / max(1, cycles))
        starved = share > STARVED_SHARE
        if starved:
            warnings.warn(f"the host was stalled {self.stalled_share():.0%} of the time, the "
                          f"server ran late in {xruns} of {cycles} cycles: sound it lost is not "
                          "judged", stacklevel=2)
        return starved
