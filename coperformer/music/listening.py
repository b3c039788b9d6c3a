"""The listening band's harmony plan: which chord (and bass) to play in a bar not heard yet.

A causal band decides bar k from bars < k. The chord model (music/chord_model.py, trained on
human harmonizations by ``coperformer.model.chord_training``, shipped as models/chords.npz)
gives the distribution of the coming bar's chord from what was heard and the chords played;
the planner takes its likeliest chord, or with ``adventure`` draws at a temperature from the
chords that hold most of the probability (the substitutions people use). A chord a beat
(``every`` "beat", the default): before each beat the next-beat model (music/beat_chords.py)
gives that beat's chord from everything heard up to it, with the bar's distribution beside
it; a new chord from that beat on, or the same. A chord a half bar: at the bar's half it
decides again, from the first half heard.
While the key is unsure it waits, keeps its first chords in the key, and plays a bare root
and fifth.
Offline (``harmonize``) the model's beat harmonizer chooses every beat's chord from the melody
around it (music/beat_harmonizer.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from coperformer.common.errors import CoperformerError
from coperformer.music.beat_chords import Frame, beat_starts, next_beat_features
from coperformer.music.chord_model import (
    MEMORY_BARS,
    ChordModel,
    Heard,
    Inside,
    choose,
    chord_features,
    forecast,
    heard_key,
    recalled,
)
from coperformer.music.chord_type import PITCH_CLASS_NAMES, Chord
from coperformer.music.chords import (
    VOCABULARY,
    chord_pitch_classes,
    chord_root,
    chord_symbol,
    in_key,
    transpose_chord,
    tune_key,
)
from coperformer.music.harmony import Key
from coperformer.music.meter import STEPS_PER_QUARTER
from coperformer.music.roll import REST

SILENT_BARS_TO_STOP = 2  # the player stopped this many bars ago: the band stops too
DEFAULT_ADVENTURE = 0.5
CHANGE_EVERY = ("beat", "half", "bar")  # offline: where a chord may change (the first: default)
MIN_PITCH_CLASSES = 3  # the band waits until it has heard this many pitch classes
KEY_BARS = 2  # the first chords the band plays keep to the key heard (bare while unsure)
SURE_MARGIN = 0.35  # a key less likelier than the next one of another scale by this: a bare
# root and fifth (the key finder's margin that keeps full chords as often as the correlation's
# 0.06 did on the first two chords of the tuning sets, 71 %; scripts/key_sureness.py)
MAX_TEMPERATURE = 0.5  # at adventure 1 (0: always the likeliest chord; chosen with NUCLEUS
# on the tuning collections: the default 0.5 draws at 0.25 from 70 %)
HALF_CHANGE_MARGIN = 0.0  # a bar changes chord at its half when the chord taken there is at
# least this much likelier (log) than the one it holds (of 0, 0.5, 1 and 2: the best root
# agreement with the validation chorales' human chords, 28.9 / 27.4 / 26.8 / 25.7 %)
NUCLEUS = (0.6, 0.8)  # the probability kept at adventure 0+ .. 1
BAR_WEIGHT = 1.0  # a chord a beat: how much the bar model's distribution counts beside the
BEAT_CHANGE_MARGIN = 0.0  # next-beat model's, and how much likelier (log) a beat's chord
# must be than the one sounding to change (docs/model-notes.md, Attempt 10: the settings
# tried and how the choice was made)


FLOATING_VOICES = (0, 1)  # the upper voices (0 = top) may float above the player


class AdventureError(CoperformerError, ValueError):
    """An adventure setting outside 0..1, or a voice that cannot float above the player."""


def check_floating(voices: frozenset[int]) -> frozenset[int]:
    """The voices themselves when each is an upper voice (0 = top, 1)."""
    wrong = sorted(set(voices) - set(FLOATING_VOICES))
    if wrong:
        raise AdventureError(f"only the upper voices 1 and 2 can float above the player, "
                             f"not {', '.join(str(v + 1) for v in wrong)}")
    return frozenset(voices)


def check_adventure(value: float) -> float:
    """The value itself when it is a valid adventure setting (0 = safe .. 1 = adventurous)."""
    if not 0.0 <= value <= 1.0:
        raise AdventureError(f"adventure must be between 0 and 1, not {value:g}")
    return float(value)


INVERSIONS = 3  # bass on the root, the third or the fifth


def candidate_chords(key: Key) -> list[Chord]:
    """Each diatonic triad with its root, third or fifth in the bass (21 chords)."""
    return [Chord(triad, triad[inversion]) for triad in key.diatonic_triads()
            for inversion in range(INVERSIONS)]


@dataclass
class HarmonyPlanner:
    """Plans the chord of each coming bar from the chord model; ``adventure`` 0..1 trades
    the likeliest chord for a draw among the plausible ones. ``key``: a key the player set
    (an intro), taken at once instead of guessed."""

    model: ChordModel
    adventure: float = DEFAULT_ADVENTURE
    key: Key | None = None
    seed: int = 0
    every: str = CHANGE_EVERY[0]  # live: a chord may change at every beat, a half bar, a bar
    played: dict[int, int] = field(default_factory=dict)  # bar -> the chord it planned
    last_choice: int | None = None  # the chord index the last plan chose (None: no chord)
    beats: list[int | None] = field(default_factory=list)  # the last beats' chords (newest last)
    bar_priors: dict[int, np.ndarray] = field(default_factory=dict)  # bar -> the bar model's
    # distribution of its chord (absolute; a preview's too: a decision may take it as it is)

    def plan(self, recent: list[np.ndarray], now: int, commit: bool = True,
             beat: int = STEPS_PER_QUARTER) -> Chord | None:
        """The chord for bar ``now`` from the player's last bars (None: wait; nothing heard
        yet, too little to know the key, or the player stopped).

        ``recent``: up to MEMORY_BARS bars of melody steps, the newest (bar ``now`` - 1) last.
        ``commit`` False: a preview, the planner remembers nothing of it (and draws the same).
        ``beat``: the beat's length (steps) of the bars heard (a chord a beat).
        """
        recent = recent[-MEMORY_BARS:]
        self.last_choice = None
        if not any((bar != REST).any() for bar in recent) or player_stopped(recent):
            if commit:
                self.beats = (self.beats + [None])[-2:]
            return None
        heard = heard_key(recent, self.model.keys, self.key)
        if heard.pitch_classes < MIN_PITCH_CLASSES and self.key is None:
            return None
        chords = self._played_before(now, len(recent))
        found = recalled(recent)
        scores = self.model.log_probs(chord_features(recent, chords, now, heard, found)) \
            + forecast(self.model, recent, heard.key.tonic, found)
        if self.every == "beat":
            self.bar_priors[now] = scores[relative_order(-heard.key.tonic)]
            for old in [bar for bar in self.bar_priors if bar < now - 1]:
                del self.bar_priors[old]
            scores = self._beat_scores(recent, np.zeros(0, np.int16), heard, beat, scores)
        early = sum(c is not None for c in chords) < KEY_BARS
        index = self.last_choice = self._choose(scores, heard, (now, 0), early)
        if commit:
            self.remember(now, index)
        sure = not early or self.key is not None or heard.margin >= SURE_MARGIN
        return declared(index, sure, register_ceiling(recent[-1]), register_top(recent[-1]))

    def plan_half(self, recent: list[np.ndarray], now: int, first_half: np.ndarray,
                  commit: bool = True) -> Chord | None:
        """The chord for the second half of bar ``now`` (planned by ``plan``) from what was
        heard before it (``first_half``: the bar's melody steps up to its half); None: keep
        the bar's chord (it is the likeliest, or the bar had none)."""
        recent = recent[-MEMORY_BARS:]
        if now not in self.played or not recent:
            return None
        heard = heard_key(recent + [first_half], self.model.keys, self.key)
        chords = self._played_before(now, len(recent))
        inside = Inside(first_half, self.played[now])
        found = recalled(recent)
        scores = self.model.log_probs(chord_features(recent, chords, now, heard, found, inside)) \
            + forecast(self.model, recent, heard.key.tonic, found,
                       slice(first_half.shape[0], None))
        early = sum(c is not None for c in chords) < KEY_BARS
        return self._change(now, scores, heard, (1, early, HALF_CHANGE_MARGIN),
                            first_half if (first_half != REST).any() else recent[-1], commit)

    def plan_beat(self, recent: list[np.ndarray], now: int, heard_steps: np.ndarray,
                  beat: int, commit: bool = True) -> Chord | None:
        """The chord of bar ``now`` from its beat that starts after ``heard_steps`` (the
        bar's melody heard so far; ``beat``: the beat's length in steps) on, from the
        next-beat model with the bar's distribution beside it; None: the chord sounding goes
        on (it is the likeliest, or the bar has none)."""
        recent = recent[-MEMORY_BARS:]
        if now not in self.played or not recent:
            return None
        heard = heard_key(recent + [heard_steps], self.model.keys, self.key)
        prior = self.bar_priors[now][relative_order(heard.key.tonic)] \
            if now in self.bar_priors else 0.0
        scores = self._beat_scores(recent, heard_steps, heard, beat, prior)
        early = sum(c is not None for c in self._played_before(now, len(recent))) < KEY_BARS
        return self._change(now, scores, heard,
                            (2 + heard_steps.shape[0] // beat, early, BEAT_CHANGE_MARGIN),
                            np.concatenate([recent[-1], heard_steps]), commit)  # (a beat or
        # two heard is too little to know the player's register: the bar before counts too)

    def _change(self, now: int, scores: np.ndarray, heard: Heard,
                draw: tuple[int, bool, float], register: np.ndarray,
                commit: bool) -> Chord | None:
        """The chord for the rest of bar ``now`` from key-relative ``scores``: None when the
        chord drawn is the one sounding or not ``draw``'s margin likelier than it (the draw's
        place in the bar, whether the key is still early, the margin); voiced under
        ``register``'s notes; remembered (the chord sounding on) unless a preview."""
        place, early, margin = draw
        sounding = self.played[now]
        index = self._choose(scores, heard, (now, place), early)
        tonic = heard.key.tonic
        gain = scores[transpose_chord(index, -tonic)] - scores[transpose_chord(sounding, -tonic)]
        change = index != sounding and gain >= margin
        if commit:
            self.remember(now, index if change else sounding)
        if not change:
            return None
        sure = not early or self.key is not None or heard.margin >= SURE_MARGIN
        return declared(index, sure, register_ceiling(register), register_top(register))

    def _beat_scores(self, recent: list[np.ndarray], heard_steps: np.ndarray, heard: Heard,
                     beat: int, prior: np.ndarray | float) -> np.ndarray:
        """The next-beat model's log-probabilities of the beat after ``heard_steps`` (bar
        ``len(recent)``), key-relative, plus BAR_WEIGHT x ``prior`` (the bar model's)."""
        melody = np.concatenate(recent + [heard_steps])
        lengths = [bar.shape[0] for bar in recent] + [heard_steps.shape[0]]
        starts = beat_starts(lengths, [beat] * len(lengths))
        starts = [s for s in starts if s < melody.shape[0]]
        frame = Frame(heard.key.tonic, heard.key.minor, heard.margin)
        last = [None] * (2 - len(self.beats)) + self.beats[-2:]
        features = next_beat_features(melody, starts, heard_steps.shape[0] // beat, frame,
                                      (last[-1], last[-2]))
        return self.model.next_beat.log_probs(features) + BAR_WEIGHT * prior

    def _played_before(self, now: int, bars: int) -> list[int | None]:
        """The chord sounding at the end of each of the ``bars`` bars before ``now``."""
        return [self.played.get(now - bars + offset) for offset in range(bars)]

    def remember(self, now: int, index: int) -> None:
        """Keep chord ``index`` as the one sounding at the end of bar ``now`` and on the beat
        decided (what ``plan``, ``plan_half`` and ``plan_beat`` commit; a preview's choice
        committed later, unchanged)."""
        self.played[now] = index
        self.beats = (self.beats + [index])[-2:]
        for old in [bar for bar in self.played if bar < now - MEMORY_BARS]:
            del self.played[old]

    def _choose(self, scores: np.ndarray, heard: Heard, at: tuple[int, int],
                early: bool) -> int:
        allowed = _in_key_mask(heard.key.minor) if early else None
        rng = np.random.default_rng([self.seed, *at]) if self.adventure > 0 else None
        nucleus = NUCLEUS[0] + (NUCLEUS[1] - NUCLEUS[0]) * self.adventure
        relative = choose(scores, MAX_TEMPERATURE * self.adventure,
                          nucleus, rng, allowed)
        return transpose_chord(relative, heard.key.tonic)

    def harmonize(self, bars: list[np.ndarray], beat_steps: list[int],
                  cuts: list[tuple[int, ...]] | None = None) -> list[list[tuple[int, Chord]]]:
        """Offline: the chords of every bar of a whole melody, beat by beat (the model's beat
        harmonizer), per bar (first step, chord) at each change (none for a silent bar), each
        under that bar's own lowest note; ``beat_steps``: each bar's beat length (see
        chord_model.grid_beat_steps); ``cuts``: where each bar may change (None: any beat)."""
        key = self.key or tune_key(np.concatenate(bars))
        chords = self.model.beats.harmonize(bars, beat_steps, key, cuts)
        return [[(step, declared(index, True, register_ceiling(bar), register_top(bar)))
                 for step, index in changes] for changes, bar in zip(chords, bars, strict=True)]


def declared(index: int, sure: bool = True, ceiling: int | None = None,
             top: int | None = None) -> Chord:
    """A vocabulary chord as the band plays and names it (root in the bass); not ``sure``
    of the key: its bare root and fifth (C5)."""
    tones = chord_pitch_classes(index)
    name = chord_symbol(index, PITCH_CLASS_NAMES)
    if not sure and (tones[2] - tones[0]) % 12 == 7:
        tones, name = (tones[0], tones[2]), PITCH_CLASS_NAMES[chord_root(index)] + "5"
    return Chord(tones, tones[0], ceiling, label=name, top=top)


@cache
def relative_order(shift: int) -> np.ndarray:
    """Each chord of the vocabulary moved by ``shift`` semitones (indices):
    ``values[relative_order(shift)]`` gives each chord the value of the chord ``shift``
    above it (key-relative values made absolute with ``-tonic``, and back with ``tonic``)."""
    return np.asarray([transpose_chord(index, shift) for index in range(VOCABULARY)])


@cache
def _in_key_mask(minor: bool) -> np.ndarray:
    """Key-relative chords whose tones are all in the key (C major or C minor)."""
    key = Key(0, minor)
    return np.array([in_key(index, key) for index in range(VOCABULARY)])


def player_stopped(recent: list[np.ndarray]) -> bool:
    """True when the last SILENT_BARS_TO_STOP bars were heard and silent."""
    last = recent[-SILENT_BARS_TO_STOP:]
    return len(last) == SILENT_BARS_TO_STOP and all(
        bar.size and (bar == REST).all() for bar in last)


def register_ceiling(bar: np.ndarray) -> int | None:
    """The lowest note the player played in a bar: the band's upper voices stay under it."""
    sounding = bar[bar != REST]
    return int(sounding.min()) if sounding.size else None


def register_top(bar: np.ndarray) -> int | None:
    """The highest note the player played in a bar: a floating voice stays above it."""
    sounding = bar[bar != REST]
    return int(sounding.max()) if sounding.size else None
