"""The two ways to run an exported generator: its TorchScript module (the reference; torch is
imported with the first one) and the numpy pass that starts the window's band while torch is
still being imported. Both take numpy inputs and answer numpy logits."""

from __future__ import annotations

import queue
import tempfile
import threading
import time
import warnings
import weakref
from pathlib import Path
from typing import Protocol

import numpy as np

from coperformer.common.errors import first_line
from coperformer.common.stopping import abandon
from coperformer.model.errors import ModelError
from coperformer.model.numpy_generator import NumpyGenerator, input_shapes

AGREEMENT_ROUNDS = 6  # per batch size: also TorchScript's warm-up (it optimizes on first calls)
AGREEMENT_TOLERANCE = 1e-4  # largest logit difference, relative to the largest logit


class Backend(Protocol):
    """Runs the generator: six float32 inputs -> (pitch logits, onset logits)."""

    name: str
    metadata_json: str

    def __call__(self, *inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The module's answer for one batch (the thread that owns the model)."""
        ...


class TorchScriptBackend:
    """The TorchScript module, run on one CPU thread with inference mode."""

    name = "TorchScript"

    def __init__(self, path: str | Path, data: bytes, threads: int = 1,
                 deadline_s: float | None = None):
        """Load the module from ``data``, the model file's bytes (read once and checked by the
        caller: the bytes trusted are the bytes run). With ``deadline_s`` each call runs on a
        thread of its own and a call that has not answered by then is abandoned
        (TimeoutError, then every later call too): a module that is not ours."""
        import torch

        self._torch = torch
        torch.set_num_threads(threads)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                self._module = _load_private_copy(torch, data)
            self.metadata_json = self._module.metadata()
        except (RuntimeError, ValueError, AttributeError, OSError) as exc:
            raise ModelError(f"{path}: not a coperformer model ({first_line(exc)})") from exc
        self._module.eval()
        self._run = self._answer if deadline_s is None else _Deadline(
            self._answer, deadline_s, lambda: torch.set_num_threads(threads))  # per thread

    @property
    def worker_cpu_ns(self) -> int:
        """CPU time the calls spent on the deadline's thread (0 without one; any thread)."""
        return self._run.cpu_ns if isinstance(self._run, _Deadline) else 0

    def __call__(self, *inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The module's answer as numpy arrays (TypeError when it is not two tensors;
        TimeoutError past the deadline; the thread that owns the model)."""
        return self._run(*inputs)

    def _answer(self, *inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        torch = self._torch
        with torch.inference_mode():
            answer = self._module(*(torch.from_numpy(x) for x in inputs))
        if not (isinstance(answer, tuple) and len(answer) == 2
                and all(isinstance(part, torch.Tensor) for part in answer)):
            raise TypeError(f"the model answered {type(answer).__name__}, not two tensors")
        return answer[0].numpy(), answer[1].numpy()


class _Deadline:
    """Calls a function on a daemon thread of its own and waits for its answer until a
    deadline; a call past it is abandoned with its thread (common/stopping.abandon)."""

    def __init__(self, function, deadline_s: float, setup=lambda: None):
        """``function``: a bound method; its object's end ends the thread (no module is kept
        alive by the thread that serves it)."""
        self._function, self._deadline_s = weakref.WeakMethod(function), deadline_s
        self._setup = setup
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        weakref.finalize(function.__self__, self._requests.put, None)
        self._stuck = False
        self.cpu_ns = 0  # the calls' CPU time on this thread, for the caller's speed figure
        self._thread = threading.Thread(target=self._serve, name="model-call", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._setup()
        while (request := self._requests.get()) is not None:
            inputs, answer, done = request
            started = time.thread_time_ns()
            function = self._function()
            try:
                if function is None:
                    raise TimeoutError("the model is gone")
                answer.append((True, function(*inputs)))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                answer.append((False, exc))
            finally:
                function = None  # the thread keeps no module alive between calls
            self.cpu_ns += time.thread_time_ns() - started
            done.set()
            request = answer = inputs = done = None  # nor an answer (a traceback) after it

    def __call__(self, *inputs):
        """The function's answer, or its exception; TimeoutError past the deadline (the
        thread that owns the model)."""
        if self._stuck:
            raise TimeoutError("the model stopped answering before")
        answer: list = []
        done = threading.Event()
        self._requests.put((inputs, answer, done))
        if not done.wait(self._deadline_s):
            self._stuck = True
            abandon(self._thread)
            raise TimeoutError(f"no answer within {self._deadline_s:g} s")
        ok, value = answer[0]
        if ok:
            return value
        raise value


class NumpyBackend:
    """The standard generator's forward pass in numpy (no torch needed)."""

    name = "numpy"

    def __init__(self, path: str | Path, data: bytes | None = None):
        self._generator = NumpyGenerator(path, data)
        self.metadata_json = self._generator.metadata_json

    def __call__(self, *inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The generator's logits (the thread that owns the model)."""
        return self._generator(*inputs)


def largest_difference(first: Backend, second: Backend, batches: tuple[int, ...],
                       rounds: int = AGREEMENT_ROUNDS, seed: int = 0) -> float:
    """The largest logit difference between two backends on random inputs, relative to the
    largest logit (the calling thread owns both)."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(rounds):
        for batch in batches:
            inputs = [rng.standard_normal(shape).astype(np.float32)
                      for shape in input_shapes(batch)]
            for a, b in zip(first(*inputs), second(*inputs), strict=True):
                scale = max(1.0, float(np.abs(b).max()))
                worst = max(worst, float(np.abs(a - b).max()) / scale)
    return worst


def _load_private_copy(torch, data: bytes):
    """torch.jit.load of exactly ``data``, through a copy in a private folder of our own (0700,
    gone after): from a file torch holds the interpreter 19-23 ms, from memory 21-44 ms, and a
    worker deciding a bar waits that long when a style loads mid-jam."""
    with tempfile.TemporaryDirectory(prefix="coperformer-model-") as folder:
        copy = Path(folder) / "model.pt"
        with open(copy, "xb") as out:
            out.write(data)
        return torch.jit.load(str(copy), map_location="cpu")
