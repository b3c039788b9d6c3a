"""A live bar of the shipped model, timed as a Play measures it (BandModel.measure_speed: the
measuring thread's CPU clock) and by the wall clock, on the numpy pass and on TorchScript,
alone and while another thread holds the interpreter in long C calls (as the window's model
loader does while it imports torch). OPENBLAS_NUM_THREADS is 1 unless you set it (the package
sets it before numpy loads); set it to 2 to see what OpenBLAS's helper threads cost.
Run: .venv/bin/python scripts/model_speed.py [bars]"""

import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import coperformer  # noqa: E402, F401, I001 - first: it sets OPENBLAS_NUM_THREADS before numpy loads
import numpy as np  # noqa: E402
from coperformer.model.runtime import DUMMY_CHORD, BandModel, _dummy_bar  # noqa: E402
from coperformer.model.store import resolve_model  # noqa: E402


def timed(model: BandModel, bars: int) -> tuple[float, float]:
    """Median wall and thread-CPU ms of ``bars`` live bars."""
    context, current, profile, rng = _dummy_bar()
    wall, cpu = [], []
    for _ in range(bars):
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        model.generate(context, current, False, rng, profile, DUMMY_CHORD)
        cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - started) / 1e6)
    return float(np.median(wall)), float(np.median(cpu))


def holding_the_interpreter(stop: threading.Event) -> None:
    """Long C calls that never let the interpreter go (~30-60 ms each)."""
    while not stop.is_set():
        sum(range(3_000_000))


def main() -> None:
    """Time both backends, alone and beside a thread holding the interpreter."""
    bars = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, {bars} live bars")
    for quick in (True, False):
        model = BandModel(resolve_model(None), quick_start=quick)
        model.warm_up()
        wall, cpu = timed(model, bars)
        stop = threading.Event()
        holder = threading.Thread(target=holding_the_interpreter, args=(stop,), daemon=True)
        holder.start()
        busy_wall, busy_cpu = timed(model, bars)
        measured = model.measure_speed()
        stop.set()
        holder.join()
        print(f"{model.runtime:11s} alone: wall {wall:6.1f} ms, CPU {cpu:5.1f} ms | another "
              f"thread holding the interpreter: wall {busy_wall:6.1f} ms, CPU {busy_cpu:5.1f} "
              f"ms, measure_speed {measured:5.1f} ms")


if __name__ == "__main__":
    main()
