"""Corpora as Pieces: music21's Bach chorales, its folk songs, or a folder of MIDI files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from coperformer.common.errors import CoperformerError
from coperformer.io.midifile import MidiInputError, choose_melody, read_song, song_to_piece
from coperformer.music.meter import Meter
from coperformer.music.notes import Note, Piece, bars_for


class CorpusError(CoperformerError, ValueError):
    """A corpus that cannot be used, with a message for the user."""


def chorale_names() -> list[str]:
    """Names of music21's Bach chorales, sorted so the split is stable."""
    from music21 import corpus

    return sorted({str(name) for name in corpus.chorales.Iterator(returnType="filename")})


def _part_notes(part, shift: float) -> list[Note]:
    notes = []
    for element in part.stripTies().flatten().notes:
        pitch = max(p.midi for p in element.pitches)
        start = float(element.offset) + shift
        notes.append(Note(pitch, start, start + float(element.duration.quarterLength), 80))
    return [n for n in notes if n.duration > 0]


def _single_meter(part) -> Meter | None:
    signatures = {ts.ratioString for ts in part.recurse().getElementsByClass("TimeSignature")}
    if len(signatures) != 1:
        return None
    return Meter.parse(signatures.pop())


def score_to_piece(score, name: str, want_band: bool) -> Piece:
    """Turn a music21 score into a Piece; a pickup is right-aligned in bar 0."""
    parts = list(score.parts)
    if want_band and len(parts) != 4:
        raise CorpusError(f"{name}: has {len(parts)} parts, not 4")
    if not parts:
        raise CorpusError(f"{name}: has no parts")
    meter = _single_meter(parts[0])
    if meter is None:
        raise CorpusError(f"{name}: changes meter or has none")
    measures = list(parts[0].getElementsByClass("Measure"))
    shift = float(measures[0].paddingLeft) if measures else 0.0
    melody = _part_notes(parts[0], shift)
    band = [_part_notes(p, shift) for p in parts[1:4]] if want_band else []
    if not melody:
        raise CorpusError(f"{name}: has an empty melody")
    end = max(n.end for n in melody)
    return Piece(melody, band, bars_for(meter, end), name)


def load_chorale(name: str) -> Piece:
    """Parse one Bach chorale: soprano as melody, alto/tenor/bass as the band."""
    from music21 import corpus

    return score_to_piece(corpus.parse(name), name, want_band=True)


def midi_folder_pieces(folder: str | Path) -> Iterator[Piece]:
    """Pieces from a folder of MIDI files; files that do not fit are reported and skipped."""
    root = Path(folder)
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".mid", ".midi"))
    if not files:
        raise CorpusError(f"{root}: no .mid files found")
    for path in files:
        try:
            song = read_song(path)
            melody = choose_melody(song)
            piece = song_to_piece(song, melody, name=str(path.relative_to(root)))
        except MidiInputError as exc:
            print(f"skipped {path}: {exc}", file=sys.stderr)
            continue
        if not piece.band:
            print(f"skipped {path}: no band voices beside the melody", file=sys.stderr)
            continue
        yield piece
