"""The model's interface in numpy: grid bars <-> padded 16-step slots, one-hot features, and
the BarGenerator protocol that any band model implements (pure functions: any thread)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from coperformer.music.chord_type import Chord
from coperformer.music.meter import MAX_BAR_STEPS, METER_CODES
from coperformer.music.roll import BAND_VOICES, REST, Grid

MELODY_LOW, MELODY_SIZE = 55, 36  # G3 .. F#6, the melody is folded in here
BAND_LOW, BAND_SIZE = 33, 48  # A1 .. G#5
CONTEXT_BARS = 4
NOISE_SIZE = 32
MELODY_CLASSES = MELODY_SIZE + 1  # 0 = rest
BAND_CLASSES = BAND_SIZE + 1  # 0 = rest
CONTEXT_CHANNELS = MELODY_CLASSES + 1 + BAND_VOICES * (BAND_CLASSES + 1) + 1
MELODY_CHANNELS = MELODY_CLASSES + 1 + 1
METER_SIZE = len(METER_CODES)
PROFILE_SIZE = 12


@dataclass
class BarSlots:
    """Bars padded to 16 steps: MIDI pitches (REST = -1), onsets, validity and meter."""

    melody: np.ndarray  # int16 [B, 16]
    melody_onset: np.ndarray  # bool [B, 16]
    band: np.ndarray  # int16 [B, 3, 16]
    band_onset: np.ndarray  # bool [B, 3, 16]
    valid: np.ndarray  # bool [B, 16]
    meter: np.ndarray  # int8 [B]

    def take(self, index: np.ndarray) -> BarSlots:
        """Select bars by index; index -1 gives an empty (all-invalid) bar. Any thread."""
        safe = np.clip(index, 0, None)
        empty = index < 0
        out = BarSlots(*(getattr(self, f)[safe].copy() for f in SLOT_FIELDS))
        out.melody[empty] = REST
        out.melody_onset[empty] = False
        out.band[empty] = REST
        out.band_onset[empty] = False
        out.valid[empty] = False
        return out


SLOT_FIELDS = ("melody", "melody_onset", "band", "band_onset", "valid", "meter")


class BandBarLike(Protocol):
    """One generated band bar: MIDI pitches (REST = -1) and onsets, [3, 16] each."""

    pitches: np.ndarray
    onsets: np.ndarray

    def key(self) -> bytes:
        """A hashable fingerprint of the bar."""


class BarGenerator(Protocol):
    """Anything that turns past bars (and maybe the current melody) into a band bar."""

    def generate(self, context: BarSlots, current: BarSlots, offline: bool,
                 rng: np.random.Generator, profile: np.ndarray, chord: Chord | None = None,
                 avoid: frozenset[bytes] = frozenset()) -> BandBarLike:
        """The band of the current bar, on a planned ``chord`` and unlike the bars in
        ``avoid`` when given; called by one thread at a time."""


def empty_slots(count: int) -> BarSlots:
    """``count`` silent 4/4 bars (all steps valid)."""
    return BarSlots(
        np.full((count, MAX_BAR_STEPS), REST, np.int16), np.zeros((count, MAX_BAR_STEPS), bool),
        np.full((count, BAND_VOICES, MAX_BAR_STEPS), REST, np.int16),
        np.zeros((count, BAND_VOICES, MAX_BAR_STEPS), bool),
        np.ones((count, MAX_BAR_STEPS), bool), np.ones(count, np.int8),
    )


def slots_from_grid(grid: Grid) -> BarSlots:
    """Cut a grid into padded 16-step bar slots."""
    count = grid.bars
    slots = BarSlots(
        melody=np.full((count, MAX_BAR_STEPS), REST, np.int16),
        melody_onset=np.zeros((count, MAX_BAR_STEPS), bool),
        band=np.full((count, BAND_VOICES, MAX_BAR_STEPS), REST, np.int16),
        band_onset=np.zeros((count, BAND_VOICES, MAX_BAR_STEPS), bool),
        valid=np.zeros((count, MAX_BAR_STEPS), bool),
        meter=grid.meter_code.astype(np.int8).copy(),
    )
    for bar in range(count):
        span = grid.bar_slice(bar)
        length = span.stop - span.start
        slots.melody[bar, :length] = grid.melody[span]
        slots.melody_onset[bar, :length] = grid.melody_onset[span]
        slots.band[bar, :, :length] = grid.band[:, span]
        slots.band_onset[bar, :, :length] = grid.band_onset[:, span]
        slots.valid[bar, :length] = True
    return slots


def fold_array(pitches: np.ndarray, low: int, size: int) -> np.ndarray:
    """Fold sounding pitches by octaves into [low, low + size); rests stay REST."""
    out = pitches.astype(np.int32)
    sounding = out != REST
    high = low + size - 1
    below = sounding & (out < low)
    out[below] += 12 * ((low - out[below] + 11) // 12)
    above = sounding & (out > high)
    out[above] -= 12 * ((out[above] - high + 11) // 12)
    return out


def class_index(pitches: np.ndarray, low: int, size: int) -> np.ndarray:
    """Pitches to class indices: 0 for a rest, 1.. for pitches folded into range."""
    folded = fold_array(pitches, low, size)
    return np.where(folded == REST, 0, folded - low + 1).astype(np.int64)


def _one_hot(index: np.ndarray, classes: int) -> np.ndarray:
    out = np.zeros(index.shape + (classes,), np.float32)
    np.put_along_axis(out, index[..., None], 1.0, axis=-1)
    return out


def melody_features(slots: BarSlots) -> np.ndarray:
    """Per-step melody features [N, MELODY_CHANNELS, 16]: one-hot, onset, valid."""
    hot = _one_hot(class_index(slots.melody, MELODY_LOW, MELODY_SIZE), MELODY_CLASSES)
    extra = np.stack([slots.melody_onset, slots.valid], axis=-1).astype(np.float32)
    return np.concatenate([hot, extra], axis=-1).transpose(0, 2, 1).copy()


def band_targets(slots: BarSlots) -> tuple[np.ndarray, np.ndarray]:
    """The band as class indices [N, 3, 16] and onsets [N, 3, 16] (float)."""
    return class_index(slots.band, BAND_LOW, BAND_SIZE), slots.band_onset.astype(np.float32)


def band_features(classes: np.ndarray, onsets: np.ndarray) -> np.ndarray:
    """Band one-hot plus onset per voice, [N, 3 * (BAND_CLASSES + 1), 16]."""
    hot = _one_hot(classes, BAND_CLASSES)  # N, 3, 16, C
    full = np.concatenate([hot, onsets[..., None]], axis=-1)  # N, 3, 16, C+1
    n, voices, steps, channels = full.shape
    return full.transpose(0, 1, 3, 2).reshape(n, voices * channels, steps).copy()


def context_features(context: BarSlots, count: int) -> np.ndarray:
    """Features of ``CONTEXT_BARS`` bars per sample, oldest first: [N, CONTEXT_CHANNELS, 64]."""
    melody = melody_features(context)[:, :-1]  # drop valid, appended once below
    classes, onsets = band_targets(context)
    band = band_features(classes, onsets)
    valid = context.valid.astype(np.float32)[:, None, :]
    per_bar = np.concatenate([melody, band, valid], axis=1)  # N*C, CH, 16
    per_bar = per_bar.reshape(count, CONTEXT_BARS, CONTEXT_CHANNELS, MAX_BAR_STEPS)
    return per_bar.transpose(0, 2, 1, 3).reshape(count, CONTEXT_CHANNELS, -1).copy()


def bar_pitch_classes(slots: BarSlots) -> np.ndarray:
    """Per bar, how many steps each melody pitch class sounds: [B, 12]."""
    sounding = (slots.melody != REST) & slots.valid
    out = np.zeros((slots.melody.shape[0], 12), np.float32)
    rows = np.nonzero(sounding)[0]
    np.add.at(out, (rows, slots.melody[sounding] % 12), 1.0)
    return out


def normalize_profile(histogram: np.ndarray) -> np.ndarray:
    """Scale pitch-class histograms so their largest entry is 1 (zeros stay zeros)."""
    top = histogram.max(axis=-1, keepdims=True)
    return (histogram / np.where(top > 0, top, 1.0)).astype(np.float32)


def history_profiles(per_bar: np.ndarray, piece: np.ndarray) -> np.ndarray:
    """For every bar, the normalized melody pitch-class profile of the bars before it."""
    out = np.zeros_like(per_bar)
    running = np.zeros(12, np.float32)
    for bar in range(per_bar.shape[0]):
        if bar == 0 or piece[bar] != piece[bar - 1]:
            running = np.zeros(12, np.float32)
        out[bar] = running
        running = running + per_bar[bar]
    return normalize_profile(out)


def meter_features(codes: np.ndarray) -> np.ndarray:
    """One-hot meter codes [N, METER_SIZE]."""
    return _one_hot(codes.astype(np.int64), METER_SIZE)


def context_index(bar: np.ndarray, first_bar: np.ndarray) -> np.ndarray:
    """Global indices of the CONTEXT_BARS bars before each bar, -1 before a piece starts."""
    offsets = np.arange(-CONTEXT_BARS, 0)
    index = bar[:, None] + offsets[None, :]
    return np.where(index >= first_bar[:, None], index, -1)
