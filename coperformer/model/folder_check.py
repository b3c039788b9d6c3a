"""Which MIDI files of a folder can teach a style, and why the others cannot: one file at a
time (folder_corpus.py reads whole folders with these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coperformer.io.midifile import MidiInputError, choose_melody, read_song, song_to_piece
from coperformer.model.corpus import CorpusError
from coperformer.music.notes import Piece

MIDI_SUFFIXES = (".mid", ".midi")


@dataclass
class FolderReport:
    """The usable files (relative names) and the rejected ones with their reasons."""

    usable: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Every MIDI file looked at (any thread)."""
        return len(self.usable) + len(self.rejected)


def midi_files(folder: Path) -> list[Path]:
    """The MIDI files under a folder, sorted (so a corpus and its split are stable)."""
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in MIDI_SUFFIXES
                  and p.is_file())


def corpus_piece(path: Path, root: Path) -> Piece:
    """One file as a training piece (a melody and band voices), or a CorpusError saying why
    it cannot be one."""
    try:
        song = read_song(path)
        piece = song_to_piece(song, choose_melody(song), name=str(path.relative_to(root)))
    except MidiInputError as exc:
        raise CorpusError(str(exc)) from exc
    if not piece.band:
        raise CorpusError("no band voices beside the melody")
    return piece


def reason_of(exc: CorpusError, path: Path | str) -> str:
    """Why a file was left out, without its path (files with the same bytes share it)."""
    return str(exc).replace(f" ({path})", "").replace(f"{path}: ", "")
