"""Training data: pieces -> cached bar slots, a seeded split by piece, augmented batches."""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coperformer.common.paths import cache_dir
from coperformer.common.stopping import release_stop_signals, stop_signals_held
from coperformer.model.corpus import (
    CorpusError,
    chorale_names,
    load_chorale,
    load_mass_section,
    palestrina_names,
    palestrina_works,
)
from coperformer.model.folder_corpus import read_folder
from coperformer.music import features as F
from coperformer.music.notes import Piece
from coperformer.music.roll import REST, grid_from_piece

SPLIT_SEED = 20261122
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
CACHE_VERSION = 3
MIN_PIECES = 3  # train, validation and test get one piece at least
NAMED_REJECTIONS = 2  # pieces left out that the one line names (the rest are counted)


def split_names(names: list[str], seed: int = SPLIT_SEED) -> dict[str, list[str]]:
    """A fixed, seeded split of piece names into train, validation and test."""
    if len(set(names)) != len(names):
        raise ValueError("piece names must be unique for a split by piece")
    if len(names) < MIN_PIECES:
        raise CorpusError(f"a corpus needs at least {MIN_PIECES} usable pieces (one each to "
                          f"validate and to test), not {len(names)}")
    order = sorted(names)
    np.random.default_rng(seed).shuffle(order)
    n_train = int(round(len(order) * SPLIT_FRACTIONS[0]))
    n_val = max(1, int(round(len(order) * SPLIT_FRACTIONS[1])))
    n_train = min(n_train, len(order) - n_val - 1)  # small corpora keep one piece to test
    return {
        "train": sorted(order[:n_train]),
        "validation": sorted(order[n_train : n_train + n_val]),
        "test": sorted(order[n_train + n_val :]),
    }


def split_by_work(works: dict[str, str], seed: int = SPLIT_SEED) -> dict[str, list[str]]:
    """A seeded split of pieces whose works are given ({piece: work}): the works are split,
    so every section of a work lands in the same part."""
    by_work = split_names(sorted(set(works.values())), seed)
    return {part: sorted(p for p, w in works.items() if w in set(chosen))
            for part, chosen in by_work.items()}


def corpus_split(corpus: str, names: list[str]) -> dict[str, list[str]]:
    """The fixed split of a corpus's loaded pieces: by piece, or by work where the corpus
    has works of several pieces (Palestrina's masses)."""
    if corpus == "palestrina":
        works = palestrina_works()
        return split_by_work({n: works.get(n, n) for n in names})
    return split_names(names)


def held_out_names(corpus: str, verbose: bool = False) -> list[str]:
    """The test pieces of a named corpus, as its models were split (never trained on)."""
    bars, _ = load_corpus(corpus, verbose)
    return corpus_split(corpus, bars.names)["test"]


@dataclass
class BarSet:
    """All bars of a set of pieces, with each bar's piece and the piece's first bar (read-only
    once built: any thread, or any training process)."""

    slots: F.BarSlots
    piece: np.ndarray  # int32 [B]
    first_bar: np.ndarray  # int32 [B]
    names: list[str]

    def __post_init__(self) -> None:
        self.profile = F.history_profiles(F.bar_pitch_classes(self.slots), self.piece)

    @property
    def bars(self) -> int:
        """Number of bars."""
        return int(self.piece.shape[0])

    def subset(self, names: list[str]) -> BarSet:
        """Only the bars of the named pieces."""
        wanted = {self.names.index(n) for n in names if n in self.names}
        keep = np.nonzero(np.isin(self.piece, sorted(wanted)))[0]
        return bars_from_slots_subset(self, keep)


def bars_from_slots_subset(bars: BarSet, keep: np.ndarray) -> BarSet:
    """Rebuild a BarSet from kept bar indices, renumbering pieces and first bars."""
    slots = bars.slots.take(keep)
    old_pieces = bars.piece[keep]
    unique = sorted(set(old_pieces.tolist()))
    remap = {old: new for new, old in enumerate(unique)}
    piece = np.asarray([remap[p] for p in old_pieces], np.int32)
    first = np.zeros_like(piece)
    for new in range(len(unique)):
        where = np.nonzero(piece == new)[0]
        first[where] = where[0]
    return BarSet(slots, piece, first, [bars.names[p] for p in unique])


def barset_from_pieces(pieces: list[Piece]) -> BarSet:
    """Encode pieces into one BarSet."""
    return barset_from_slots([p.name for p in pieces],
                             [F.slots_from_grid(grid_from_piece(p)) for p in pieces])


def barset_from_slots(names: list[str], pieces: list[F.BarSlots]) -> BarSet:
    """One BarSet from each piece's bar slots, in order."""
    piece_index, first_bar, total = [], [], 0
    for number, slots in enumerate(pieces):
        count = slots.meter.shape[0]
        piece_index.append(np.full(count, number, np.int32))
        first_bar.append(np.full(count, total, np.int32))
        total += count
    merged = F.BarSlots(*(np.concatenate([getattr(s, f) for s in pieces]) for f in F.SLOT_FIELDS))
    return BarSet(merged, np.concatenate(piece_index), np.concatenate(first_bar), list(names))


NAMED_CORPORA = {  # name: (piece names, parser of one piece, description for the card)
    "bach": (chorale_names, load_chorale,
             "music21 Bach chorales (soprano = melody; alto, tenor, bass = band)"),
    "palestrina": (palestrina_names, load_mass_section,
                   "music21 Palestrina mass sections in four voices (top voice = melody; the "
                   "lower three = band), read with the half-note tactus as the beat"),
}


def describe_corpus(corpus: str) -> str:
    """What a corpus is, for a model card."""
    return NAMED_CORPORA[corpus][2] if corpus in NAMED_CORPORA else f"MIDI folder {corpus}"


def _try_piece(job: tuple[str, str]) -> Piece | str:
    corpus, name = job
    try:
        return NAMED_CORPORA[corpus][1](name)
    except (CorpusError, ValueError) as exc:
        return str(exc)


def load_named(corpus: str, workers: int = 2) -> tuple[list[Piece], list[str]]:
    """Parse every piece of a music21 corpus; returns the pieces and one message per rejected
    piece."""
    names = NAMED_CORPORA[corpus][0]()
    with ProcessPoolExecutor(max_workers=workers, initializer=release_stop_signals) as pool:
        with stop_signals_held():  # the workers are forked here
            running = pool.map(_try_piece, [(corpus, n) for n in names], chunksize=8)
        results = list(running)
    pieces = [r for r in results if isinstance(r, Piece)]
    rejected = [r for r in results if isinstance(r, str)]
    return pieces, rejected


def _save(path: Path, bars: BarSet, rejected: list[str]) -> None:
    arrays = {f: getattr(bars.slots, f) for f in F.SLOT_FIELDS}
    meta = json.dumps({"names": bars.names, "rejected": rejected})
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")  # ranks may build the cache at once
    np.savez_compressed(tmp, piece=bars.piece, first_bar=bars.first_bar, meta=meta, **arrays)
    os.replace(tmp, path)


def _load(path: Path) -> tuple[BarSet, list[str]]:
    data = np.load(path)
    meta = json.loads(str(data["meta"]))
    slots = F.BarSlots(*(data[f] for f in F.SLOT_FIELDS))
    return BarSet(slots, data["piece"], data["first_bar"], meta["names"]), meta["rejected"]


def corpus_key(corpus: str) -> str:
    """The cache key of a named corpus (a folder's files are cached one by one)."""
    return f"{corpus}-v{CACHE_VERSION}"


def say_rejected(corpus: str, kept: int, rejected: list[str], verbose: bool = False) -> None:
    """Say on stderr which pieces a corpus leaves out: one line naming the first few, or
    (``verbose``) one line each."""
    if verbose:
        for message in rejected:
            print(f"skipped {message}", file=sys.stderr)
    elif rejected:
        named = "; ".join(rejected[:NAMED_REJECTIONS])
        more = len(rejected) - NAMED_REJECTIONS
        print(f"skipped {len(rejected)} of {kept + len(rejected)} {corpus} pieces ({named}"
              f"{f'; and {more} more' if more > 0 else ''})", file=sys.stderr)


def load_corpus(corpus: str, verbose: bool = False) -> tuple[BarSet, list[str]]:
    """The whole corpus as bars, cached; a named corpus ('bach', 'palestrina') or a folder of
    MIDI files (read in parallel, each file cached by its content). Building the cache says
    in one line which pieces were left out (``verbose``: one line each)."""
    if corpus not in NAMED_CORPORA:
        return load_folder(corpus)
    path = cache_dir() / f"{corpus_key(corpus)}.npz"
    if path.exists():
        return _load(path)
    pieces, rejected = load_named(corpus)
    if not pieces:
        raise CorpusError(f"{corpus}: no usable pieces")
    say_rejected(corpus, len(pieces), rejected, verbose)
    bars = barset_from_pieces(pieces)
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(path, bars, rejected)
    return bars, rejected


def load_folder(folder: str) -> tuple[BarSet, list[str]]:
    """A MIDI folder as bars; under torchrun each rank reads its shard, then all assemble the
    whole (the same on every rank). Rejected files are named on stderr, with their reason."""
    rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    corpus = read_folder(folder, rank=rank, world=world,
                         barrier=_barrier if world > 1 else None)
    if rank == 0:
        print(corpus.summary(), file=sys.stderr)
    return (barset_from_slots(corpus.names, corpus.slots),
            [f"{name}: {why}" for name, why in corpus.rejected])


def _barrier() -> None:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()


@dataclass
class Batch:
    """One training batch as float arrays, plus the band targets."""

    context: np.ndarray
    melody: np.ndarray
    meter: np.ndarray
    profile: np.ndarray
    melody_pc: np.ndarray
    band_class: np.ndarray
    band_onset: np.ndarray
    valid: np.ndarray


def transpose_slots(slots: F.BarSlots, shift: np.ndarray) -> None:
    """Transpose every bar in place by its own number of semitones."""
    melody_shift = shift.reshape(-1, *([1] * (slots.melody.ndim - 1)))
    band_shift = shift.reshape(-1, *([1] * (slots.band.ndim - 1)))
    slots.melody[:] = np.where(slots.melody == REST, REST, slots.melody + melody_shift)
    slots.band[:] = np.where(slots.band == REST, REST, slots.band + band_shift)


def make_batch(bars: BarSet, index: np.ndarray, shift: np.ndarray) -> Batch:
    """Features and targets for the given bars, each transposed by its shift."""
    count = index.shape[0]
    target = bars.slots.take(index)
    transpose_slots(target, shift)
    ctx_index = F.context_index(index, bars.first_bar[index]).reshape(-1)
    context = bars.slots.take(ctx_index)
    transpose_slots(context, np.repeat(shift, F.CONTEXT_BARS))
    band_class, band_onset = F.band_targets(target)
    return Batch(
        context=F.context_features(context, count),
        melody=F.melody_features(target),
        meter=F.meter_features(target.meter),
        profile=np.stack([np.roll(p, s) for p, s in zip(bars.profile[index], shift, strict=True)]),
        melody_pc=np.where(target.melody == REST, -1, target.melody % 12).astype(np.int64),
        band_class=band_class,
        band_onset=band_onset,
        valid=target.valid.astype(np.float32),
    )


def sample_batch(bars: BarSet, size: int, rng: np.random.Generator) -> Batch:
    """A random batch of bars in random keys (all 12 transpositions)."""
    index = rng.integers(0, bars.bars, size)
    shift = rng.integers(-6, 6, size)
    return make_batch(bars, index, shift)
