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


LEVEL_STEPS_PER_S = 4000  # the onset matcher's level: every 0.25 ms, each about 1 ms of RMS


def level_changes(frames: np.ndarray, sample_rate: int, start_s: float, stop_s: float,
                  ) -> np.ndarray:
    """How the level (about 1 ms of RMS, every 0.25 ms) changes from step to step between
    two times: rises where notes start, whatever their phase or the reverb's."""
    start, stop = int(start_s * sample_rate), int(stop_s * sample_rate)
    level = envelope(frames[max(0, start):max(0, stop)], sample_rate, 1 / LEVEL_STEPS_PER_S)
    return np.diff(np.convolve(level, np.ones(4) / 4, mode="same"))


def onset_lags(heard: np.ndarray, reference: np.ndarray, sample_rate: int,
               pairs_s: list[tuple[float, float]], search_s: float = 0.015,
               ) -> list[tuple[float, float]]:
    """For each (time in ``heard``, time in ``reference``) of a note: (how much later in s it
    starts in ``heard``, how alike the two are, -1..1), from the level's changes in the 40 ms
    around it, searched within ``search_s`` either way. A note whose stretch lies outside
    either recording is left out."""
    reach = int(search_s * LEVEL_STEPS_PER_S)
    out = []
    for at_heard, at_reference in pairs_s:
        template = level_changes(reference, sample_rate, at_reference - 0.01, at_reference + 0.03)
        stretch = level_changes(heard, sample_rate, at_heard - 0.01 - search_s,
                                at_heard + 0.03 + search_s)
        if at_heard - 0.01 - search_s < 0 or stretch.size < template.size + 2 * reach \
                or at_reference - 0.01 < 0 or template.size == 0:
            continue
        scores = [float(np.dot(stretch[k:k + template.size], template)
                        / (np.linalg.norm(stretch[k:k + template.size])
                           * np.linalg.norm(template) + 1e-12))
                  for k in range(2 * reach + 1)]
        best = int(np.argmax(scores))
        out.append(((best - reach) / LEVEL_STEPS_PER_S, scores[best]))
    return out
