"""The exported generator's forward pass in numpy, from the weights in its TorchScript archive:
the band can play while torch is still being imported (the window's quick start). The layers
come from layout.py, the same facts the torch network is built from."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coperformer.model.archive import read_archive
from coperformer.model.errors import ModelError
from coperformer.model.layout import (
    CONTEXT_CONVS,
    DECODER_CONVS,
    LEAK,
    MELODY_CONVS,
    STEPS,
    TRUNK_CHANNELS,
    Conv,
)
from coperformer.music import features as F

EXPORT_CLASS = "__torch__.coperformer.model.export.ExportedGenerator"
GENERATOR_CLASS = "__torch__.coperformer.model.network.Generator"
FINAL_CONV = Conv(None, 1)


class NumpyGenerator:
    """Runs a standard exported generator with numpy (one thread at a time)."""

    def __init__(self, path: str | Path, data: bytes | None = None):
        contents = read_archive(path, data)
        generator = contents.root.child("generator")
        if contents.root.class_name != EXPORT_CLASS or generator is None \
                or generator.class_name != GENERATOR_CLASS:
            raise ModelError(f"{path}: not a standard coperformer generator")
        self.metadata_json = str(contents.root.attributes.get("metadata_json", ""))
        self.weights = {name.removeprefix("generator."): value.astype(np.float32)
                        for name, value in contents.tensors.items()}
        self._matrices: dict[str, np.ndarray] = {}
        self._check_layers(path)

    def _check_layers(self, path: str | Path) -> None:
        """ModelError unless every layer the forward pass reads is there, shaped to fit."""
        try:
            self(*(np.zeros(shape, np.float32) for shape in input_shapes(1)))
        except (KeyError, ValueError) as exc:
            raise ModelError(f"{path}: the generator's layers do not fit the standard layout "
                             f"({exc})") from exc

    def __call__(self, context, melody, meter, mode, profile, noise
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Pitch logits [N, voices, BAND_CLASSES, 16] and onset logits [N, voices, 16] (one
        thread at a time)."""
        context_code = self._dense("encoder.context_out",
                                   self._convs("encoder.context", context, CONTEXT_CONVS))
        melody_code = self._dense("encoder.melody_out",
                                  self._convs("encoder.melody", melody, MELODY_CONVS))
        condition = np.concatenate([_leaky(context_code), _leaky(melody_code),
                                    meter, mode, profile, noise], axis=1)
        hidden = _leaky(self._dense("trunk.0", condition))
        sequence = _leaky(self._dense("trunk.2", hidden)).reshape(-1, TRUNK_CHANNELS, STEPS)
        decoded = self._convs("decoder", np.concatenate([sequence, melody], axis=1),
                              DECODER_CONVS)
        out = self._conv(f"decoder.{2 * len(DECODER_CONVS)}", decoded, FINAL_CONV)
        out = out.reshape(out.shape[0], F.BAND_VOICES, F.BAND_CLASSES + 1, STEPS)
        return out[:, :, : F.BAND_CLASSES], out[:, :, F.BAND_CLASSES]

    def _convs(self, prefix: str, x: np.ndarray, convs: tuple[Conv, ...]) -> np.ndarray:
        """A stack of convolutions, each followed by the activation, flattened at the end."""
        for index, conv in enumerate(convs):
            x = _leaky(self._conv(f"{prefix}.{2 * index}", x, conv))
        return x if prefix == "decoder" else x.reshape(x.shape[0], -1)

    def _conv(self, name: str, x: np.ndarray, conv: Conv) -> np.ndarray:
        """One 1-D convolution [N, C, L] -> [N, O, L'] (weights [O, C, K])."""
        weight, bias = self.weights[f"{name}.weight"], self.weights[f"{name}.bias"]
        out_channels, channels, kernel = weight.shape
        if x.shape[1] != channels:
            raise ValueError(f"{name} takes {channels} channels, gets {x.shape[1]}")
        batch, _, length = x.shape
        padded = np.zeros((batch, channels, length + 2 * conv.padding), np.float32)
        padded[:, :, conv.padding : conv.padding + length] = x
        windows = np.lib.stride_tricks.sliding_window_view(padded, kernel, axis=2)
        windows = windows[:, :, :: conv.stride]  # [N, C, L', K]
        steps = windows.shape[2]
        columns = windows.transpose(0, 2, 1, 3).reshape(batch * steps, channels * kernel)
        out = columns @ self._matrix(name, weight) + bias
        return out.reshape(batch, steps, out_channels).transpose(0, 2, 1)

    def _dense(self, name: str, x: np.ndarray) -> np.ndarray:
        """One linear layer (weights [out, in])."""
        weight, bias = self.weights[f"{name}.weight"], self.weights[f"{name}.bias"]
        if x.shape[1] != weight.shape[1]:
            raise ValueError(f"{name} takes {weight.shape[1]} inputs, gets {x.shape[1]}")
        return x @ self._matrix(name, weight) + bias

    def _matrix(self, name: str, weight: np.ndarray) -> np.ndarray:
        """The layer's weights as one contiguous [inputs, outputs] matrix (made once)."""
        matrix = self._matrices.get(name)
        if matrix is None:
            matrix = np.ascontiguousarray(weight.reshape(weight.shape[0], -1).T)
            self._matrices[name] = matrix
        return matrix


def input_shapes(batch: int) -> list[tuple[int, ...]]:
    """The shapes of the model's six inputs for ``batch`` bars."""
    return [(batch, F.CONTEXT_CHANNELS, F.CONTEXT_BARS * STEPS), (batch, F.MELODY_CHANNELS, STEPS),
            (batch, F.METER_SIZE), (batch, 1), (batch, F.PROFILE_SIZE), (batch, F.NOISE_SIZE)]


def _leaky(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, x * np.float32(LEAK))
