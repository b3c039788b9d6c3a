"""The learned next-chord model (pure numpy): what was heard -> a distribution over the chord
of the coming half bar, as people harmonize (trained by model/chord_training.py on human
chords): a bar's first chord from the bars before it, and its second half's from its first
half heard too (``Inside``).

Everything is read in the key heard so far (``key_finder``), so a tune and its
transpositions give the same input and the same (transposed) answer. The inputs: the
melody's pitch classes in the last two bars and so far, its last note, the phrase memory's
forecast (the bar that followed the same lead-in before, and the chord played there), the
chords of the last two bars, the position in the phrase, the key's mode and certainty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coperformer.music.beat_chords import NextBeatModel
from coperformer.music.beat_harmonizer import BeatHarmonizer, perceptron_log_probs
from coperformer.music.chords import NO_CHORD_INDEX, VOCABULARY, transpose_chord
from coperformer.music.harmony import Key, pitch_class_histogram
from coperformer.music.key_finder import KEY_FEATURES, KeyFinder, correlation_finder
from coperformer.music.meter import METER_CODES, STEPS_PER_QUARTER, SUPPORTED_METERS, Meter
from coperformer.music.phrase_memory import recall, step_pitch_classes
from coperformer.music.roll import REST, Grid

INPUT_CHORDS = VOCABULARY + 1  # the vocabulary and "no chord"
CHORDS_AT = 12 * 5 + 1  # where the chords of the last two bars and the remembered one start
MINOR_FEATURE = CHORDS_AT + 3 * INPUT_CHORDS + 4 + 2  # 1.0 when the key heard is minor
INSIDE_AT = MINOR_FEATURE + 3  # the bar heard so far (its second half is being decided)
FEATURES = INSIDE_AT + 12 + INPUT_CHORDS + 1
MEMORY_BARS = 64  # the phrase memory looks this far back (keeps the per-bar work constant)
MIN_HALF_STEPS = 6  # a bar's half is at least this long (a dotted quarter)
_INTERVAL_OF_ROOT = (np.arange(12)[:, None] + np.arange(12)[None, :]) % 12
FORECAST_WEIGHT = 0.3  # live: how much the melody of the bar the phrase memory expects counts
# beside the model (the best root agreement with the validation chorales of 0.15, 0.3, 0.6,
# 1, 2)


@dataclass(frozen=True)
class Inside:
    """The part of a bar heard before its second half is decided, and its chord."""

    steps: np.ndarray  # melody steps of the bar's first half
    chord: int | None  # the absolute chord played in it (None: none)


def half_step(bar_steps: int, beat_steps: int = STEPS_PER_QUARTER) -> int | None:
    """Where a bar may change chord (its "half"): the beat at or after its middle (beat 3 of
    4/4 and of 3/4, the second beat of 6/8); None when the part before it would be shorter
    than MIN_HALF_STEPS (2/4, a pickup)."""
    beats = bar_steps // beat_steps
    at = -(-beats // 2) * beat_steps
    return at if beats >= 2 and at >= MIN_HALF_STEPS else None


def bar_half(meter: Meter) -> int | None:
    """``half_step`` of a whole bar of ``meter``."""
    return half_step(meter.bar_steps, meter.beat_steps)


def grid_beat_steps(grid: Grid) -> list[int]:
    """Each bar's beat length (steps) by its meter (a quarter for a meter the transport does
    not keep)."""
    names = [METER_CODES[int(code)] for code in grid.meter_code]
    return [Meter.parse(name).beat_steps if name in SUPPORTED_METERS else STEPS_PER_QUARTER
            for name in names]


def grid_halves(grid: Grid) -> list[int | None]:
    """``half_step`` of each bar of a grid, on its meter's beats."""
    return [half_step(int(length), beat)
            for length, beat in zip(grid.bar_len, grid_beat_steps(grid), strict=True)]


@dataclass(frozen=True)
class Heard:
    """The key frame of a decision: the key heard so far and how sure it is."""

    key: Key
    margin: float
    pitch_classes: int  # distinct pitch classes heard


def heard_key(recent: list[np.ndarray], finder: KeyFinder, known: Key | None = None) -> Heard:
    """The key of the bars heard, as ``finder`` hears it (``known``: a key the player set,
    certain at once)."""
    heard = np.concatenate(recent) if recent else np.zeros(0, np.int16)
    distinct = int((pitch_class_histogram(heard) > 0).sum())
    if known is not None:
        return Heard(known, 1.0, distinct)
    key, margin = finder.find(recent)
    return Heard(key, margin, distinct)


def _relative(histogram: np.ndarray, tonic: int) -> np.ndarray:
    rolled = np.roll(histogram, -tonic)
    total = rolled.sum()
    return rolled / total if total > 0 else rolled


def _one_hot(size: int, index: int | None) -> np.ndarray:
    out = np.zeros(size)
    if index is not None:
        out[index] = 1.0
    return out


def _relative_chord(chord: int | None, tonic: int) -> int:
    return NO_CHORD_INDEX if chord is None else transpose_chord(chord, -tonic)


def recalled(recent: list[np.ndarray]) -> tuple[int, int] | None:
    """The phrase memory's earlier bar that followed the same lead-in as the coming bar,
    and how many bars matched (None: the player is not repeating)."""
    return recall(recent, len(recent), recent[-1].shape[0]) if recent else None


def chord_features(recent: list[np.ndarray], chords: list[int | None], now: int,
                   heard: Heard, found: tuple[int, int] | None = None,
                   inside: Inside | None = None) -> np.ndarray:
    """The model's input for bar ``now`` [FEATURES]: its first chord, or with ``inside`` the
    chord of its second half.

    ``recent``: the player's last bars as steps (the newest, bar ``now`` - 1, last);
    ``chords``: the absolute chord sounding at the end of each of those bars (None: none);
    ``found``: ``recalled(recent)``; ``inside``: the first half of bar ``now`` as heard, and
    the chord played in it.
    """
    tonic = heard.key.tonic
    empty = np.zeros(0, np.int16)
    previous = recent[-1] if recent else empty
    before = recent[-2] if len(recent) >= 2 else empty
    heard_steps = np.concatenate(recent + ([inside.steps] if inside else [])) \
        if recent or inside else empty
    notes = heard_steps[heard_steps != REST]
    last = _one_hot(12, None if not notes.size else (int(notes[-1]) - tonic) % 12)
    memory, match = np.zeros(12), 0.0
    if found is not None:
        remembered = step_pitch_classes(recent[found[0]]).sum(axis=0)
        memory, match = _relative(remembered, tonic), found[1] / 4.0
    parts = [
        _relative(pitch_class_histogram(previous), tonic),
        _relative(pitch_class_histogram(before), tonic),
        _relative(pitch_class_histogram(heard_steps), tonic), last, memory, [match],
        np.zeros(3 * INPUT_CHORDS), _one_hot(4, now % 4),
        [float(now % 8 >= 4), min(now, 16) / 16.0],
        [float(heard.key.minor), heard.margin, previous.shape[0] / 16.0],
        _relative(pitch_class_histogram(inside.steps), tonic) if inside else np.zeros(12),
        _one_hot(INPUT_CHORDS, _relative_chord(inside.chord, tonic) if inside else None),
        [float(inside is not None)],
    ]
    features = np.concatenate([np.asarray(p, np.float64).ravel() for p in parts])
    return set_chords(features.astype(np.float32), chords, tonic, found)


def set_chords(features: np.ndarray, chords: list[int | None], tonic: int,
               found: tuple[int, int] | None) -> np.ndarray:
    """Write the chords of the last two bars and of the remembered bar into the features
    (in place; returned)."""
    features[CHORDS_AT:CHORDS_AT + 3 * INPUT_CHORDS] = 0.0
    remembered = chords[found[0]] if found is not None and chords else None
    for slot, chord in enumerate((chords[-1] if chords else None,
                                  chords[-2] if len(chords) >= 2 else None, remembered)):
        features[CHORDS_AT + slot * INPUT_CHORDS + _relative_chord(chord, tonic)] = 1.0
    return features


@dataclass
class ChordModel:
    """A two-layer perceptron: features -> log-probabilities of the coming half bar's chord,
    relative to the key heard; the melody given a chord (``emission`` [qualities, 12]: the
    log-probability of a melody step at each interval above the root of a chord of each
    quality, counted on the training tunes: the phrase memory's forecast); ``keys``: how it
    hears the key; ``beats``: the offline harmonizer, beat by beat; ``next_beat``: the live
    band's chord of the coming beat; trained together."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    emission: np.ndarray
    beats: BeatHarmonizer
    next_beat: NextBeatModel
    keys: KeyFinder = field(default_factory=correlation_finder)

    FIELDS = ("w1", "b1", "w2", "b2", "emission")
    KEY_FIELDS = ("key_weights", "key_bias")

    @classmethod
    def load(cls, path: str | Path) -> ChordModel:
        """Read weights saved by ``save`` (an .npz file); ValueError when they do not fit."""
        with np.load(path) as data:
            if any(name not in data for name in cls.FIELDS + cls.KEY_FIELDS
                   + BeatHarmonizer.FIELDS + NextBeatModel.FIELDS):
                raise ValueError("not a chord model with its key finder, beat harmonizer and "
                                 "next-beat model (made before them? retrain: coperformer "
                                 "train-chords)")
            keys = KeyFinder(*(data[name].astype(np.float64) for name in cls.KEY_FIELDS))
            beats = BeatHarmonizer(*(data[name].astype(np.float32)
                                     for name in BeatHarmonizer.FIELDS))
            next_beat = NextBeatModel(*(data[name].astype(np.float32)
                                        for name in NextBeatModel.FIELDS))
            model = cls(*(data[name].astype(np.float32) for name in cls.FIELDS), beats,
                        next_beat, keys)
        if model.w1.shape[0] != FEATURES or model.w2.shape[1] != VOCABULARY:
            raise ValueError(f"weights for {model.w1.shape[0]} features and "
                             f"{model.w2.shape[1]} chords, not {FEATURES} and {VOCABULARY}")
        if keys.weights.shape != (2, KEY_FEATURES) or keys.bias.shape != (2,):
            raise ValueError(f"a key finder of shape {keys.weights.shape}, not "
                             f"{(2, KEY_FEATURES)}")
        beats.check()
        next_beat.check()
        return model

    def save(self, path: str | Path) -> None:
        """Write the weights as an .npz file."""
        np.savez(path, **{name: getattr(self, name) for name in self.FIELDS},
                 key_weights=self.keys.weights, key_bias=self.keys.bias, **self.beats.arrays(),
                 **self.next_beat.arrays())

    def log_probs(self, features: np.ndarray) -> np.ndarray:
        """Log-probabilities of each key-relative chord [..., VOCABULARY]."""
        return perceptron_log_probs(features, self.w1, self.b1, self.w2, self.b2)

    def evidence(self, bar: np.ndarray, tonic: int) -> np.ndarray:
        """The log-likelihood of a bar's melody steps under each key-relative chord
        [VOCABULARY]."""
        notes = bar[bar != REST].astype(np.int64)
        if not notes.size:
            return np.zeros(VOCABULARY, np.float32)
        counts = np.bincount((notes - tonic) % 12, minlength=12).astype(np.float32)
        above_root = counts[_INTERVAL_OF_ROOT]  # [interval, root]
        return (self.emission @ above_root).T.reshape(VOCABULARY)


def forecast(model: ChordModel, recent: list[np.ndarray], tonic: int,
             found: tuple[int, int] | None, part: slice = slice(None)) -> np.ndarray:
    """Live: the evidence of the bar the phrase memory expects next (``found``, see
    ``recalled``; its ``part``: a half), weighed by how long the lead-in matched
    [VOCABULARY]; zeros when the player is not repeating."""
    if found is None:
        return np.zeros(VOCABULARY, np.float32)
    return FORECAST_WEIGHT * found[1] / 4.0 * model.evidence(recent[found[0]][part], tonic)


def choose(log_probs: np.ndarray, temperature: float, nucleus: float,
           rng: np.random.Generator | None, allowed: np.ndarray | None = None) -> int:
    """One chord from a distribution: the likeliest when ``rng`` is None or the temperature
    is 0, else drawn at that temperature from the smallest set of chords holding
    ``nucleus`` of the probability; ``allowed`` (bool) masks chords out."""
    scores = log_probs if allowed is None else np.where(allowed, log_probs, -np.inf)
    if rng is None or temperature <= 0:
        return int(scores.argmax())
    scaled = np.exp((scores - scores.max()) / temperature)
    probs = scaled / scaled.sum()
    order = np.argsort(probs)[::-1]
    keep = order[: int(np.searchsorted(np.cumsum(probs[order]), nucleus)) + 1]
    return int(rng.choice(keep, p=probs[keep] / probs[keep].sum()))
