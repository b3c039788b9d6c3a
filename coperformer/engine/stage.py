"""What the parts of a session share: the tempo map, the band, the sinks, the take, the listener,
the figures, the player's notes heard and the chord board. The session makes one and hands it to
each part (the mix, the steering, Follow mode, the tune's ending); the parts never call back into
the session: what it must know comes back as their return values (worker thread)."""

from __future__ import annotations

from dataclasses import dataclass

from coperformer.engine.bar_buffer import BarBuffer
from coperformer.engine.clock import Clock
from coperformer.engine.listener import SessionListener
from coperformer.engine.live_band import LiveBand
from coperformer.engine.next_chord import ChordBoard
from coperformer.engine.recorder import Recorder
from coperformer.engine.session_config import SessionConfig
from coperformer.engine.sinks import NoteSink, ScheduledNote
from coperformer.engine.stats import SessionStats
from coperformer.engine.take import BandTrackInfo
from coperformer.engine.transport import Transport


@dataclass
class Stage:
    """A session's shared parts; every one belongs to the worker thread once it runs."""

    config: SessionConfig
    clock: Clock
    transport: Transport
    band: LiveBand
    sinks: list[NoteSink]
    recorder: Recorder | None
    listener: SessionListener
    stats: SessionStats
    tracks: list[BandTrackInfo]  # the band's voices, then the drums
    buffer: BarBuffer
    board: ChordBoard

    @property
    def channels(self) -> list[int]:
        """Each track's MIDI channel, in track order."""
        return [track.channel for track in self.tracks]

    def schedule(self, notes: list[ScheduledNote]) -> None:
        """Hand notes to every sink (nothing when there are none)."""
        if notes:
            for sink in self.sinks:
                sink.schedule(notes)

    def record_band(self, notes: list[ScheduledNote]) -> None:
        """The band's notes into the take (when one is recorded)."""
        if self.recorder:
            self.recorder.band(notes)
