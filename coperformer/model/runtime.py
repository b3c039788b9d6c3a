"""The one module that knows the model is TorchScript: load, describe, warm up, generate bars."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from coperformer.common.errors import CoperformerError, first_line
from coperformer.music import features as F
from coperformer.music.meter import METER_CODES
from coperformer.music.roll import REST

SUPPORTED_FORMAT = 1


class ModelError(CoperformerError, ValueError):
    """A model file that is missing or not a coperformer model."""


@dataclass
class BandBar:
    """One generated band bar: MIDI pitches (REST = -1) and onsets, [3, 16] each."""

    pitches: np.ndarray
    onsets: np.ndarray


class BandModel:
    """A loaded generator: feed bar slots, get band bars back (single CPU thread).

    Thread rules: load it on any thread; then one thread at a time generates (the live
    worker, or the offline loop). The metadata properties may be read from any thread.
    """

    def __init__(self, path: str | Path, threads: int = 1):
        self.path = Path(path)
        torch.set_num_threads(threads)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                self._module = torch.jit.load(str(self.path), map_location="cpu")
            self.metadata = json.loads(self._module.metadata())
        except (RuntimeError, ValueError, AttributeError, OSError) as exc:
            raise ModelError(f"{self.path}: not a coperformer model ({first_line(exc)})") from exc
        if self.metadata.get("format") != SUPPORTED_FORMAT:
            raise ModelError(f"{self.path}: unsupported model format {self.metadata.get('format')}")
        self._module.eval()

    @property
    def track_names(self) -> list[str]:
        """Names of the band voices, top to bottom."""
        return list(self.metadata["track_names"])

    @property
    def programs(self) -> list[int]:
        """GM programs (0-based) of the band voices."""
        return list(self.metadata["gm_programs"])

    def warm_up(self, rounds: int = 20) -> None:
        """Run a few dummy bars so the first real bar is not slow."""
        empty = F.empty_slots(1 + F.CONTEXT_BARS)
        rng = np.random.default_rng(0)
        context, current = empty.take(np.arange(F.CONTEXT_BARS)), empty.take(np.array([0]))
        for round_ in range(rounds):  # both modes: both decoders and the model's paths
            self.generate(context, current, round_ % 2 == 0, rng,
                          np.zeros(F.PROFILE_SIZE, np.float32))

    @torch.inference_mode()
    def generate(self, context: F.BarSlots, current: F.BarSlots, offline: bool,
                 rng: np.random.Generator, profile: np.ndarray) -> BandBar:
        """The band for the current bar from the past bars (and its melody if offline).

        ``profile`` is the normalized pitch-class profile of the whole melody before this bar.
        """
        melody = F.melody_features(current)
        if not offline:
            melody[:, :-1] = 0.0
        inputs = (
            torch.from_numpy(F.context_features(context, 1)),
            torch.from_numpy(melody),
            torch.from_numpy(F.meter_features(current.meter)),
            torch.tensor([[1.0 if offline else 0.0]]),
            torch.from_numpy(np.asarray(profile, np.float32).reshape(1, F.PROFILE_SIZE)),
            torch.from_numpy(rng.standard_normal((1, F.NOISE_SIZE)).astype(np.float32)),
        )
        pitch_logits, onset_logits = self._module(*inputs)
        if offline:
            return decode_bar(pitch_logits[0].numpy(), onset_logits[0].numpy(), current.valid[0])
        unit = live_unit(int(current.meter[0]))
        return decode_bar(pitch_logits[0].numpy(), onset_logits[0].numpy(), current.valid[0],
                          unit)


def live_unit(meter_code: int) -> int:
    """Shortest live note in steps: a quarter, or a dotted quarter in 6/8."""
    return 6 if METER_CODES[meter_code] == "6/8" else 4


def decode_bar(pitch_logits: np.ndarray, onset_logits: np.ndarray, valid: np.ndarray,
               unit: int = 1) -> BandBar:
    """Binarize logits into notes: onsets split each voice, each note takes its likeliest pitch.

    With ``unit`` > 1, notes start only every ``unit`` steps (live mode plays beat-long notes
    at least: it cannot know the passing notes of a melody it has not heard yet).
    """
    log_probs = pitch_logits - _logsumexp(pitch_logits)
    sounding = (log_probs[:, 0, :] < np.log(0.5)) & valid[None, :]
    starts = onset_logits > 0.0
    if unit > 1:
        sounding, starts = _quantize(sounding, starts, unit)
    pitches = np.full(sounding.shape, REST, np.int16)
    onsets = np.zeros(sounding.shape, bool)
    for voice in range(sounding.shape[0]):
        for segment in _segments(sounding[voice], starts[voice]):
            for begin, end in _split_by_unit(log_probs[voice, 1:], *segment, unit):
                best = int(log_probs[voice, 1:, begin:end].sum(axis=1).argmax())
                pitches[voice, begin:end] = best + F.BAND_LOW
                onsets[voice, begin] = True
    return BandBar(pitches, onsets)


def _quantize(sounding: np.ndarray, starts: np.ndarray, unit: int):
    """Sound or rest whole units (by majority), and move onsets to the start of their unit."""
    sounding, starts = sounding.copy(), starts.copy()
    for begin in range(0, sounding.shape[1], unit):
        chunk = slice(begin, begin + unit)
        sounding[:, chunk] = (sounding[:, chunk].mean(axis=1) >= 0.5)[:, None]
        first = starts[:, chunk].any(axis=1)
        starts[:, chunk] = False
        starts[:, begin] = first
    return sounding, starts


def _split_by_unit(log_probs: np.ndarray, begin: int, end: int, unit: int):
    """Split a note where the likeliest pitch of one unit differs from the unit before."""
    if unit <= 1:
        return [(begin, end)]
    pieces, start, previous = [], begin, None
    for chunk in range(begin, end, unit):
        best = int(log_probs[:, chunk : min(chunk + unit, end)].sum(axis=1).argmax())
        if previous is not None and best != previous:
            pieces.append((start, chunk))
            start = chunk
        previous = best
    pieces.append((start, end))
    return pieces


def _logsumexp(logits: np.ndarray) -> np.ndarray:
    top = logits.max(axis=1, keepdims=True)
    return top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True))


def _segments(sounding: np.ndarray, starts: np.ndarray) -> list[tuple[int, int]]:
    """(begin, end) of the notes of one voice: a note runs until silence or the next onset."""
    out, begin = [], None
    for step in range(sounding.shape[0] + 1):
        on = step < sounding.shape[0] and bool(sounding[step])
        if begin is not None and (not on or starts[step]):
            out.append((begin, step))
            begin = None
        if on and begin is None:
            begin = step
    return out
