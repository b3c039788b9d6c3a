"""The learned next-chord model (pure numpy): what was heard -> a distribution over the chord
of the coming half bar, as people harmonize (trained by model/chord_training.py on human
chords): a bar's first chord from the bars before it, and its second half's from its first
half heard too (``Inside``).

Everything is read in the key heard so far (``chords.likely_key``), so a tune and its
transpositions give the same input and the same (transposed) answer. The inputs: the
melody's pitch classes in the last two bars and so far, its last note, the phrase memory's
forecast (the bar that followed the same lead-in before, and the chord played there), the
chords of the last two bars, the position in the phrase, the key's mode and certainty.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coperformer.music.chords import NO_CHORD_INDEX, VOCABULARY, likely_key, transpose_chord
from coperformer.music.harmony import Key, pitch_class_histogram
from coperformer.music.meter import METER_CODES, STEPS_PER_QUARTER, SUPPORTED_METERS, Meter
from coperformer.music.phrase_memory import recall, step_pitch_classes
from coperformer.music.roll import REST, Grid

INPUT_CHORDS = VOCABULARY + 1  # the vocabulary and "no chord"
CHORDS_AT = 12 * 5 + 1  # where the chords of the last two bars and the remembered one start
MINOR_FEATURE = CHORDS_AT + 3 * INPUT_CHORDS + 4 + 2  # 1.0 when the key heard is minor
INSIDE_AT = MINOR_FEATURE + 3  # the bar heard so far (its second half is being decided)
FEATURES = INSIDE_AT + 12 + INPUT_CHORDS + 1
HEARING_EXTRA = 12 + 12 + 12 + 1  # offline: the part decided and the next, heard ahead
HEARING_FEATURES = FEATURES + HEARING_EXTRA
MEMORY_BARS = 64  # the phrase memory looks this far back (keeps the per-bar work constant)
MIN_HALF_STEPS = 6  # a bar's half is at least this long (a dotted quarter)
_INTERVAL_OF_ROOT = (np.arange(12)[:, None] + np.arange(12)[None, :]) % 12
EMISSION_WEIGHT = 0.25  # offline: how much a half bar's melody counts beside the model (of
# 0.05 .. 1, the best root agreement with the validation chorales' human chords, 47.7 %:
# scripts/offline_choice.py)
HEARING_EMISSION_WEIGHT = 0.0  # the same beside the model that hears the part itself
FORECAST_WEIGHT = 0.3  # live: the same for the bar the phrase memory expects (the best root
# agreement with the validation chorales of 0.15, 0.3, 0.6, 1, 2)


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


def grid_halves(grid: Grid) -> list[int | None]:
    """``half_step`` of each bar of a grid, on its meter's beats (quarters for a meter the
    transport does not keep)."""
    out = []
    for bar in range(grid.bars):
        name = METER_CODES[int(grid.meter_code[bar])]
        beat = Meter.parse(name).beat_steps if name in SUPPORTED_METERS else STEPS_PER_QUARTER
        out.append(half_step(int(grid.bar_len[bar]), beat))
    return out


@dataclass(frozen=True)
class Heard:
    """The key frame of a decision: the key heard so far and how sure it is."""

    key: Key
    margin: float
    pitch_classes: int  # distinct pitch classes heard


def heard_key(recent: list[np.ndarray], known: Key | None = None) -> Heard:
    """The key of the bars heard (``known``: a key the player set, certain at once)."""
    heard = np.concatenate(recent) if recent else np.zeros(0, np.int16)
    histogram = pitch_class_histogram(heard)
    distinct = int((histogram > 0).sum())
    if known is not None:
        return Heard(known, 1.0, distinct)
    key, margin = likely_key(histogram)
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
        [float(heard.key.minor), min(heard.margin, 0.3) / 0.3, previous.shape[0] / 16.0],
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


def hearing_extra(part: np.ndarray, following: np.ndarray | None, tonic: int) -> np.ndarray:
    """Offline, what the harmonizer hears ahead of a part it decides [HEARING_EXTRA]: the
    part's pitch classes and its first note, the next part's pitch classes, and whether
    there is one (None: the tune's end)."""
    notes = part[part != REST]
    ahead = following if following is not None else np.zeros(0, np.int16)
    parts = [_relative(pitch_class_histogram(part), tonic),
             _one_hot(12, None if not notes.size else (int(notes[0]) - tonic) % 12),
             _relative(pitch_class_histogram(ahead), tonic),
             [float(following is not None and bool((following != REST).any()))]]
    return np.concatenate([np.asarray(p, np.float32).ravel() for p in parts])


@dataclass
class ChordModel:
    """A two-layer perceptron: features -> log-probabilities of the coming half bar's chord,
    relative to the key heard; and the melody given a chord, for offline decoding
    (``emission`` [qualities, 12]: the log-probability of a melody step at each interval above
    the root of a chord of each quality, counted on the training tunes; ``start``: the first
    chords of the training tunes, in each tune's key)."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    emission: np.ndarray
    start: np.ndarray  # offline: log-probabilities of a tune's first chord, in its key [2, V]

    FIELDS = ("w1", "b1", "w2", "b2", "emission", "start")

    @classmethod
    def load(cls, path: str | Path) -> ChordModel:
        """Read weights saved by ``save`` (an .npz file); ValueError when they do not fit."""
        with np.load(path) as data:
            model = cls(*(data[name].astype(np.float32) for name in cls.FIELDS))
        if model.w1.shape[0] not in (FEATURES, HEARING_FEATURES) \
                or model.w2.shape[1] != VOCABULARY:
            raise ValueError(f"weights for {model.w1.shape[0]} features and "
                             f"{model.w2.shape[1]} chords, not {FEATURES} (or "
                             f"{HEARING_FEATURES}) and {VOCABULARY}")
        return model

    @property
    def hears_ahead(self) -> bool:
        """True for the offline model: its input includes ``hearing_extra``."""
        return self.w1.shape[0] == HEARING_FEATURES

    def save(self, path: str | Path) -> None:
        """Write the weights as an .npz file."""
        np.savez(path, **{name: getattr(self, name) for name in self.FIELDS})

    def log_probs(self, features: np.ndarray) -> np.ndarray:
        """Log-probabilities of each key-relative chord [..., VOCABULARY]."""
        hidden = np.maximum(features @ self.w1 + self.b1, 0.0)
        logits = hidden @ self.w2 + self.b2
        logits = logits - logits.max(axis=-1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))

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


@dataclass(frozen=True)
class _Hypothesis:
    """A harmonization so far: its log-score, the chord sounding at the end of each bar, and
    each bar's (first step, absolute chord) changes."""

    score: float
    ends: tuple[int | None, ...]
    changes: tuple[tuple[tuple[int, int], ...], ...]


def harmonize(model: ChordModel, bars: list[np.ndarray], key: Key, halves: list[int | None],
              beam: int = 8) -> list[list[tuple[int, int]]]:
    """Offline: the likeliest chords for a whole melody, per bar a list of (first step,
    absolute chord) (empty for a silent bar): a beam search over the model, half bar by half
    bar where a bar may change at its half (``halves``, see ``grid_halves``), with each
    part's melody as evidence (a model that ``hears_ahead`` hears each part and the next)."""
    heard = Heard(key, 1.0, 12)
    hypotheses = [_Hypothesis(0.0, (), ())]
    for now, bar in enumerate(bars):
        if not (bar != REST).any():
            hypotheses = [_Hypothesis(h.score, h.ends + (None,), h.changes + ((),))
                          for h in hypotheses]
            continue
        hypotheses = _extend(model, _Parts(bars, halves, now), heard, hypotheses, beam)
    return [list(changes) for changes in max(hypotheses, key=lambda h: h.score).changes]


@dataclass(frozen=True)
class _Parts:
    """A bar of a whole melody and where it may change: its parts, and the ones after."""

    bars: list[np.ndarray]
    halves: list[int | None]
    now: int

    @property
    def half(self) -> int | None:
        """Where bar ``now`` may change (None: it may not)."""
        return self.halves[self.now]

    def part(self, second: bool) -> np.ndarray:
        """The melody of bar ``now``'s first part (all of it without a half) or second."""
        bar, half = self.bars[self.now], self.half
        if half is None:
            return bar
        return bar[half:] if second else bar[:half]

    def following(self, second: bool) -> np.ndarray | None:
        """The melody of the part after one of bar ``now``'s (None: the tune's end)."""
        if not second and self.half is not None:
            return self.part(True)
        if self.now + 1 >= len(self.bars):
            return None
        return _Parts(self.bars, self.halves, self.now + 1).part(False)


def _scores(model: ChordModel, rows: np.ndarray, parts: _Parts, second: bool,
            tonic: int) -> np.ndarray:
    """The model's log-probabilities for stacked causal features, with what it hears ahead
    of the part when it does, plus the part's melody as evidence."""
    if model.hears_ahead:
        extra = hearing_extra(parts.part(second), parts.following(second), tonic)
        rows = np.hstack([rows, np.broadcast_to(extra, (rows.shape[0], extra.shape[0]))])
    weight = HEARING_EMISSION_WEIGHT if model.hears_ahead else EMISSION_WEIGHT
    return model.log_probs(rows) + weight * model.evidence(parts.part(second), tonic)


def _extend(model: ChordModel, parts: _Parts, heard: Heard, hypotheses: list[_Hypothesis],
            beam: int) -> list[_Hypothesis]:
    """The best ``beam`` hypotheses one (sounding) bar longer: its first chord, then (where
    it may change) its second half's from the first half heard."""
    now, half, tonic = parts.now, parts.half, heard.key.tonic
    bars = parts.bars
    recent = bars[max(0, now - MEMORY_BARS):now]
    found = recalled(recent)
    base = chord_features(recent, [], now, heard, found)
    if now:
        prior = _scores(model, np.stack([
            set_chords(base.copy(), list(h.ends[-len(recent):]) if recent else [], tonic, found)
            for h in hypotheses]), parts, False, tonic)
    else:
        prior = model.start[int(heard.key.minor)][None, :] \
            + EMISSION_WEIGHT * model.evidence(parts.part(False), tonic)
    totals = np.asarray([h.score for h in hypotheses])[:, None] + prior
    firsts = [(float(totals.flat[i]), hypotheses[i // VOCABULARY],
               transpose_chord(int(i % VOCABULARY), tonic))
              for i in np.argsort(totals, axis=None)[::-1][:beam]]
    if half is None:
        return [_Hypothesis(score, h.ends + (chord,), h.changes + (((0, chord),),))
                for score, h, chord in firsts]
    second = _scores(model, np.stack([
        chord_features(recent, list(h.ends[-len(recent):]) if recent else [], now, heard,
                       found, Inside(parts.part(False), chord)) for _, h, chord in firsts]),
        parts, True, tonic)
    totals = np.asarray([score for score, _, _ in firsts])[:, None] + second
    out = []
    for i in np.argsort(totals, axis=None)[::-1][:beam]:
        _, h, first = firsts[i // VOCABULARY]
        last = transpose_chord(int(i % VOCABULARY), tonic)
        changes = ((0, first),) if last == first else ((0, first), (half, last))
        out.append(_Hypothesis(float(totals.flat[i]), h.ends + (last,), h.changes + (changes,)))
    return out
