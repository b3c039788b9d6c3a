"""The journal: a recording as JSON lines, appended on its own thread and flushed at every
bar line, so that a crash loses at most the bar in progress."""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path

from coperformer.common.errors import CoperformerError
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.take import BandTrackInfo, Recording
from coperformer.engine.transport import Segment
from coperformer.music.meter import Meter

JOURNAL_VERSION = 1
JOURNAL_SUFFIX = ".journal"


class JournalError(CoperformerError, ValueError):
    """A file that is not a coperformer journal."""


def journal_for(take: str | Path) -> Path:
    """The journal that belongs to a take file (``jam.mid`` -> ``jam.mid.journal``)."""
    return Path(str(take) + JOURNAL_SUFFIX)


class JournalWriter:
    """Appends JSON lines on its own thread, so the engine never waits for the disk.

    write() and flush() are for the worker thread; close() for whoever ends the session.
    """

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(path, "a", encoding="utf-8")
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="journal", daemon=True)
        self._thread.start()

    def write(self, record: dict) -> None:
        """Queue one record (worker thread)."""
        self._queue.put(json.dumps(record, separators=(",", ":")))

    def flush(self) -> None:
        """Queue a flush to disk (worker thread, at each bar line)."""
        self._queue.put(None)

    def close(self) -> None:
        """Write what is queued and close the file (any thread, once)."""
        self._queue.put(StopIteration)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is StopIteration:
                self._handle.flush()
                self._handle.close()
                return
            if item is None:
                self._handle.flush()
            else:
                self._handle.write(item + "\n")


def start_record(band: list[BandTrackInfo], count_in: int) -> dict:
    """The first record: format version, band tracks and count-in."""
    return {"t": "start", "version": JOURNAL_VERSION, "band": [vars(b) for b in band],
            "count_in": count_in}


def tempo_record(segments: list[Segment]) -> dict:
    """The current tempo map."""
    return {"t": "transport", "segments": [[s.first_bar, s.start_ns, s.bpm, str(s.meter)]
                                           for s in segments]}


def player_record(time_ns: int, raw: tuple[int, ...]) -> dict:
    """A MIDI message the player sent."""
    return {"t": "player", "ns": time_ns, "msg": list(raw)}


def band_record(note: ScheduledNote) -> dict:
    """A band note at the times it was scheduled to play."""
    return {"t": "band", "on": note.on_ns, "off": note.off_ns, "ch": note.channel,
            "p": note.pitch, "v": note.velocity, "voice": note.voice}


def read_journal(path: str | Path) -> Recording:
    """Rebuild a recording from a journal (a torn last line is ignored). Any thread."""
    recording = Recording()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        _apply(recording, record)
    if not recording.segments:
        raise JournalError(f"{path}: not a coperformer journal")
    return recording


def _apply(recording: Recording, record: dict) -> None:
    kind = record.get("t")
    if kind == "start":
        recording.band = [BandTrackInfo(**b) for b in record["band"]]
        recording.count_in = record.get("count_in", 0)
    elif kind == "transport":
        recording.segments = [Segment(f, s, b, Meter.parse(m)) for f, s, b, m in record["segments"]]
    elif kind == "player":
        recording.player.append((record["ns"], tuple(record["msg"])))
    elif kind == "band":
        recording.notes.append(ScheduledNote(record["on"], record["off"], record["ch"],
                                             record["p"], record["v"], record["voice"]))
