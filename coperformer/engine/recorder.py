"""The recorder: collects the take on the worker thread and journals it bar by bar."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from coperformer.engine import journal as J
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.take import BandTrackInfo, Recording
from coperformer.engine.transport import Transport


class Recorder:
    """Collects the player's raw messages and the band's scheduled notes.

    The worker thread feeds it; close() and discard_journal() come from whoever ends the
    session, after the worker has stopped.
    """

    def __init__(self, journal: Path | None = None, fallbacks: tuple[Path, ...] = ()):
        self.recording = Recording()
        self._journal = J.JournalWriter(journal) if journal else None
        self.journal_path = journal
        self.fallbacks = fallbacks  # folders to journal in when the first one fails

    def begin(self, band: list[BandTrackInfo], transport: Transport) -> None:
        """Start: the band's tracks as they are now and the tempo map (worker thread)."""
        self.recording.band = [replace(track) for track in band]
        self.recording.count_in = transport.count_in
        self._write(J.start_record(band, transport.count_in))
        self.tempo_map(transport)

    def tempo_map(self, transport: Transport) -> None:
        """Record the current tempo/meter segments (worker thread)."""
        self.recording.segments = transport.changes()
        self._write(J.tempo_record(self.recording.segments))

    def player(self, time_ns: int, raw: tuple[int, ...]) -> None:
        """A MIDI message the player sent, at its arrival time (worker thread)."""
        self.recording.player.append((time_ns, raw))
        self._write(J.player_record(time_ns, raw))

    def band(self, notes: list[ScheduledNote]) -> None:
        """Band notes, at the times they were scheduled to play (worker thread)."""
        self.recording.notes.extend(notes)
        for note in notes:
            self._write(J.band_record(note))

    def program(self, time_ns: int, channel: int, program: int) -> None:
        """A channel's program changed during the take (worker thread)."""
        self.recording.programs.append((time_ns, channel, program))
        self._write(J.program_record(time_ns, channel, program))

    def level(self, time_ns: int, channel: int, volume: int) -> None:
        """A channel's volume changed during the take (worker thread)."""
        self.recording.levels.append((time_ns, channel, volume))
        self._write(J.level_record(time_ns, channel, volume))

    def chord(self, time_ns: int, name: str) -> None:
        """The band plays this chord from ``time_ns`` on (worker thread)."""
        self.recording.chords.append((time_ns, name))
        self._write(J.chord_record(time_ns, name))

    def cut(self, at_ns: int, until_ns: int) -> None:
        """Panic: the band's notes from ``at_ns`` until ``until_ns`` never sounded (worker
        thread)."""
        self.recording.cut(at_ns, until_ns)
        self._write(J.cut_record(at_ns, until_ns))

    def bar_line(self) -> str | None:
        """Flush the journal: a crash loses at most the bar in progress. When the journal can
        no longer be written (a full disk), journal the whole take again in a fallback folder;
        returns what the player must be told, once (worker thread)."""
        if not self._journal:
            return None
        self._journal.flush()
        problem = self._journal.problem
        if problem is None:
            return None
        self._journal.close()
        self._journal = None
        for folder in self.fallbacks:
            try:
                self._journal = J.JournalWriter(folder / self.journal_path.name)
            except OSError:
                continue
            self.journal_path = self._journal.path
            self._replay()
            return f"{problem}; the take is kept in memory and journaled to {self.journal_path}"
        return f"{problem}; the take is kept in memory only until it is saved"

    def _replay(self) -> None:
        """Everything recorded so far, into a fresh journal."""
        recording = self.recording
        self._write(J.start_record(recording.band, recording.count_in))
        self._write(J.tempo_record(recording.segments))
        for time_ns, raw in recording.player:
            self._write(J.player_record(time_ns, raw))
        for note in recording.notes:
            self._write(J.band_record(note))
        for time_ns, channel, program in recording.programs:
            self._write(J.program_record(time_ns, channel, program))
        for time_ns, channel, volume in recording.levels:
            self._write(J.level_record(time_ns, channel, volume))
        for time_ns, name in recording.chords:
            self._write(J.chord_record(time_ns, name))
        self._journal.flush()  # (cuts are already applied to the notes written)

    def close(self) -> None:
        """Stop journaling; the file stays until the take is saved (after the worker)."""
        if self._journal:
            self._journal.close()
            self._journal = None

    def discard_journal(self) -> None:
        """Remove the journal once the take is safely written elsewhere (after the worker)."""
        self.close()
        if self.journal_path and self.journal_path.exists():
            self.journal_path.unlink()

    def _write(self, record: dict) -> None:
        if self._journal:
            self._journal.write(record)
