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


def best_offset_s(heard: np.ndarray, reference: np.ndarray, sample_rate: int,
                  hop_s: float = 0.001) -> float:
    """The delay (s) of ``heard`` against ``reference`` that lines their level envelopes up
    best (a cross-correlation through the FFT); positive when ``heard`` comes later."""
    a, b = envelope(heard, sample_rate, hop_s), envelope(reference, sample_rate, hop_s)
    size = 1 << int(np.ceil(np.log2(a.size + b.size)))
    spectrum = np.fft.rfft(a - a.mean(), size) * np.conj(np.fft.rfft(b - b.mean(), size))
    correlation = np.fft.irfft(spectrum, size)
    lag = int(np.argmax(correlation))
    if lag > size // 2:
        lag -= size
    return lag * hop_s


def local_lags(heard: np.ndarray, reference: np.ndarray, sample_rate: int,
               times_s: list[float], search_s: float = 0.02, window_s: float = 0.04,
               ) -> list[tuple[float, float]]:
    """For each time of ``reference``: (lag in s, normalized correlation) of the stretch of
    ``heard`` that best matches the ``window_s`` after it, searched within ``search_s``
    either way (the two must be lined up to within that already)."""
    a, b = mono(heard), mono(reference)
    width, reach = int(window_s * sample_rate), int(search_s * sample_rate)
    out = []
    for t in times_s:
        start = int(round(t * sample_rate))
        if start - reach < 0 or start + width + reach > min(a.size, b.size):
            continue
        template = b[start : start + width]
        stretch = a[start - reach : start + width + reach]
        scores = np.correlate(stretch, template, mode="valid")
        energy = np.sqrt(np.convolve(stretch ** 2, np.ones(width), mode="valid"))
        norm = scores / (np.linalg.norm(template) * energy + 1e-12)
        best = int(np.argmax(norm))
        out.append(((best - reach) / sample_rate, float(norm[best])))
    return out
