"""The journal: a recording as JSON lines, appended on its own thread and flushed at every
bar line, so that a crash loses at most the bar in progress."""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path

from coperformer.common.errors import CoperformerError
from coperformer.common.files import input_problem
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.take import BandTrackInfo, Recording
from coperformer.engine.transport import Segment, check_meter, check_tempo
from coperformer.music.meter import COMMON_TIME, Meter

JOURNAL_VERSION = 1
JOURNAL_SUFFIX = ".journal"
MAX_CHORD_NAME = 32  # longer than any symbol a chart or the band names


class JournalError(CoperformerError, ValueError):
    """A file that is not a coperformer journal."""


def journal_for(take: str | Path) -> Path:
    """The journal that belongs to a take file (``jam.mid`` -> ``jam.mid.journal``)."""
    return Path(str(take) + JOURNAL_SUFFIX)


class JournalLocked(CoperformerError):
    """Another session is journaling to this file right now."""


class JournalWriter:
    """Appends JSON lines on its own thread, so the engine never waits for the disk; holds an
    exclusive lock on the file for as long as it is open (one session per journal).

    write() and flush() are for the worker thread; close() for whoever ends the session.
    ``problem`` says why writing stopped (a full disk), readable from any thread.
    """

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(path, "a", encoding="utf-8")
        if not _lock(self._handle):
            self._handle.close()
            raise JournalLocked(f"{path} is being recorded by another session")
        self.problem: str | None = None
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
                self._close_quietly()
                return
            if self.problem is not None:
                continue  # the take lives on in memory; the recorder journals elsewhere
            try:
                if item is None:
                    self._handle.flush()
                else:
                    self._handle.write(item + "\n")
            except OSError as exc:
                self.problem = f"cannot write {self.path}: {exc.strerror or exc}"

    def _close_quietly(self) -> None:
        try:
            self._handle.close()
        except OSError as exc:
            self.problem = self.problem or f"cannot write {self.path}: {exc.strerror or exc}"


def _lock(handle) -> bool:
    """Take the file's exclusive lock without waiting (True where locks do not exist)."""
    try:
        import fcntl
    except ImportError:  # Windows: one session per journal is not enforced there
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def journal_in_use(path: Path) -> bool:
    """Whether another live session holds this journal (any thread)."""
    if not path.exists():
        return False
    try:
        with open(path, "a", encoding="utf-8") as handle:
            return not _lock(handle)
    except OSError:
        return False


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


def program_record(time_ns: int, channel: int, program: int) -> dict:
    """A program change during the take (a mixer strip, a new style)."""
    return {"t": "program", "ns": time_ns, "ch": channel, "p": program}


def level_record(time_ns: int, channel: int, volume: int) -> dict:
    """A channel's volume during the take (the mixer: volume, mute, solo)."""
    return {"t": "level", "ns": time_ns, "ch": channel, "v": volume}


def chord_record(time_ns: int, name: str) -> dict:
    """The band's chord from this time on (a marker in the take)."""
    return {"t": "chord", "ns": time_ns, "name": name}


def cut_record(at_ns: int, until_ns: int) -> dict:
    """Panic: the band silenced from ``at_ns`` until ``until_ns``."""
    return {"t": "cut", "ns": at_ns, "until": until_ns}


def read_journal(path: str | Path) -> Recording:
    """Rebuild a recording from a journal, skipping lines it cannot use. Any thread."""
    return salvage_journal(path)[0]


def salvage_journal(path: str | Path) -> tuple[Recording, int]:
    """Rebuild a recording line by line: a line that is not UTF-8, not JSON or holds a bad
    value (a torn last line too) is skipped and counted. Returns (recording, lines skipped).
    Raises JournalError when no tempo map survives; OSError when it cannot be read. Any thread.
    """
    problem = input_problem(path)  # before opening: a FIFO must not hang the reader
    if problem:
        raise JournalError(f"{path}: {problem}")
    recording, skipped = Recording(), 0
    for raw in Path(path).read_bytes().split(b"\n"):
        raw = raw.strip().removeprefix(BOM)  # an editor's byte-order mark loses no line
        if not raw:
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not a record")
            _apply(recording, record)
        except (ValueError, KeyError, TypeError, IndexError, RecursionError):  # nested deep
            skipped += 1
    if not recording.segments and (recording.player or recording.notes):
        recording.segments = [_fallback_segment(recording)]  # the notes are kept, in 4/4
    if not recording.segments:
        raise JournalError(f"{path}: not a coperformer journal (no tempo map"
                           f"{f'; {skipped} unreadable lines' if skipped else ''})")
    return recording, skipped


def _whole(value: object, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not a whole number: {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"out of range: {value}")
    return value


def _midi(value: object) -> tuple[int, ...]:
    """A channel message as the recorder keeps it: a status byte, then 7-bit data bytes."""
    if not isinstance(value, list) or not value:
        raise TypeError(f"not a MIDI message: {value!r}")
    status = _whole(value[0], 0x80, 0xEF)
    length = 2 if status >> 4 in (0xC, 0xD) else 3
    if len(value) != length:
        raise ValueError(f"a MIDI message of {len(value)} bytes: {value!r}")
    return (status, *(_whole(byte, 0, 127) for byte in value[1:]))


BOM = b"\xef\xbb\xbf"
FALLBACK_BPM = 120.0  # a take whose tempo map was lost keeps its notes, barred at this tempo


def _fallback_segment(recording: Recording) -> Segment:
    """Bars of 4/4 at FALLBACK_BPM from the take's first note."""
    first = min([ns for ns, _ in recording.player] + [note.on_ns for note in recording.notes])
    return Segment(0, first, FALLBACK_BPM, COMMON_TIME)


def _segments(values: list) -> list[Segment]:
    """The tempo map's segments that read, in order (a bad one is dropped, not the map)."""
    segments = []
    for value in values:
        try:
            segments.append(_segment(value))
        except (ValueError, TypeError, KeyError, IndexError):
            continue
    return sorted(segments, key=lambda segment: segment.first_bar)


def _segment(value: list) -> Segment:
    first_bar, start_ns, bpm, meter = value
    if isinstance(bpm, bool) or not isinstance(bpm, int | float):
        raise TypeError(f"not a tempo: {bpm!r}")
    return Segment(_whole(first_bar), _whole(start_ns), check_tempo(bpm),
                   check_meter(Meter.parse(meter)))


def _apply(recording: Recording, record: dict) -> None:
    kind = record.get("t")
    if kind == "start":
        recording.band = [BandTrackInfo(str(b["name"]), _whole(b["channel"], 0, 15),
                                        _whole(b["program"], 0, 127)) for b in record["band"]]
        recording.count_in = _whole(record.get("count_in", 0), 0)
    elif kind == "transport":
        segments = _segments(record["segments"])
        if not segments:
            raise ValueError("an empty tempo map")
        recording.segments = segments
    elif kind == "player":
        recording.player.append((_whole(record["ns"]), _midi(record["msg"])))
    elif kind == "band":
        recording.notes.append(ScheduledNote(
            _whole(record["on"]), _whole(record["off"]), _whole(record["ch"], 0, 15),
            _whole(record["p"], 0, 127), _whole(record["v"], 0, 127), _whole(record["voice"], -1)))
    elif kind == "level":
        recording.levels.append((_whole(record["ns"]), _whole(record["ch"], 0, 15),
                                 _whole(record["v"], 0, 127)))
    elif kind == "program":
        recording.programs.append((_whole(record["ns"]), _whole(record["ch"], 0, 15),
                                   _whole(record["p"], 0, 127)))
    elif kind == "cut":
        recording.cut(_whole(record["ns"]), _whole(record["until"]))
    elif kind == "chord":
        recording.chords.append((_whole(record["ns"]), _chord_name(record["name"])))
    else:
        raise ValueError(f"an unknown record: {kind!r}")


def _chord_name(value: object) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CHORD_NAME:
        raise ValueError(f"not a chord name: {value!r}")
    return value
