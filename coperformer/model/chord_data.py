"""Human chords for the chord model, offline from music21's installed corpus; split by tune.

- The Bach chorales' own harmony: each beat labelled from all four voices
  (``chords.step_labels``), each bar's chord the one that sounds longest in it. Their split is
  the GAN's own (model/dataset.py), so the GAN's test chorales stay held out here too.
- The corpus's tunes written with chord symbols (music21 ``ChordSymbol``): two lead sheets and
  the two Nottingham reels. So few that all go to the test split: labelled held-out tunes of
  another style. (Ryan's Mammoth, an evaluation collection, is never read here; none of the
  evaluation or tuning collections' sources is.)

Every example is read in the key heard so far (by the key finder trained before it); the
training tunes are also transposed to all 12 keys, because the key prior (toward major and
common keys) makes the key heard depend on the key a tune is in.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass

import numpy as np

from coperformer.common.paths import cache_dir
from coperformer.model import dataset as D
from coperformer.music import features as F
from coperformer.music.chord_model import (
    FEATURES,
    MEMORY_BARS,
    Inside,
    chord_features,
    grid_halves,
    heard_key,
    recalled,
)
from coperformer.music.chords import bar_chord, label_symbol, step_labels, transpose_chord
from coperformer.music.key_finder import KeyFinder
from coperformer.music.roll import REST, Grid, grid_from_piece, to_step

CHORD_DATA_VERSION = 6
SHIFTS = tuple(range(-5, 7))  # the training tunes in all 12 keys
SPLITS = ("train", "validation", "test")
WELL_KNOWN = "leadSheet/fosterBrownHair.mxl"  # Foster's "Jeanie with the Light Brown Hair"
LEAD_SHEETS = (WELL_KNOWN, "leadSheet/berlinAlexandersRagtime.mxl",
               "nottingham-dataset/reelsa-c.abc")
LEAD_SHEET_SET = "lead-sheet tunes"


@dataclass(frozen=True)
class Halves:
    """A bar's human chords: where it may change (None: it may not), first and second."""

    half: int | None
    first: int | None
    second: int | None


@dataclass
class LabelledTune:
    """A melody on the grid with the human chord of every step (-1: none)."""

    name: str
    grid: Grid
    labels: np.ndarray  # int32 [steps], absolute vocabulary indices

    def bar_chords(self) -> list[int | None]:
        """Each bar's chord (the one sounding longest in it; any thread)."""
        return [bar_chord(self.labels[self.grid.bar_slice(b)]) for b in range(self.grid.bars)]

    def halves(self) -> list[Halves]:
        """Each bar's chord at its start and at its end: the longest-sounding in each half,
        or the bar's own chord twice when the bar cannot change at its half (any thread)."""
        out = []
        for b, half in enumerate(grid_halves(self.grid)):
            labels = self.labels[self.grid.bar_slice(b)]
            if half is None:
                chord = bar_chord(labels)
                out.append(Halves(None, chord, chord))
            else:
                out.append(Halves(half, bar_chord(labels[:half]), bar_chord(labels[half:])))
        return out

    def melody_bars(self) -> list[np.ndarray]:
        """The melody's steps, bar by bar (any thread)."""
        return [self.grid.melody[self.grid.bar_slice(b)] for b in range(self.grid.bars)]


def grids_from_barset(bars: D.BarSet) -> list[Grid]:
    """Rebuild one grid per piece from cached bar slots (the real band included)."""
    grids = []
    for number in range(len(bars.names)):
        index = np.nonzero(bars.piece == number)[0]
        grids.append(_grid_from_slots(bars.slots.take(index)))
    return grids


def _grid_from_slots(slots: F.BarSlots) -> Grid:
    lengths = slots.valid.sum(axis=1).astype(np.int32)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32)
    keep = slots.valid
    return Grid(
        melody=slots.melody[keep], melody_onset=slots.melody_onset[keep],
        band=np.concatenate([slots.band[b][:, keep[b]] for b in range(len(lengths))], axis=1),
        band_onset=np.concatenate([slots.band_onset[b][:, keep[b]] for b in range(len(lengths))],
                                  axis=1),
        bar_start=starts, bar_len=lengths, meter_code=slots.meter.copy(),
    )


def chorale_tunes() -> dict[str, list[LabelledTune]]:
    """The chorales by split, each step labelled from its four voices."""
    bars, _ = D.load_corpus("bach")
    split = D.corpus_split("bach", bars.names)
    out = {}
    for part in SPLITS:
        subset = bars.subset(split[part])
        out[part] = [LabelledTune(name, grid, step_labels(grid))
                     for name, grid in zip(subset.names, grids_from_barset(subset), strict=True)]
    return out


def lead_sheet_tunes() -> list[LabelledTune]:
    """The corpus's tunes with chord symbols (melody and the written chords), cached."""
    path = cache_dir() / f"lead-sheets-v{CHORD_DATA_VERSION}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    tunes = [tune for source in LEAD_SHEETS for tune in _parse_symbols(source)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".tmp").open("wb") as handle:
        pickle.dump(tunes, handle)
    path.with_suffix(".tmp").replace(path)
    return tunes


def _parse_symbols(source: str) -> list[LabelledTune]:
    from music21 import corpus, stream

    parsed = corpus.parse(source)
    scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
    return [_symbol_tune(score, f"{source}#{number}") for number, score in enumerate(scores)]


def _symbol_tune(score, name: str) -> LabelledTune:
    from music21 import harmony

    from coperformer.model.corpus import score_to_piece

    try:
        score = score.expandRepeats()
    except Exception:  # noqa: BLE001 - music21 raises many kinds here; keep as written
        pass
    part = score.parts[0]
    measures = list(part.getElementsByClass("Measure"))
    shift = float(measures[0].paddingLeft) if measures else 0.0
    piece = score_to_piece(score, name, want_band=False)
    grid = grid_from_piece(piece)
    labels = np.full(grid.steps, -1, np.int32)
    for symbol in part.flatten().getElementsByClass(harmony.ChordSymbol):
        if isinstance(symbol, harmony.NoChord) or not symbol.pitches:
            continue
        chord = label_symbol(symbol.root().pitchClass, [p.pitchClass for p in symbol.pitches])
        labels[max(0, to_step(float(symbol.offset) + shift)):] = chord
    return LabelledTune(name, grid, labels)


def labelled_sets() -> dict[str, list[LabelledTune]]:
    """Every tune by split: the chorales' train, validation and test, and the lead sheets
    in test."""
    sets = chorale_tunes()
    sets["test"] = sets["test"] + lead_sheet_tunes()
    return sets


def transposed(tune: LabelledTune, shift: int) -> LabelledTune:
    """The tune (melody, band and chords) moved by ``shift`` semitones."""
    g = tune.grid

    def move(pitches: np.ndarray) -> np.ndarray:
        return np.where(pitches == REST, REST, pitches + shift).astype(pitches.dtype)

    grid = Grid(move(g.melody), g.melody_onset, move(g.band), g.band_onset, g.bar_start,
                g.bar_len, g.meter_code)
    labels = np.asarray([transpose_chord(int(c), shift) if c >= 0 else -1
                         for c in tune.labels], np.int32)
    return LabelledTune(tune.name, grid, labels)


def tune_examples(tune: LabelledTune, finder: KeyFinder) -> tuple[np.ndarray, np.ndarray]:
    """Features [n, FEATURES] and key-relative target chords [n] of one tune (its key heard
    by ``finder``): from the second bar on, each bar's first chord from what was heard
    before it, and where the bar may change at its half, the second half's chord from what
    was heard before that (the first half and its human chord too); only where the chord is
    known."""
    bars, halves = tune.melody_bars(), tune.halves()
    ends = [h.second for h in halves]
    features, targets = [], []
    for now in range(1, len(bars)):
        recent = bars[max(0, now - MEMORY_BARS):now]
        if not any((b != REST).any() for b in recent):
            continue
        found, chords, h = recalled(recent), ends[max(0, now - MEMORY_BARS):now], halves[now]
        parts = [(None, h.first, recent)]
        if h.half is not None:
            inside = Inside(bars[now][:h.half], h.first)
            parts.append((inside, h.second, recent + [inside.steps]))
        for inside, target, heard_bars in parts:
            if target is None:
                continue
            heard = heard_key(heard_bars, finder)
            features.append(chord_features(recent, chords, now, heard, found, inside))
            targets.append(transpose_chord(target, -heard.key.tonic))
    return (np.asarray(features, np.float32).reshape(-1, FEATURES),
            np.asarray(targets, np.int64))


def training_arrays(finder: KeyFinder) -> dict[str, np.ndarray]:
    """x_/y_ arrays for train, validation and test (keys heard by ``finder``), and each
    split's tune names; cached per finder."""
    digest = hashlib.sha256(finder.weights.tobytes() + finder.bias.tobytes()).hexdigest()[:12]
    path = cache_dir() / f"chord-data-v{CHORD_DATA_VERSION}-{digest}.npz"
    if path.exists():
        with np.load(path) as data:
            return dict(data)
    arrays: dict[str, np.ndarray] = {}
    for part, tunes in labelled_sets().items():
        shifts = SHIFTS if part == "train" else (0,)
        pairs = [tune_examples(transposed(t, shift), finder) for t in tunes for shift in shifts]
        arrays[f"x_{part}"] = np.concatenate([x for x, _ in pairs])
        arrays[f"y_{part}"] = np.concatenate([y for _, y in pairs])
        arrays[f"names_{part}"] = np.asarray([t.name for t in tunes])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path.with_suffix(".tmp.npz"), **arrays)
    path.with_suffix(".tmp.npz").replace(path)
    return arrays


def emission_counts(tunes: list[LabelledTune]) -> np.ndarray:
    """Melody steps at each interval above the human chord's root, per quality [q, 12]."""
    from coperformer.music.chords import QUALITIES, chord_quality, chord_root

    counts = np.zeros((len(QUALITIES), 12))
    for tune in tunes:
        known = (tune.labels >= 0) & (tune.grid.melody != REST)
        for label, pitch in zip(tune.labels[known], tune.grid.melody[known], strict=True):
            counts[QUALITIES.index(chord_quality(int(label))),
                   (int(pitch) - chord_root(int(label))) % 12] += 1
    return counts
