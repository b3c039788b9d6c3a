"""The take: what a session played, as data (the band's tracks, the tempo map, the player's
messages and the band's scheduled notes). Written to a file by io/takefile.py."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.transport import Segment, Transport


@dataclass
class BandTrackInfo:
    """A band voice as it goes into the file."""

    name: str
    channel: int
    program: int


@dataclass
class Recording:
    """Everything needed to write the file: tracks, tempo map, events (absolute ns).

    Filled by one thread (the worker's Recorder, or a journal reader); read once it is done.
    """

    band: list[BandTrackInfo] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    count_in: int = 0
    player: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    notes: list[ScheduledNote] = field(default_factory=list)
    programs: list[tuple[int, int, int]] = field(default_factory=list)  # (ns, channel, program)
    levels: list[tuple[int, int, int]] = field(default_factory=list)  # (ns, channel, volume)
    chords: list[tuple[int, str]] = field(default_factory=list)  # (ns, name): the band's chords

    def transport(self) -> Transport:
        """A transport with the recorded tempo map (for ns -> quarters). Any thread."""
        return Transport.from_segments(self.segments, self.count_in)

    def voice_notes(self, voice: int) -> list[ScheduledNote]:
        """The band notes of one voice, in the order they were planned. Any thread."""
        return [n for n in self.notes if n.voice == voice]

    def cut(self, at_ns: int, until_ns: int) -> None:
        """Panic at ``at_ns``: the band's notes starting from then until ``until_ns`` (where the
        band comes back) never sounded, and those sounding end there. Its one thread."""
        self.notes = [replace(n, off_ns=min(n.off_ns, at_ns)) if n.on_ns < at_ns else n
                      for n in self.notes if not at_ns <= n.on_ns < until_ns]
