"""Facts about this process and machine: CPU time used, a one-line machine description."""

from __future__ import annotations

import gc
import os
import platform
import resource
import sys


def cpu_seconds() -> float:
    """User plus system CPU time this process has used, in seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine() -> str:
    """A one-line description of this machine (CPU model, cores, operating system)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle
                     if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def freeze_heap() -> None:
    """Collect garbage now, then move every object alive to the collector's permanent
    generation: a live session never waits for a full collection walking torch's and Qt's
    objects (65-105 ms each on this machine, one every few minutes: missed deadlines)."""
    gc.collect()
    gc.freeze()


LIVE_SWITCH_INTERVAL_S = 0.0005  # while a jam runs
DEFAULT_SWITCH_INTERVAL_S = sys.getswitchinterval()  # Python's own (5 ms)


def share_the_interpreter() -> None:
    """Let a thread that waits for the interpreter have it within half a millisecond: a style
    loading and warming up on a helper thread (numpy or TorchScript, 36 bars) otherwise held
    it in 5 ms slices, and the worker's 2 ms decision took 140-180 ms: a missed bar.
    ``unshare_the_interpreter`` puts Python's default back when the jam ends."""
    sys.setswitchinterval(LIVE_SWITCH_INTERVAL_S)


def unshare_the_interpreter() -> None:
    """Python's default switch interval again (after a jam: the finer one costs switches)."""
    sys.setswitchinterval(DEFAULT_SWITCH_INTERVAL_S)


def thaw_heap() -> None:
    """Undo freeze_heap(): the frozen objects are collected as usual again."""
    gc.unfreeze()
