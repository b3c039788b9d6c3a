"""The bar buffer: the player's notes so far (held notes included), read by the worker."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import islice

from coperformer.engine.events import ALL_OFF, NOTE_OFF, NOTE_ON, PEDAL, InputEvent
from coperformer.music import gm
from coperformer.music.gm import PEDAL_DOWN


@dataclass
class PlayedNote:
    """A note the player played; ``end_ns`` is None while the key is down."""

    pitch: int
    velocity: int
    start_ns: int
    end_ns: int | None = None
    channel: int = 0


MAX_BUFFERED_NOTES = 256  # the newest notes kept: the window's 5 bars of 16ths in triads


class BarBuffer:
    """Keeps what the player played, in arrival order, the newest MAX_BUFFERED_NOTES at most
    (so a flood of notes cannot make a bar's decision slower); only the worker thread touches
    it."""

    def __init__(self, keep_ns: int | None = None):
        self.notes: deque[PlayedNote] = deque(maxlen=MAX_BUFFERED_NOTES)
        self._open: dict[int, PlayedNote] = {}
        self.pedal_down = False
        self.pedal_channel = 0
        self.keep_ns = keep_ns

    def add(self, event: InputEvent) -> None:
        """Apply one input event (worker thread)."""
        if event.kind == NOTE_ON:
            self._close(event.pitch, event.time_ns)
            note = PlayedNote(event.pitch, event.velocity, event.time_ns, None, event.channel)
            self._open[event.pitch] = note
            self.notes.append(note)
        elif event.kind == NOTE_OFF:
            self._close(event.pitch, event.time_ns)
        elif event.kind == ALL_OFF:
            for pitch in list(self._open):
                self._close(pitch, event.time_ns)
        elif event.kind == PEDAL:
            self.pedal_down = event.value >= PEDAL_DOWN
            self.pedal_channel = event.channel

    def releases(self, time_ns: int) -> list[InputEvent]:
        """Note-offs for every key still down and a pedal release, as if the player let go
        at ``time_ns`` (a keyboard unplugged mid-note; worker thread)."""
        events = [InputEvent(time_ns, NOTE_OFF, n.pitch, channel=n.channel,
                             raw=(gm.NOTE_OFF | n.channel, n.pitch, 0))
                  for n in self._open.values()]
        if self.pedal_down:
            events.append(InputEvent(time_ns, PEDAL, value=0, channel=self.pedal_channel,
                                     raw=(gm.CONTROL_CHANGE | self.pedal_channel,
                                          gm.SUSTAIN_CC, 0)))
        return events

    def _close(self, pitch: int, time_ns: int) -> None:
        note = self._open.pop(pitch, None)
        if note is not None:
            note.end_ns = max(time_ns, note.start_ns + 1)

    def latest(self, count: int) -> list[PlayedNote]:
        """The newest ``count`` notes, oldest first (worker thread)."""
        return list(islice(reversed(self.notes), count))[::-1]

    @property
    def held(self) -> list[int]:
        """Pitches whose keys are down (worker thread)."""
        return sorted(self._open)

    def snapshot(self, since_ns: int, until_ns: int) -> list[tuple[int, int, int, int]]:
        """(pitch, velocity, start, end) of notes sounding in [since, until); held notes end at
        ``until`` (worker thread)."""
        out = []
        for note in self.notes:
            end = note.end_ns if note.end_ns is not None else until_ns
            if note.start_ns < until_ns and end > since_ns:
                out.append((note.pitch, note.velocity, note.start_ns, min(end, until_ns)))
        return out

    def forget_before(self, time_ns: int) -> None:
        """Drop notes that ended before ``time_ns``: bounded memory in long jams (worker thread)."""
        kept = [n for n in self.notes if n.end_ns is None or n.end_ns >= time_ns]
        self.notes = deque(kept, maxlen=MAX_BUFFERED_NOTES)
