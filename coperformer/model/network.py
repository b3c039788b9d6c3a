"""The conditional GAN: a generator of the next band bar and a critic of (condition, bar).

Modules run on one thread at a time: the training thread (the live worker runs the exported
TorchScript copy).
"""

from __future__ import annotations

import torch
import torch.nn.functional as TF
from torch import nn

from coperformer.model.layout import (
    CONTEXT_CONVS,
    DECODER_CONVS,
    LEAK,
    MELODY_CONVS,
    STEPS,
    TRUNK_CHANNELS,
    TRUNK_WIDTH,
    Conv,
    stack_output_length,
)
from coperformer.music import features as F


def _act() -> nn.Module:
    return nn.LeakyReLU(LEAK)


def conv_stack(channels: int, convs: tuple[Conv, ...], hidden: int = 0) -> list[nn.Module]:
    """Convolutions from the layout, each followed by the activation (the training thread)."""
    layers: list[nn.Module] = []
    for conv in convs:
        out = conv.out or hidden
        layers += [nn.Conv1d(channels, out, conv.kernel, conv.stride, conv.padding), _act()]
        channels = out
    return layers


class ConditionEncoder(nn.Module):
    """Encodes the past bars and the (maybe hidden) current melody into one vector."""

    __constants__ = ["leak"]

    def __init__(self, width: int = 256):
        super().__init__()
        self.leak = LEAK
        self.context = nn.Sequential(*conv_stack(F.CONTEXT_CHANNELS, CONTEXT_CONVS))
        context_steps = stack_output_length(F.CONTEXT_BARS * STEPS, CONTEXT_CONVS)
        self.context_out = nn.Linear(CONTEXT_CONVS[-1].out * context_steps, width)
        self.melody = nn.Sequential(*conv_stack(F.MELODY_CHANNELS, MELODY_CONVS))
        melody_steps = stack_output_length(STEPS, MELODY_CONVS)
        self.melody_out = nn.Linear(MELODY_CONVS[-1].out * melody_steps, width)
        self.out_size = 2 * width + F.METER_SIZE + 1 + F.PROFILE_SIZE

    def forward(self, context, melody, meter, mode, profile):
        """Condition vector [N, out_size]."""
        c = self.context_out(self.context(context).flatten(1))
        m = self.melody_out(self.melody(melody).flatten(1))
        parts = [TF.leaky_relu(c, self.leak), TF.leaky_relu(m, self.leak), meter, mode, profile]
        return torch.cat(parts, dim=1)


class Generator(nn.Module):
    """Past bars + current melody (offline) + noise -> logits of the next band bar."""

    __constants__ = ["steps", "voices", "classes", "trunk_channels"]

    def __init__(self, width: int = 256, hidden: int = 160):
        super().__init__()
        self.steps, self.voices, self.classes = STEPS, F.BAND_VOICES, F.BAND_CLASSES
        self.trunk_channels = TRUNK_CHANNELS
        self.encoder = ConditionEncoder(width)
        self.hidden = hidden
        self.trunk = nn.Sequential(
            nn.Linear(self.encoder.out_size + F.NOISE_SIZE, TRUNK_WIDTH), _act(),
            nn.Linear(TRUNK_WIDTH, TRUNK_CHANNELS * STEPS), _act(),
        )
        self.decoder = nn.Sequential(
            *conv_stack(TRUNK_CHANNELS + F.MELODY_CHANNELS, DECODER_CONVS, hidden),
            nn.Conv1d(hidden, F.BAND_VOICES * (F.BAND_CLASSES + 1), 1),
        )

    def forward(self, context, melody, meter, mode, profile, noise):
        """Pitch logits [N, 3, BAND_CLASSES, 16] and onset logits [N, 3, 16]."""
        cond = self.encoder(context, melody, meter, mode, profile)
        seq = self.trunk(torch.cat([cond, noise], dim=1)).view(-1, self.trunk_channels, self.steps)
        out = self.decoder(torch.cat([seq, melody], dim=1))
        out = out.view(-1, self.voices, self.classes + 1, self.steps)
        return out[:, :, : self.classes], out[:, :, self.classes]


class Critic(nn.Module):
    """Scores how real a band bar looks under its condition (WGAN critic, no batch norm)."""

    def __init__(self, width: int = 192):
        super().__init__()
        self.encoder = ConditionEncoder(width)
        band_channels = F.BAND_VOICES * (F.BAND_CLASSES + 1)
        self.bar = nn.Sequential(
            nn.Conv1d(band_channels + F.MELODY_CHANNELS, 128, 3, padding=1), _act(),
            nn.Conv1d(128, 128, 4, stride=2, padding=1), _act(),
            nn.Conv1d(128, 128, 4, stride=2, padding=1), _act(),
        )
        self.head = nn.Sequential(nn.Linear(128 * 4 + self.encoder.out_size, 256), _act())
        self.score = nn.Linear(256, 1)

    def forward(self, context, melody, meter, mode, profile, band):
        """Scores [N] and the penultimate features [N, 256] (for feature matching)."""
        cond = self.encoder(context, melody, meter, mode, profile)
        bar = self.bar(torch.cat([band, melody], dim=1)).flatten(1)
        feats = self.head(torch.cat([bar, cond], dim=1))
        return self.score(feats).squeeze(1), feats


def band_input(pitch_probs: torch.Tensor, onset_probs: torch.Tensor) -> torch.Tensor:
    """Critic input from per-voice pitch probabilities and onsets: [N, 3*(C+1), 16]."""
    full = torch.cat([pitch_probs, onset_probs.unsqueeze(2)], dim=2)
    return full.flatten(1, 2)


def hard_band(pitch_logits: torch.Tensor, onset_logits: torch.Tensor, tau: float = 1.0):
    """Straight-through one-hot pitches and binary onsets from generator logits."""
    soft = torch.softmax(pitch_logits / tau, dim=2)
    index = soft.argmax(dim=2, keepdim=True)
    hard = torch.zeros_like(soft).scatter_(2, index, 1.0)
    pitches = hard + soft - soft.detach()
    onset_soft = torch.sigmoid(onset_logits)
    onset_hard = (onset_soft > 0.5).float()
    sounding = 1.0 - pitches[:, :, 0]
    onsets = (onset_hard + onset_soft - onset_soft.detach()) * sounding
    return pitches, onsets
