"""The two ways to run an exported generator: its TorchScript module (the reference; torch is
imported with the first one) and the numpy pass that starts the window's band while torch is
still being imported. Both take numpy inputs and answer numpy logits."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Protocol

import numpy as np

from coperformer.common.errors import first_line
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

    def __init__(self, path: str | Path, data: bytes, threads: int = 1):
        """Load the module from ``data``, the model file's bytes (read once and checked by the
        caller: the bytes trusted are the bytes run)."""
        import torch

        self._torch = torch
        torch.set_num_threads(threads)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                self._module = torch.jit.load(io.BytesIO(data), map_location="cpu")
            self.metadata_json = self._module.metadata()
        except (RuntimeError, ValueError, AttributeError, OSError) as exc:
            raise ModelError(f"{path}: not a coperformer model ({first_line(exc)})") from exc
        self._module.eval()

    def __call__(self, *inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The module's answer as numpy arrays (TypeError when it is not two tensors; the
        thread that owns the model)."""
        torch = self._torch
        with torch.inference_mode():
            answer = self._module(*(torch.from_numpy(x) for x in inputs))
        if not (isinstance(answer, tuple) and len(answer) == 2
                and all(isinstance(part, torch.Tensor) for part in answer)):
            raise TypeError(f"the model answered {type(answer).__name__}, not two tensors")
        return answer[0].numpy(), answer[1].numpy()


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
