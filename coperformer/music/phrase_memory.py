"""Phrase memory: recognize that the player is repeating an earlier passage, and recall it.

Folk songs and dance tunes repeat whole phrases (AABB). When the last bars the player played
match the bars before some earlier bar, that earlier bar is a forecast of the coming one: a
band that remembers knows the harmony the second time round, as a human band does.
"""

from __future__ import annotations

import numpy as np

from coperformer.music.roll import REST

MATCH_SIMILARITY = 0.75  # share of steps with the same pitch for two bars to "match"
MAX_MATCH_BARS = 4


def bar_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Share of steps where two equally long bars sound the same pitch (or both rest)."""
    if a.shape != b.shape or a.size == 0 or a.max() == REST or b.max() == REST:
        return 0.0
    return np.count_nonzero(a == b) / a.size


def match_length(bars: list[np.ndarray], earlier: int, now: int) -> int:
    """How many bars before ``earlier`` equal the bars before ``now`` (newest first)."""
    length = 0
    while length < MAX_MATCH_BARS:
        a, b = earlier - 1 - length, now - 1 - length
        if a < 0 or bar_similarity(bars[a], bars[b]) < MATCH_SIMILARITY:
            break
        length += 1
    return length


def recall(bars: list[np.ndarray], now: int, length: int) -> tuple[int, int] | None:
    """The earlier bar whose lead-in best matches the lead-in of bar ``now``: (bar, bars)."""
    best: tuple[int, int] | None = None
    for earlier in _lead_in_matches(bars, now, length):
        matched = match_length(bars, earlier, now)
        if matched and (best is None or matched > best[1]):
            best = (earlier, matched)
    return best


def _lead_in_matches(bars: list[np.ndarray], now: int, length: int) -> list[int]:
    """Earlier bars (newest first) of ``length`` steps whose previous bar matches bar now-1."""
    if now < 2 or (bars[now - 1] == REST).all():
        return []
    previous = bars[now - 1]
    candidates = [e for e in range(now - 1, 0, -1)
                  if bars[e].shape[0] == length and bars[e - 1].shape == previous.shape]
    if not candidates:
        return []
    lead_ins = np.stack([bars[e - 1] for e in candidates])
    similar = (lead_ins == previous).mean(axis=1) >= MATCH_SIMILARITY
    similar &= (lead_ins != REST).any(axis=1)
    return [e for e, ok in zip(candidates, similar, strict=True) if ok]


def step_pitch_classes(melody: np.ndarray) -> np.ndarray:
    """One-hot pitch classes per step [steps, 12] (rests are all zero)."""
    out = np.zeros((melody.shape[0], 12))
    sounding = melody != REST
    out[np.nonzero(sounding)[0], melody[sounding] % 12] = 1.0
    return out
