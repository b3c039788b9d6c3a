"""A folder of MIDI files as a corpus, at scale: files are read in parallel worker processes,
each file's bar arrays are cached under the sha256 of its bytes and the preprocessing version,
one bad file is counted and named (never stops the corpus), and under torchrun each rank
reads its own shard before all of them assemble the same whole corpus from the cache."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coperformer.common.errors import describe
from coperformer.common.paths import cache_dir
from coperformer.common.stopping import release_stop_signals, stop_signals_held
from coperformer.model.corpus import CorpusError
from coperformer.model.folder_check import FolderReport, corpus_piece, midi_files, reason_of
from coperformer.music import features as F
from coperformer.music.roll import grid_from_piece

PREPROCESS_VERSION = 1  # bump when a file's encoding into bars changes
CACHE_FOLDER = "files"
WORKERS_ENV = "COPERFORMER_READ_WORKERS"  # how many processes read a folder


@dataclass
class FolderCorpus:
    """The usable files' bars in sorted file order, and the rejected files with reasons."""

    names: list[str] = field(default_factory=list)
    slots: list[F.BarSlots] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    parsed: int = 0  # files read and encoded now (the others came from the cache)

    def summary(self) -> str:
        """One line: how many files were read, how many left out and why (the first few;
        any thread)."""
        total = len(self.names) + len(self.rejected)
        line = f"read {total:,} MIDI files, {len(self.rejected):,} left out"
        named = "; ".join(f"{name} ({why})" for name, why in self.rejected[:5])
        more = f"; and {len(self.rejected) - 5:,} more" if len(self.rejected) > 5 else ""
        return line + (f": {named}{more}" if named else "")


def shard(files: list[Path], rank: int, world: int) -> list[Path]:
    """The files one rank of ``world`` reads: every world-th from its rank on."""
    return files[rank::world]


def default_workers() -> int:
    """Worker processes for reading: $COPERFORMER_READ_WORKERS, else the CPUs this process
    may use shared among the ranks torchrun started on this machine."""
    chosen = os.environ.get(WORKERS_ENV, "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    cpus = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1)
    local = os.environ.get("LOCAL_WORLD_SIZE", "1")
    return max(1, cpus // max(1, int(local) if local.isdigit() else 1))


Result = tuple[str, F.BarSlots | str, bool]  # name, bars or why left out, parsed now


def read_folder(folder: str | Path, workers: int | None = None, cache: Path | None = None,
                rank: int = 0, world: int = 1,
                barrier: Callable[[], None] | None = None) -> FolderCorpus:
    """Every usable file of a folder as bars (cached), in sorted order; ``rank``/``world``
    read a shard each and ``barrier`` waits for the others before the whole is assembled."""
    root = Path(folder)
    files = midi_files(root)
    if not files:
        raise CorpusError(f"{root}: no .mid files found")
    cache = cache or cache_dir() / CACHE_FOLDER
    cache.mkdir(parents=True, exist_ok=True)
    mine = shard(files, rank, world)
    jobs = [(str(p), str(root), str(cache)) for p in mine]
    results = dict(zip(mine, _run(jobs, workers or default_workers()), strict=True))
    if barrier is not None:
        barrier()
    corpus = FolderCorpus()
    for path in files:  # the others' shards come from the cache they filled
        name, result, fresh = results.get(path) or read_one(str(path), str(root), str(cache))
        corpus.parsed += fresh
        if isinstance(result, str):
            corpus.rejected.append((name, result))
        else:
            corpus.names.append(name)
            corpus.slots.append(result)
    if not corpus.names:
        raise CorpusError(f"{root}: no usable MIDI files ({corpus.summary()})")
    return corpus


def _run(jobs: list[tuple[str, str, str]], workers: int) -> list[Result]:
    """Every job's result, in the jobs' order (from the cache, or read now)."""
    if workers <= 1 or len(jobs) < 2:
        return [read_one(*job) for job in jobs]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                             initializer=release_stop_signals) as pool:
        with stop_signals_held():  # the workers are forked here
            running = pool.map(_read_job, jobs, chunksize=max(1, len(jobs) // (8 * workers)))
        return list(running)


def _read_job(job: tuple[str, str, str]) -> Result:
    return read_one(*job)


def read_one(path: str, root: str, cache: str) -> Result:
    """One file: (its name under root, its bars or why it is left out, whether it was parsed
    now rather than found in the cache under the sha256 of its bytes). Any process."""
    name = str(Path(path).relative_to(root))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return name, f"cannot be read: {exc.strerror or describe(exc)}", False
    key = Path(cache) / f"{hashlib.sha256(data).hexdigest()}-v{PREPROCESS_VERSION}"
    found = _load(key)
    if found is not None:
        return name, found, False
    result, lasting = _encode(Path(path), Path(root))
    if lasting:
        _store(key, result)
    return name, result, True


def _encode(path: Path, root: Path) -> tuple[F.BarSlots | str, bool]:
    """The file's bars or why not, and whether that answer belongs in the cache."""
    try:
        return F.slots_from_grid(grid_from_piece(corpus_piece(path, root))), True
    except CorpusError as exc:  # the reason alone: another file may share these bytes
        return reason_of(exc, path), True
    except Exception as exc:  # one file's surprise never stops a corpus
        return f"could not be encoded ({describe(exc)})", False  # not cached: tried again


def _load(key: Path) -> F.BarSlots | str | None:
    """A cached answer, or None (none yet, or an entry that cannot be read: read again)."""
    try:
        if key.with_suffix(".npz").exists():
            with np.load(key.with_suffix(".npz")) as data:
                return F.BarSlots(*(data[f] for f in F.SLOT_FIELDS))
        if key.with_suffix(".json").exists():
            return str(json.loads(key.with_suffix(".json").read_text())["rejected"])
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        return None
    return None


def _store(key: Path, result: F.BarSlots | str) -> None:
    """Write atomically through a temp file of this writer's own: ranks and workers may
    store the same bytes at once. A cache that cannot be written is only slower."""
    target = key.with_suffix(".json" if isinstance(result, str) else ".npz")
    try:
        handle, tmp = tempfile.mkstemp(dir=key.parent, prefix=f"{key.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(result, str):
                out.write(json.dumps({"rejected": result}).encode())
            else:
                np.savez(out, **{f: getattr(result, f) for f in F.SLOT_FIELDS})
        os.replace(tmp, target)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def check_midi_folder(folder: Path) -> FolderReport:
    """Read every MIDI file of a folder as the trainer will (in parallel, into the same
    per-file cache, so that training then starts at once) and report on each."""
    try:
        corpus = read_folder(folder)
    except CorpusError:
        corpus = None
    if corpus is None:  # no usable file: say why for each
        return FolderReport([], [(str(p.relative_to(folder)), _reason(p, folder))
                                 for p in midi_files(folder)])
    return FolderReport(list(corpus.names), list(corpus.rejected))


def _reason(path: Path, root: Path) -> str:
    try:
        corpus_piece(path, root)
    except CorpusError as exc:
        return reason_of(exc, path)
    return "usable"
