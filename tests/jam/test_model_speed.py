"""The model's speed is measured at every Play, robustly: the real model, the real jam."""

import ctypes
import threading
import time
import warnings

import pytest

from coperformer.engine.session_config import DEFAULT_MARGIN_MS
from coperformer.jam.jam import Jam, JamError
from coperformer.jam.options import JamOptions
from coperformer.model.runtime import SPEED_BUDGET_S, SPEED_CALLS, SPEED_WARM_CALLS
from coperformer.model.store import load_model

SPEED_TRIES = 3  # a measurement the host cut short is taken again


def burn(seconds: float) -> None:
    """Spend this much of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class BusyMoment:
    """The model's own backend, its next ``calls`` calls each ``seconds`` of CPU slower (cold
    caches, a slow moment of the model itself), then as fast as it is."""

    def __init__(self, backend, calls: int, seconds: float):
        self.backend, self.calls, self.seconds = backend, calls, seconds
        self.name, self.metadata_json = backend.name, backend.metadata_json
        self.answered = 0  # calls, slow or not

    def __call__(self, *inputs):
        self.answered += 1
        if self.calls > 0:
            self.calls -= 1
            burn(self.seconds)
        return self.backend(*inputs)


def _build(options: JamOptions) -> Jam:
    jam = Jam.build(options)
    jam.finish()
    return jam


def test_a_slow_figure_from_the_load_does_not_refuse_the_next_play(melody_file, shipped_model):
    model = load_model(str(shipped_model))
    model.bar_ms = 99.0  # what the window's start measured once, on a busy machine
    jam = _build(JamOptions(input=str(melody_file), model=str(shipped_model)))
    assert jam.model is model and model.bar_ms < DEFAULT_MARGIN_MS / 2  # measured again
    assert not any("decision margin" in warning for warning in jam.warnings)


def test_one_slow_measurement_never_refuses_a_jam(melody_file, shipped_model):
    model = load_model(str(shipped_model))
    real = model._backend
    # a whole measurement in a slow moment: every one of its bars 30 ms slower
    busy = model._backend = BusyMoment(real, SPEED_WARM_CALLS + SPEED_CALLS, 0.03)
    try:
        jam = _build(JamOptions(input=str(melody_file), model=str(shipped_model)))
    finally:
        model._backend = real
    assert busy.calls == 0, "Play measured the model"
    assert model.bar_ms < DEFAULT_MARGIN_MS / 2, "measured again; the lower median counts"
    assert not any("decision margin" in warning for warning in jam.warnings)


def test_a_few_slow_bars_inside_a_measurement_do_not_count(shipped_model):
    """Two slow bars of the nine timed. The measurement stops timing after SPEED_BUDGET_S of
    wall time (three bars at least): a host that gives the test a quarter of a core (or
    stalls it 0.4 s) spends it on the slow bars' 0.1 s of CPU, and the median of three holds
    both; such a measurement (fewer than nine bars timed) is the host's and is taken again."""
    model = load_model(str(shipped_model))
    real = model._backend
    for _ in range(SPEED_TRIES):
        busy = model._backend = BusyMoment(real, SPEED_WARM_CALLS + 2, 0.05)
        try:
            bar_ms = model.measure_speed()
        finally:
            model._backend = real
        if bar_ms < DEFAULT_MARGIN_MS / 2 or busy.answered == SPEED_WARM_CALLS + SPEED_CALLS:
            break  # judged below: fast, or the median of every bar
        warnings.warn(f"{busy.answered - SPEED_WARM_CALLS} bars timed within "
                      f"{SPEED_BUDGET_S} s: measured again", stacklevel=1)
    assert bar_ms < DEFAULT_MARGIN_MS / 2, (bar_ms, busy.answered)  # the median


def test_a_model_slow_every_time_is_still_refused(melody_file, shipped_model):
    model = load_model(str(shipped_model))
    real = model._backend
    model._backend = BusyMoment(real, 10_000, 0.05)
    try:
        with pytest.raises(JamError, match="too slow to play live.*Margin in the window"):
            Jam.build(JamOptions(input=str(melody_file), model=str(shipped_model),
                                 margin_ms=30))
        assert model.bar_ms > 30
    finally:
        model._backend = real


def test_another_thread_holding_the_interpreter_is_not_the_model_being_slow(melody_file,
                                                                           shipped_model):
    """The window's first Play while its loader imports torch: the measuring thread waits for
    the interpreter between its bars; that wait is not the model's speed."""
    model = load_model(str(shipped_model))
    stop = threading.Event()

    sleep_holding_the_interpreter = ctypes.PyDLL(None).usleep  # PyDLL keeps the GIL
    sleep_holding_the_interpreter.argtypes = [ctypes.c_uint]

    def hold_the_interpreter() -> None:
        while not stop.is_set():  # as an import does, ~40 ms at a time; no core taken (on a
            sleep_holding_the_interpreter(40_000)  # 2-vCPU machine a busy holder slowed the
            # model's own CPU time 2x: a shared core, not the interpreter)

    holder = threading.Thread(target=hold_the_interpreter, daemon=True)
    holder.start()
    try:
        jam = _build(JamOptions(input=str(melody_file), model=str(shipped_model)))
    finally:
        stop.set()
        holder.join()
    assert model.bar_ms < DEFAULT_MARGIN_MS / 2
    assert not any("decision margin" in warning for warning in jam.warnings)
