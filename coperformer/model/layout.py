"""The generator's layer layout, one fact in one place: the torch network is built from it and
the numpy runtime reads a saved model with it (pure data, any thread, no torch)."""

from __future__ import annotations

from dataclasses import dataclass

from coperformer.music.meter import MAX_BAR_STEPS

LEAK = 0.2  # LeakyReLU slope after every hidden layer
TRUNK_CHANNELS = 64  # the trunk's output is read as [TRUNK_CHANNELS, MAX_BAR_STEPS]
TRUNK_WIDTH = 512  # the trunk's hidden layer


@dataclass(frozen=True)
class Conv:
    """A 1-D convolution: output channels (None: the network's ``hidden`` width), kernel,
    stride and padding."""

    out: int | None
    kernel: int
    stride: int = 1
    padding: int = 0


CONTEXT_CONVS = (Conv(96, 4, 2, 1), Conv(128, 4, 2, 1), Conv(128, 4, 2, 1))  # 64 -> 8 steps
MELODY_CONVS = (Conv(96, 3, 1, 1), Conv(96, 4, 2, 1))  # 16 -> 8 steps
DECODER_CONVS = (Conv(None, 3, 1, 1), Conv(None, 3, 1, 1))  # then a 1x1 to the band's logits
STEPS = MAX_BAR_STEPS


def conv_output_length(length: int, conv: Conv) -> int:
    """Steps out of ``conv`` for ``length`` steps in."""
    return (length + 2 * conv.padding - conv.kernel) // conv.stride + 1


def stack_output_length(length: int, convs: tuple[Conv, ...]) -> int:
    """Steps out of a stack of convolutions."""
    for conv in convs:
        length = conv_output_length(length, conv)
    return length
