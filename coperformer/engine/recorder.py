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

    def __init__(self, journal: Path | None = None):
        self.recording = Recording()
        self._journal = J.JournalWriter(journal) if journal else None
        self.journal_path = journal

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

    def bar_line(self) -> None:
        """Flush the journal: a crash loses at most the bar in progress (worker thread)."""
        if self._journal:
            self._journal.flush()

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
