"""Corpora as Pieces: music21's Bach chorales and Palestrina masses, its folk songs, or a
folder of MIDI files."""

from __future__ import annotations

from pathlib import Path

from coperformer.common.errors import CoperformerError
from coperformer.music.meter import COMMON_TIME, Meter
from coperformer.music.notes import Note, Piece, bars_for


class CorpusError(CoperformerError, ValueError):
    """A corpus that cannot be used, with a message for the user."""


def chorale_names() -> list[str]:
    """Names of music21's Bach chorales, sorted so the split is stable."""
    from music21 import corpus

    return sorted({str(name) for name in corpus.chorales.Iterator(returnType="filename")})


PALESTRINA_METERS = {"4/2": COMMON_TIME, "3/2": Meter(3, 4)}  # the half-note tactus = a beat
PALESTRINA_SCALE = 0.5  # halve every duration: a half note of the mass is a quarter here


def palestrina_names() -> list[str]:
    """music21's four-voice Palestrina mass sections (as corpus names), sorted."""
    return sorted(f"palestrina/{path.name}" for path in _palestrina_files()
                  if _kern_header(path)[0] == 4)


def _palestrina_files() -> list[Path]:
    from music21 import corpus

    return [Path(p) for p in corpus.getComposer("palestrina")]


def _kern_header(path: Path) -> tuple[int, str]:
    """A Humdrum file's number of **kern spines and its work title (!!!OPR)."""
    title = ""
    with path.open(encoding="latin-1") as lines:
        for line in lines:
            if line.startswith("!!!OPR:"):
                title = line.split(":", 1)[1].strip()
            if line.startswith("**"):
                return line.strip().split("\t").count("**kern"), title
    return 0, title


def palestrina_works() -> dict[str, str]:
    """Each four-voice section's work: the mass it belongs to (its !!!OPR title), so a split
    by work keeps a mass's sections together."""
    works = {}
    for path in _palestrina_files():
        spines, title = _kern_header(path)
        if spines == 4:
            works[f"palestrina/{path.name}"] = title or path.stem
    return works


def load_mass_section(name: str) -> Piece:
    """Parse one four-voice Palestrina section: the top voice as melody, the lower three as
    the band, in 4/4 or 3/4 with every duration halved."""
    from music21 import corpus

    score = corpus.parse(name)
    signatures = {ts.ratioString for ts in score.parts[0].recurse()
                  .getElementsByClass("TimeSignature")} if score.parts else set()
    if len(signatures) != 1 or next(iter(signatures)) not in PALESTRINA_METERS:
        raise CorpusError(f"{name}: meter {sorted(signatures)} is not 4/2 or 3/2 throughout")
    meter = PALESTRINA_METERS[signatures.pop()]
    return score_to_piece(score, name, want_band=True, meter=meter, scale=PALESTRINA_SCALE)


def _part_notes(part, shift: float, scale: float = 1.0) -> list[Note]:
    notes = []
    for element in part.stripTies().flatten().notes:
        pitch = max(p.midi for p in element.pitches)
        start = (float(element.offset) + shift) * scale
        notes.append(Note(pitch, start, start + float(element.duration.quarterLength) * scale,
                          80))
    return [n for n in notes if n.duration > 0]


def _single_meter(part) -> Meter | None:
    signatures = {ts.ratioString for ts in part.recurse().getElementsByClass("TimeSignature")}
    if len(signatures) != 1:
        return None
    return Meter.parse(signatures.pop())


def score_to_piece(score, name: str, want_band: bool, meter: Meter | None = None,
                   scale: float = 1.0) -> Piece:
    """Turn a music21 score into a Piece; a pickup is right-aligned in bar 0. ``meter`` and
    ``scale`` re-read a score in another meter with its durations scaled."""
    parts = list(score.parts)
    if want_band and len(parts) != 4:
        raise CorpusError(f"{name}: has {len(parts)} parts, not 4")
    if not parts:
        raise CorpusError(f"{name}: has no parts")
    meter = meter or _single_meter(parts[0])
    if meter is None:
        raise CorpusError(f"{name}: changes meter or has none")
    measures = list(parts[0].getElementsByClass("Measure"))
    shift = float(measures[0].paddingLeft) if measures else 0.0
    melody = _part_notes(parts[0], shift, scale)
    band = [_part_notes(p, shift, scale) for p in parts[1:4]] if want_band else []
    if not melody:
        raise CorpusError(f"{name}: has an empty melody")
    end = max(n.end for n in melody)
    return Piece(melody, band, bars_for(meter, end), name)


def load_chorale(name: str) -> Piece:
    """Parse one Bach chorale: soprano as melody, alto/tenor/bass as the band."""
    from music21 import corpus

    return score_to_piece(corpus.parse(name), name, want_band=True)
