"""Fakes for engine unit tests: a generator that plays a fixed chord, optionally slowly, and
a chord model that changes chord at every bar's half."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coperformer.engine.clock import VirtualClock
from coperformer.music.beat_chords import NEXT_BEAT_FEATURES, PAST_BEATS, NextBeatModel
from coperformer.music.beat_harmonizer import BEAT_FEATURES, BEAT_VALUES, BeatHarmonizer
from coperformer.music.chord_model import FEATURES, ChordModel
from coperformer.music.chords import QUALITIES, VOCABULARY, chord_index


@dataclass
class FakeBar:
    pitches: np.ndarray
    onsets: np.ndarray

    def key(self) -> bytes:
        return self.pitches.tobytes() + self.onsets.tobytes()


class ChordGenerator:
    """Plays a C major chord on every beat; ``delay_ns`` of virtual time per bar."""

    def __init__(self, clock: VirtualClock | None = None, delay_ns: int = 0):
        self.clock, self.delay_ns, self.calls = clock, delay_ns, []

    def generate(self, context, current, offline, rng, profile, chord=None, avoid=frozenset()):
        self.calls.append((context, current, offline, profile.copy(), chord))
        if self.clock is not None and self.delay_ns:
            self.clock.advance(self.delay_ns)
        pitches = np.full((3, 16), -1, np.int16)
        onsets = np.zeros((3, 16), bool)
        length = int(current.valid[0].sum())
        for voice, pitch in enumerate((67, 64, 48)):
            pitches[voice, :length] = pitch
            onsets[voice, 0:length:4] = True
        return FakeBar(pitches, onsets)


def halving_chord_model(second: int = 7) -> ChordModel:
    """A chord model that reads only whether a bar's first half was heard: the tonic major
    chord at a bar's start, the major chord on ``second`` (semitones above the tonic; V by
    default) for its second half (the tonic again: it never changes)."""
    w1 = np.zeros((FEATURES, 1), np.float32)
    w1[FEATURES - 1, 0] = 1.0  # the "first half heard" input
    w2 = np.zeros((1, VOCABULARY), np.float32)
    w2[0, chord_index(second, "maj")] = 10.0
    b2 = np.zeros(VOCABULARY, np.float32)
    b2[chord_index(0, "maj")] = 5.0
    return ChordModel(w1, np.zeros(1, np.float32), w2, b2,
                      np.zeros((len(QUALITIES), 12), np.float32), _no_beat_harmonizer(),
                      _no_next_beat())


def _no_beat_harmonizer() -> BeatHarmonizer:
    """A beat harmonizer with zero weights (the live band never asks it)."""
    return BeatHarmonizer(np.zeros((BEAT_FEATURES, 1), np.float32), np.zeros(1, np.float32),
                          np.zeros((1, VOCABULARY), np.float32),
                          np.zeros(VOCABULARY, np.float32),
                          np.zeros((VOCABULARY, VOCABULARY), np.float32))


def _no_next_beat() -> NextBeatModel:
    """A next-beat model with zero weights (a band of one chord a bar or a half never asks
    it)."""
    return NextBeatModel(np.zeros((NEXT_BEAT_FEATURES, 1), np.float32),
                         np.zeros(1, np.float32), np.zeros((1, VOCABULARY), np.float32),
                         np.zeros(VOCABULARY, np.float32))


def second_beat_chord_model(second: int = 7) -> ChordModel:
    """``halving_chord_model`` whose next-beat model asks for the major chord on ``second``
    (V by default) on every bar's second beat and has no wish elsewhere: beat by beat the
    band plays I, V, I, I (the bar model's tonic wins where the next-beat model is silent)."""
    model = halving_chord_model(second)
    w1 = np.zeros((NEXT_BEAT_FEATURES, 1), np.float32)
    w1[PAST_BEATS * (BEAT_VALUES + 1) + 1, 0] = 1.0  # the "second beat" place
    w2 = np.zeros((1, VOCABULARY), np.float32)
    w2[0, chord_index(second, "maj")] = 10.0
    model.next_beat = NextBeatModel(w1, np.zeros(1, np.float32), w2,
                                    np.zeros(VOCABULARY, np.float32))
    return model
