"""Band bars from the network's logits (pure numpy): notes binarized from onset and pitch
logits, the pitches a planned chord allows each voice, and the offline draw that fits the heard
melody best."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from coperformer.music import features as F
from coperformer.music.chord_type import Chord
from coperformer.music.harmony import estimate_key, pitch_class_histogram
from coperformer.music.listening import candidate_chords
from coperformer.music.meter import METER_CODES
from coperformer.music.metrics import band_agreement, chord_agreements
from coperformer.music.roll import REST

SHORT_BAR_STEPS = 8  # 2/4 and 3/8: live notes may be eighths
SHORT_BAR_ONSET_LOGIT = -2.0  # and re-strike more readily (6-14 onsets a bar; tuning set)


@dataclass
class BandBar:
    """One generated band bar: MIDI pitches (REST = -1) and onsets, [3, 16] each."""

    pitches: np.ndarray
    onsets: np.ndarray

    def key(self) -> bytes:
        """A hashable fingerprint of the bar, to recognize a bar played before (any thread)."""
        return self.pitches.tobytes() + np.packbits(self.onsets).tobytes()


def offline_masks(current: F.BarSlots, profile: np.ndarray, draws: int,
                  ) -> list[np.ndarray | None]:
    """Half the offline draws play freely, half on the diatonic chord that fits the bar best."""
    length = int(current.valid[0].sum())
    melody = current.melody[0, :length]
    heard = np.asarray(profile, np.float64) + pitch_class_histogram(melody) / max(1, length)
    chords = candidate_chords(estimate_key(heard))
    fits = chord_agreements(melody, [c.pitch_classes for c in chords], [c.bass for c in chords])
    best = chords[int(np.argmax(fits))]
    return [None if d < (draws + 1) // 2 else chord_mask(best) for d in range(draws)]


def best_fitting(bars: list[BandBar], current: F.BarSlots) -> int:
    """Which bar agrees best with the melody it accompanies (offline mode hears it)."""
    length = int(current.valid[0].sum())
    melody = current.melody[0, :length]
    scores = [band_agreement(melody, bar.pitches[:, :length]) for bar in bars]
    return int(np.argmax(scores))


@functools.lru_cache(maxsize=512)
def chord_mask(chord: Chord) -> np.ndarray:
    """Pitches each voice may take [voices, BAND_SIZE]: chord tones; the bass gets the bass.
    The upper voices keep under the player, a floating one above (when two chord tones fit
    there; else anywhere). Kept per chord (a session meets few), so read-only."""
    pitches = np.arange(F.BAND_SIZE) + F.BAND_LOW
    tones = np.isin(pitches % 12, chord.pitch_classes)
    under = _where_two_fit(tones, None if chord.ceiling is None else pitches <= chord.ceiling)
    above = _where_two_fit(tones, None if chord.top is None else pitches > chord.top)
    upper = [above if voice in chord.floating else under for voice in range(F.BAND_VOICES - 1)]
    mask = np.stack([*upper, pitches % 12 == chord.bass])
    mask.flags.writeable = False
    return mask


def _where_two_fit(tones: np.ndarray, region: np.ndarray | None) -> np.ndarray:
    """The tones inside ``region`` when at least two are, else all of them."""
    if region is None or (tones & region).sum() < 2:
        return tones
    return tones & region


SHORT_UNIT = 2


def live_unit(meter_code: int, bar_steps: int = 16) -> int:
    """Shortest live note in steps: a quarter, a dotted quarter in 6/8, an eighth in short bars.

    Short bars (2/4, 3/8: 8 steps or fewer) would leave a voice two notes a bar at most.
    """
    if bar_steps <= SHORT_BAR_STEPS:
        return SHORT_UNIT
    return 6 if METER_CODES[meter_code] == "6/8" else 4


def decode_bar(pitch_logits: np.ndarray, onset_logits: np.ndarray, valid: np.ndarray,
               unit: int = 1, allowed: np.ndarray | None = None,
               sample: np.random.Generator | None = None) -> BandBar:
    """Binarize logits into notes: onsets split each voice, each note takes its likeliest pitch.

    With ``unit`` > 1, notes start only every ``unit`` steps (live mode plays beat-long notes
    at least: it cannot know the passing notes of a melody it has not heard yet). ``allowed``
    [voices, BAND_SIZE] restricts the pitches each voice may choose; with ``sample`` the onsets
    and each note's pitch are drawn from the model's distribution instead of the likeliest.
    """
    log_probs = pitch_logits - _logsumexp(pitch_logits)
    if allowed is not None:
        log_probs = log_probs.copy()
        log_probs[:, 1:][~allowed] = -1e9
    sounding = (log_probs[:, 0, :] < np.log(0.5)) & valid[None, :]
    threshold = SHORT_BAR_ONSET_LOGIT if unit == SHORT_UNIT else 0.0
    if sample is None:
        starts = onset_logits > threshold
    else:  # a drawn variant: its rhythm is drawn too
        starts = sample.random(onset_logits.shape) < 1.0 / (1.0 + np.exp(threshold - onset_logits))
    if unit > 1:
        sounding, starts = _quantize(sounding, starts, unit)
    pitches = np.full(sounding.shape, REST, np.int16)
    onsets = np.zeros(sounding.shape, bool)
    for voice in range(sounding.shape[0]):
        for segment in _segments(sounding[voice], starts[voice]):
            for begin, end in _split_by_unit(log_probs[voice, 1:], *segment, unit):
                pitch = _choose_pitch(log_probs[voice, 1:, begin:end], sample)
                pitches[voice, begin:end] = pitch + F.BAND_LOW
                onsets[voice, begin] = True
    return BandBar(pitches, onsets)


def _choose_pitch(log_probs: np.ndarray, sample: np.random.Generator | None) -> int:
    """The likeliest pitch over a note's steps [pitches, steps], or one drawn by its mean."""
    if sample is None:
        return int(log_probs.sum(axis=1).argmax())
    mean = log_probs.sum(axis=1) / log_probs.shape[1]
    cumulative = np.cumsum(np.exp(mean - mean.max()))
    return int(np.searchsorted(cumulative, sample.random() * cumulative[-1], side="right"))


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
