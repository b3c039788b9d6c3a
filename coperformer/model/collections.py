"""Named melody collections from music21's corpus (folk songs, dance tunes), parsed once, cached.

Three disjoint groups: evaluation (never trained or tuned on), tuning (decoding choices such as
the default adventure), and the harmony planner's training data. The GAN learns from the
chorales only.
"""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from pathlib import Path

from coperformer.common.paths import cache_dir
from coperformer.model.corpus import CorpusError, score_to_piece
from coperformer.music.notes import Piece

COLLECTION_VERSION = 1
MIN_BARS = 6
MAX_BARS = 400  # a tune longer than this is a parsing accident (one Aird book: 16,368 bars)
METERS = ("2/4", "3/4", "4/4", "6/8", "3/8")


@dataclass(frozen=True)
class Collection:
    """A named group of melodies: music21 ABC opuses, or a folder of single-tune files."""

    name: str
    sources: tuple[str, ...]  # "essenFolksong/lux" (an opus) or "ryansMammoth/" (a folder)
    about: str


EVALUATION = (
    Collection("Essen Lorraine", ("essenFolksong/lot",), "German songs from Lorraine"),
    Collection("Essen Luxembourg", ("essenFolksong/lux",), "Luxembourg folk songs"),
    Collection("Essen Han Chinese", ("essenFolksong/han1",), "Han Chinese folk songs"),
    Collection("Essen ballads", ("essenFolksong/ballad30", "essenFolksong/ballad40"),
               "German ballads"),
    Collection("Essen Zuccalmaglio", ("essenFolksong/zuccal0",), "19th-c. German song book"),
    Collection("Ryan's Mammoth dances", ("ryansMammoth/",),
               "reels, jigs, hornpipes, strathspeys (American/Irish/Scottish)"),
)
TUNING = (
    Collection("tuning: Essen songs", ("essenFolksong/altdeu10", "essenFolksong/ballad10",
                                       "essenFolksong/kinder0"),
               "German songs, ballads, children's songs (the earlier folk set)"),
    Collection("tuning: O'Neill dances", ("oneills1850/0001-0050", "oneills1850/0051-0100"),
               "O'Neill's 1850 Irish dance tunes"),
    Collection("tuning: 2/4 tunes", ("essenFolksong/variant0", "miscFolk/americanfifeopus"),
               "Essen variants and American fife tunes, mostly in 2/4"),
)

PLANNER_TRAINING = (
    Collection("train: Essen mixed", (
        "essenFolksong/erk10", "essenFolksong/boehme10", "essenFolksong/fink0",
        "essenFolksong/dva0", "essenFolksong/altdeu20", "essenFolksong/erk20"),
        "German folk songs (Erk, Boehme, Fink, ...)"),
    Collection("train: O'Neill later", (
        "oneills1850/0101-0200", "oneills1850/0201-0300", "oneills1850/0301-0350"),
        "O'Neill's 1850 Irish dance tunes 101-350"),
    Collection("train: Essen more", (
        "essenFolksong/erk30", "essenFolksong/boehme20", "essenFolksong/ballad50",
        "essenFolksong/ballad60", "essenFolksong/ballad70", "essenFolksong/ballad80"),
        "more German songs and ballads"),
    Collection("train: O'Neill and Aird", (
        "oneills1850/0351-0400", "oneills1850/0401-0486", "oneills1850/0501-0550",
        "airdsAirs/book1", "airdsAirs/book2"),
        "O'Neill's 351-550 and Aird's Scottish airs"),
)
PLANNER_TRAINING_COUNTS = (600, 300, 600, 300)


def collection_melodies(collection: Collection, count: int) -> list[Piece]:
    """The first ``count`` usable melodies of a collection (repeats played out), cached."""
    stem = f"collection-v{COLLECTION_VERSION}-{_slug(collection.name)}-"
    for cached in sorted(cache_dir().glob(f"{stem}*.pkl")):
        if cached.stem[len(stem):].isdigit() and int(cached.stem[len(stem):]) >= count:
            with cached.open("rb") as handle:
                return [p for p in pickle.load(handle) if len(p.bars) <= MAX_BARS][:count]
    path = cache_dir() / f"{stem}{count}.pkl"
    pieces = _parse(collection, count)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(pieces, handle)
    tmp.replace(path)
    return pieces


def corpus_tune(source: str) -> Piece:
    """One tune of music21's corpus by its path (repeats played out); CorpusError when it
    does not fit."""
    from music21 import corpus

    piece = _usable(lambda: corpus.parse(source), source)
    if piece is None:
        raise CorpusError(f"{source}: not a melody the band can play")
    return piece


def _parse(collection: Collection, count: int) -> list[Piece]:
    pieces: list[Piece] = []
    for source in collection.sources:
        for label, loader in _tunes(source):
            piece = _usable(loader, label)
            if piece is not None:
                pieces.append(piece)
            if len(pieces) >= count:
                return pieces
    return pieces


def _tunes(source: str):
    """(label, parse function) for every tune of an opus or folder, in a stable order."""
    from music21 import common, corpus

    root = Path(common.getCorpusFilePath())
    if source.endswith("/"):
        for file in sorted((root / source).glob("*.abc")):
            yield f"{source}{file.stem}", (lambda f=file: corpus.parse(str(f)))
        return
    text = (root / f"{source}.abc").read_text(errors="replace")
    for number in re.findall(r"^X:\s*(\d+)", text, flags=re.MULTILINE):
        yield f"{source}#{number}", (lambda n=int(number): corpus.parse(source, number=n))


def _usable(loader, label: str) -> Piece | None:
    """The tune as a Piece with its repeats played out, or None when it does not fit."""
    try:
        score = loader()
        try:
            score = score.expandRepeats()  # the player plays the repeats
        except Exception:  # noqa: BLE001 - music21 raises many kinds here; keep as written
            pass
        piece = score_to_piece(score, label, want_band=False)
    except Exception:  # noqa: BLE001 - a malformed tune in music21's corpus is skipped
        return None
    if str(piece.bars[0].meter) not in METERS or not MIN_BARS <= len(piece.bars) <= MAX_BARS:
        return None
    return piece


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
