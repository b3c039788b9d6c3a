"""Audio analysis for tests and benchmarks: loudness and note onsets in rendered audio."""

from __future__ import annotations

import numpy as np


def mono(frames: np.ndarray) -> np.ndarray:
    """Stereo int16 frames [N, 2] to float mono in [-1, 1]."""
    data = np.asarray(frames, np.float32)
    if data.ndim == 2:
        data = data.mean(axis=1)
    return data / 32768.0


def rms(frames: np.ndarray) -> float:
    """Root-mean-square level of some audio."""
    data = mono(frames)
    return float(np.sqrt(np.mean(data * data))) if data.size else 0.0


def detect_onsets(frames: np.ndarray, sample_rate: int, threshold: float = 0.02,
                  min_gap_s: float = 0.05) -> list[float]:
    """Times (s) where the signal first rises above ``threshold`` after ``min_gap_s`` of quiet."""
    data = np.abs(mono(frames))
    loud = np.nonzero(data > threshold)[0]
    if loud.size == 0:
        return []
    gap = int(min_gap_s * sample_rate)
    starts = [int(loud[0])]
    jumps = np.nonzero(np.diff(loud) > gap)[0]
    starts += [int(loud[j + 1]) for j in jumps]
    return [s / sample_rate for s in starts]


def detect_attacks(frames: np.ndarray, sample_rate: int, hop_s: float = 0.005,
                   rise: float = 1.6, floor: float = 0.002, min_gap_s: float = 0.04,
                   ) -> list[float]:
    """Times (s) where the level jumps, for sounds that ring into each other (drums): a hop
    whose RMS exceeds ``rise`` times the loudest of the 4 hops before it, plus ``floor``."""
    data = mono(frames)
    hop = max(1, int(hop_s * sample_rate))
    count = data.size // hop
    if count < 5:
        return []
    envelope = np.sqrt(np.mean(data[: count * hop].reshape(count, hop) ** 2, axis=1))
    attacks: list[float] = []
    for index in range(4, count):
        if envelope[index] > rise * envelope[index - 4 : index].max() + floor:
            at = index * hop / sample_rate
            if not attacks or at - attacks[-1] >= min_gap_s:
                attacks.append(at)
    return attacks


def envelope(frames: np.ndarray, sample_rate: int, hop_s: float = 0.001) -> np.ndarray:
    """RMS level per hop of ``hop_s``."""
    data = mono(frames)
    hop = max(1, int(hop_s * sample_rate))
    count = data.size // hop
    return np.sqrt(np.mean(data[: count * hop].reshape(count, hop) ** 2, axis=1))


def rise_time(frames: np.ndarray, sample_rate: int, at_s: float, reach_s: float = 0.02,
              rise: float = 2.0) -> float | None:
    """When the level (1 ms RMS) crosses halfway from the level before ``at_s`` to its peak in
    the ``reach_s`` around it: the onset of a note that sounds into others. None when the
    level does not rise ``rise`` times above what rang before (no new sound there)."""
    start = int((at_s - 2 * reach_s) * sample_rate)
    stop = int((at_s + 2 * reach_s) * sample_rate)
    if start < 0 or stop > len(frames):
        return None
    per_s = 4000  # a level every 0.25 ms, each the RMS of about 1 ms
    level = np.convolve(envelope(frames[start:stop], sample_rate, 1 / per_s), np.ones(4) / 4,
                        mode="same")
    before = level[: int(reach_s / 2 * per_s)].mean()
    peak = level[int(reach_s * per_s):].max()
    if peak < rise * before:
        return None
    crossing = np.nonzero(level[int(reach_s / 2 * per_s):] > (before + peak) / 2)[0]
    return start / sample_rate + (crossing[0] + int(reach_s / 2 * per_s)) / per_s


def onset_lags(heard: np.ndarray, reference: np.ndarray, sample_rate: int,
               pairs_s: list[tuple[float, float]]) -> list[float]:
    """For each (time in ``heard``, time in ``reference``) of one note (lined up to within
    10 ms): how much later (s) it rises in ``heard`` than in ``reference``; notes where either
    has no clear rise are left out."""
    out = []
    for at_heard, at_reference in pairs_s:
        a = rise_time(heard, sample_rate, at_heard)
        b = rise_time(reference, sample_rate, at_reference)
        if a is not None and b is not None:
            out.append((a - at_heard) - (b - at_reference))
    return out
