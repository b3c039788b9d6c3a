"""The chord judge (pure): each system's *declared* chords against the melody and against
human chord labels; figures that no choice of chords can game without playing what people
play.

- note_in_chord: share of sounding melody steps whose pitch class is a tone of the chord
  declared at that step (triad tones; the seventh only when the chord is named a seventh; a
  step with no chord is a miss);
- root_agreement / symbol_agreement: share of beats whose declared chord has the human
  chord's root / the human chord's tones (labelled tunes only);
- changes_per_bar: declared chord changes per bar, beside the human rate;
- degrees: where the chords' roots lie in the melody's key (per beat); degree_tv: total
  variation distance of that histogram from the human one; v_share: the share on V;
- final_cadence: share of tunes whose last chord is I after a IV or a V;
- phrase_cadence: share of the melody's phrase ends (a note held two beats or more, or
  followed by a beat's rest, and the last note) where the chord arrives on I from IV or V
  within the bar before;
- first_in_key: share of each tune's first two chords whose tones all lie in the key the tune
  ends in (``endings.melody_ending_key``: its melody and last note).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coperformer.music.chords import DEGREE_NAMES, DOMINANT, chord_pitch_classes, chord_root
from coperformer.music.endings import melody_ending_key
from coperformer.music.harmony import estimate_key, pitch_class_histogram, pitch_class_mask
from coperformer.music.meter import STEPS_PER_QUARTER
from coperformer.music.roll import REST, Grid

NONE = -1
FIRST_CHORDS = 2  # first_in_key looks at each tune's first chords
PHRASE_END_STEPS = 2 * STEPS_PER_QUARTER  # a note held this long ends a phrase...
PHRASE_REST_STEPS = STEPS_PER_QUARTER  # ... as does one followed by this much rest


@dataclass
class Declared:
    """The chord a system declares at each step: its root (NONE: no chord) and its tones as
    a 12-bit pitch-class mask."""

    root: np.ndarray  # int [steps]
    mask: np.ndarray  # int [steps]

    @classmethod
    def empty(cls, steps: int) -> Declared:
        """No chord anywhere."""
        return cls(np.full(steps, NONE, np.int64), np.zeros(steps, np.int64))

    @classmethod
    def from_labels(cls, labels: np.ndarray) -> Declared:
        """Vocabulary labels per step (-1: none)."""
        out = cls.empty(labels.shape[0])
        for label in np.unique(labels[labels >= 0]):
            where = labels == label
            out.root[where] = chord_root(int(label))
            out.mask[where] = pitch_class_mask(chord_pitch_classes(int(label)))
        return out

    def set(self, span: slice, root: int, tones: tuple[int, ...]) -> None:
        """Declare one chord over some steps."""
        self.root[span] = root
        self.mask[span] = pitch_class_mask(tones)


@dataclass
class ChordTally:
    """Counts over tunes, turned into figures at the end."""

    melody_steps: int = 0
    in_chord: int = 0
    labelled_beats: int = 0
    root_hits: int = 0
    symbol_hits: int = 0
    bars: int = 0
    changes: int = 0
    tunes: int = 0
    cadences: int = 0
    phrase_ends: int = 0
    phrase_cadences: int = 0
    first_chords: int = 0
    first_in_key: int = 0
    degrees: np.ndarray = field(default_factory=lambda: np.zeros(12))

    def add(self, grid: Grid, declared: Declared, human: Declared | None,
            first_bar: int = 1) -> None:
        """One tune (bars from ``first_bar`` on); ``human``: its human chords, if known."""
        if first_bar >= grid.bars:
            return
        start = int(grid.bar_start[first_bar])
        melody, root, mask = grid.melody[start:], declared.root[start:], declared.mask[start:]
        sounding = melody != REST
        self.melody_steps += int(sounding.sum())
        self.in_chord += int(((mask[sounding] >> (melody[sounding] % 12)) & 1).sum())
        beats = np.arange(0, melody.shape[0], STEPS_PER_QUARTER)
        if human is not None:
            known = human.root[start:][beats] != NONE
            self.labelled_beats += int(known.sum())
            self.root_hits += int((root[beats] == human.root[start:][beats])[known].sum())
            self.symbol_hits += int(((root[beats] == human.root[start:][beats])
                                     & (mask[beats] == human.mask[start:][beats]))[known].sum())
        self.bars += grid.bars - first_bar
        self.changes += _changes(root, mask)
        tonic = estimate_key(pitch_class_histogram(grid.melody)).tonic
        chorded = root[beats][root[beats] != NONE]
        np.add.at(self.degrees, (chorded - tonic) % 12, 1.0)
        self.tunes += 1
        self.cadences += int(_final_cadence(root, mask, tonic))
        ends = phrase_ends(melody, grid.melody_onset[start:])
        self.phrase_ends += len(ends)
        bar = int(grid.bar_len.max())
        self.phrase_cadences += sum(_arrives_on_tonic(root, mask, end, tonic, bar) for end in ends)
        firsts = _chord_starts(root, mask)[:FIRST_CHORDS]
        in_key = pitch_class_mask(tuple(melody_ending_key(grid.melody).scale()))
        self.first_chords += len(firsts)
        self.first_in_key += sum(int(code) % 4096 & ~in_key == 0 for code in firsts)

    def figures(self, human_degrees: np.ndarray | None = None) -> dict[str, float]:
        """The figures (agreements are NaN without labels; degree_tv NaN without a human
        histogram)."""
        degrees = self.degrees / max(1.0, self.degrees.sum())
        labelled = self.labelled_beats or np.nan
        tv = np.nan if human_degrees is None else total_variation(degrees, human_degrees)
        return {
            "note_in_chord": self.in_chord / max(1, self.melody_steps),
            "root_agreement": self.root_hits / labelled,
            "symbol_agreement": self.symbol_hits / labelled,
            "changes_per_bar": self.changes / max(1, self.bars),
            "degree_tv": tv,
            "v_share": float(degrees[DOMINANT]),
            "final_cadence": self.cadences / max(1, self.tunes),
            "phrase_cadence": self.phrase_cadences / max(1, self.phrase_ends),
            "first_in_key": self.first_in_key / max(1, self.first_chords),
        }

    def degree_shares(self) -> dict[str, float]:
        """The degree histogram as shares, by degree name."""
        shares = self.degrees / max(1.0, self.degrees.sum())
        return {name: float(share) for name, share in zip(DEGREE_NAMES, shares, strict=True)}


def _changes(root: np.ndarray, mask: np.ndarray) -> int:
    """Steps where a new chord starts (a chord after silence counts; silence does not)."""
    code = root * 4096 + mask
    new = np.ones(code.shape, bool)
    new[1:] = code[1:] != code[:-1]
    return int((new & (root != NONE)).sum())


def _chord_starts(root: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Each declared chord in turn (root * 4096 + mask), silences skipped."""
    chorded = (root * 4096 + mask)[root != NONE]
    return chorded[np.r_[True, chorded[1:] != chorded[:-1]]] if chorded.size else chorded


def _final_cadence(root: np.ndarray, mask: np.ndarray, tonic: int) -> bool:
    """The last two chords are IV-I or V-I."""
    starts = _chord_starts(root, mask)
    if len(starts) < 2:
        return False
    last, before = (int(starts[-1]) // 4096 - tonic) % 12, (int(starts[-2]) // 4096 - tonic) % 12
    return last == 0 and before in (5, DOMINANT)


def phrase_ends(melody: np.ndarray, onset: np.ndarray) -> list[int]:
    """The steps where the melody's phrases end: each note held ``PHRASE_END_STEPS`` or
    more, or followed by ``PHRASE_REST_STEPS`` of rest, and the last note (its onset)."""
    starts = np.flatnonzero(onset & (melody != REST))
    ends = []
    for index, start in enumerate(starts):
        following = int(starts[index + 1]) if index + 1 < len(starts) else melody.shape[0]
        span = melody[start:following]
        held = int(np.argmax(span == REST)) if (span == REST).any() else span.shape[0]
        last = index + 1 == len(starts)
        if last or held >= PHRASE_END_STEPS or span.shape[0] - held >= PHRASE_REST_STEPS:
            ends.append(int(start))
    return ends


def _arrives_on_tonic(root: np.ndarray, mask: np.ndarray, step: int, tonic: int,
                      within: int) -> bool:
    """The chord at ``step`` is I, came in less than ``within`` steps before it, and the chord
    before it was IV or V."""
    if root[step] == NONE or (int(root[step]) - tonic) % 12 != 0:
        return False
    code = root[:step + 1] * 4096 + mask[:step + 1]
    other = np.flatnonzero((code != code[-1]) & (root[:step + 1] != NONE))
    if not other.size or step - int(other[-1]) > within:
        return False
    return (int(root[other[-1]]) - tonic) % 12 in (5, DOMINANT)


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Half the L1 distance of two histograms, each normalized."""
    return 0.5 * float(np.abs(p / max(1e-12, p.sum()) - q / max(1e-12, q.sum())).sum())
