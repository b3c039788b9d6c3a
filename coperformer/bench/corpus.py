"""Corpus preprocessing speed: files per second reading a generated MIDI folder, cold (an
empty cache) and warm (every file cached), with the worker processes the machine has."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from coperformer.io.smfwrite import write_piece
from coperformer.model.folder_corpus import default_workers, read_folder
from coperformer.music.meter import COMMON_TIME
from coperformer.music.notes import Note, Piece, bars_for

CORPUS_FILES = 2000  # issue 12's folder size
BAD_EVERY = 100  # one file in a hundred is garbage: counted and named, never fatal


def generated_folder(folder: Path, count: int, seed: int = 12) -> Path:
    """``count`` small two-part MIDI files (a melody over a bass and a chord voice, 8-16 bars,
    each its own), every BAD_EVERY-th one not MIDI at all."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        path = folder / f"tune-{index:05d}.mid"
        if index % BAD_EVERY == BAD_EVERY - 1:
            path.write_bytes(b"MThd" + rng.randbytes(64))
            continue
        write_piece(_tune(rng, rng.randint(8, 16)), path, rng.choice((90, 110, 130)))
    return folder


def _tune(rng: random.Random, bars: int) -> Piece:
    root = rng.randrange(55, 67)
    melody = [Note(root + rng.choice((0, 2, 4, 5, 7, 9, 12)), q * 0.5, q * 0.5 + 0.45, 80)
              for q in range(bars * 8)]
    bass = [Note(root - 24 + rng.choice((0, 5, 7)), b * 4.0, b * 4.0 + 3.9, 70)
            for b in range(bars)]
    chord = [Note(root - 12 + rng.choice((4, 3)), b * 4.0, b * 4.0 + 3.9, 60)
             for b in range(bars)]
    return Piece(melody, [chord, bass], bars_for(COMMON_TIME, bars * 4.0))


def corpus_figures(count: int = CORPUS_FILES) -> dict:
    """Read a generated folder twice into a fresh cache: files per second cold and warm."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = generated_folder(Path(tmp) / "midi", count)
        cache = Path(tmp) / "cache"
        started = time.perf_counter()
        cold = read_folder(folder, cache=cache)
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        warm = read_folder(folder, cache=cache)
        warm_s = time.perf_counter() - started
    return {"files": count, "usable": len(cold.names), "skipped": len(cold.rejected),
            "workers": default_workers(), "cold_files_per_s": round(count / cold_s, 1),
            "warm_files_per_s": round(count / warm_s, 1), "parsed_warm": warm.parsed}
