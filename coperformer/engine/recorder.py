"""The session recorder: a per-bar journal on disk, turned into a type-1 SMF at the end."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

import mido

from coperformer.common.files import atomic_write
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.transport import Segment, Transport
from coperformer.io.smfwrite import events_to_track
from coperformer.music.meter import Meter

TICKS = 960
JOURNAL_VERSION = 1


@dataclass
class BandTrackInfo:
    """A band voice as it goes into the file."""

    name: str
    channel: int
    program: int


@dataclass
class Recording:
    """Everything needed to write the file: tracks, tempo map, events."""

    band: list[BandTrackInfo] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    count_in: int = 0
    player: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    notes: list[ScheduledNote] = field(default_factory=list)

    def transport(self) -> Transport:
        """A transport with the recorded tempo map (for ns -> quarters)."""
        return Transport.from_segments(self.segments, self.count_in)


class JournalWriter:
    """Appends JSON lines on its own thread, so the engine never waits for the disk."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(path, "a", encoding="utf-8")
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="journal", daemon=True)
        self._thread.start()

    def write(self, record: dict) -> None:
        """Queue one record."""
        self._queue.put(json.dumps(record, separators=(",", ":")))

    def flush(self) -> None:
        """Queue a flush to disk (called at each bar line)."""
        self._queue.put(None)

    def close(self) -> None:
        """Write what is queued and close the file."""
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


class Recorder:
    """Collects the player's raw messages and the band's scheduled notes."""

    def __init__(self, journal: Path | None = None):
        self.recording = Recording()
        self._journal = JournalWriter(journal) if journal else None
        self.journal_path = journal

    def begin(self, band: list[BandTrackInfo], transport: Transport) -> None:
        """Start: the band's tracks and the tempo map."""
        self.recording.band = list(band)
        self.recording.count_in = transport.count_in
        self._write({"t": "start", "version": JOURNAL_VERSION,
                     "band": [vars(b) for b in band], "count_in": transport.count_in})
        self.tempo_map(transport)

    def tempo_map(self, transport: Transport) -> None:
        """Record the current tempo/meter segments."""
        self.recording.segments = transport.changes()
        self._write({"t": "transport", "segments": [_segment_json(s) for s in transport.changes()]})

    def player(self, time_ns: int, raw: tuple[int, ...]) -> None:
        """A MIDI message the player sent, at its arrival time."""
        self.recording.player.append((time_ns, raw))
        self._write({"t": "player", "ns": time_ns, "msg": list(raw)})

    def band(self, notes: list[ScheduledNote]) -> None:
        """Band notes, at the times they were scheduled to play."""
        self.recording.notes.extend(notes)
        for n in notes:
            self._write({"t": "band", "on": n.on_ns, "off": n.off_ns, "ch": n.channel,
                         "p": n.pitch, "v": n.velocity, "voice": n.voice})

    def bar_line(self) -> None:
        """Flush the journal: a crash loses at most the bar in progress."""
        if self._journal:
            self._journal.flush()

    def close(self) -> None:
        """Stop journaling (the file stays until the recording is saved)."""
        if self._journal:
            self._journal.close()
            self._journal = None

    def save(self, path: str | Path) -> None:
        """Write the SMF; the journal is removed once the file is safely written."""
        self.close()
        write_recording(self.recording, path)
        if self.journal_path and self.journal_path.exists():
            self.journal_path.unlink()

    def _write(self, record: dict) -> None:
        if self._journal:
            self._journal.write(record)


def _segment_json(segment: Segment) -> list:
    return [segment.first_bar, segment.start_ns, segment.bpm, str(segment.meter)]


def read_journal(path: str | Path) -> Recording:
    """Rebuild a recording from a journal (a torn last line is ignored)."""
    recording = Recording()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        _apply(recording, record)
    if not recording.segments:
        raise ValueError(f"{path}: not a coperformer journal")
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


def write_recording(recording: Recording, path: str | Path) -> None:
    """Type-1 SMF: conductor (tempo, meter), the player as played, one track per band voice."""
    transport = recording.transport()

    def tick(ns: int) -> int:
        return round(transport.quarters_at(ns) * TICKS)

    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS)
    midi.tracks.append(_conductor(recording.segments, transport))
    midi.tracks.append(_playerevents_to_track(recording.player, tick))
    for index, info in enumerate(recording.band):
        notes = [n for n in recording.notes if n.voice == index]
        midi.tracks.append(_bandevents_to_track(info, notes, tick))
    atomic_write(path, lambda tmp: midi.save(tmp))


def _conductor(segments: list[Segment], transport: Transport) -> mido.MidiTrack:
    events = [(0, mido.MetaMessage("track_name", name="Conductor"))]
    for segment in segments:
        bar = max(0, segment.first_bar)
        at = round(transport.quarters_of_bar(bar) * TICKS)
        if segment.first_bar < 0 or at >= 0:
            events.append((at, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(segment.bpm))))
            events.append((at, mido.MetaMessage("time_signature", numerator=segment.meter.numerator,
                                                denominator=segment.meter.denominator)))
    return events_to_track(events)


def _playerevents_to_track(player: list[tuple[int, tuple[int, ...]]], tick) -> mido.MidiTrack:
    events, started = [(0, mido.MetaMessage("track_name", name="Melody"))], set()
    for time_ns, raw in player:
        at = tick(time_ns)
        message = mido.Message.from_bytes(list(raw))
        is_on = message.type == "note_on" and message.velocity > 0
        if at < 0:
            continue  # the count-in is left out
        if is_on:
            started.add(message.note)
        elif message.type in ("note_on", "note_off") and message.note not in started:
            continue
        events.append((at, message))
    return events_to_track(events)


def _bandevents_to_track(info: BandTrackInfo, notes: list[ScheduledNote], tick) -> mido.MidiTrack:
    events = [(0, mido.MetaMessage("track_name", name=info.name)),
              (0, mido.Message("program_change", channel=info.channel, program=info.program))]
    for n in notes:
        on, off = tick(n.on_ns), tick(n.off_ns)
        if on < 0:
            continue
        events.append((on, mido.Message("note_on", channel=info.channel, note=n.pitch,
                                        velocity=n.velocity)))
        events.append((max(off, on + 1), mido.Message("note_off", channel=info.channel,
                                                      note=n.pitch, velocity=0)))
    return events_to_track(events)


def recover_journal(journal: str | Path, output: str | Path | None = None) -> Path:
    """Turn a journal left behind by a crash into a .mid file; returns its path."""
    journal = Path(journal)
    recording = read_journal(journal)
    if output is None:
        name = journal.name.removesuffix(".journal")
        stem = Path(name).stem
        output = journal.with_name(f"{stem}-recovered.mid")
    write_recording(recording, output)
    return Path(output)
