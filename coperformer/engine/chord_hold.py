"""Follow mode's held chord: the band's chord (each voice's last note of the bar it played)
held while the player holds a fermata, and for each bar while the beat tracker has lost the
player's beat. Through a fermata it sounds once the tracker has found the fermata and the
notes already handed to the synth have ended; it ends when the player lets go of every key
(the cut-off: the band lets go with the player, and waits in silence), or else on the bar line
where the band comes back in; its notes start
and end at once (no note-off is scheduled ahead, so none can cut a later note on the same
key). Worker thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from coperformer.engine.clock import MS
from coperformer.engine.sinks import NoteSink, ScheduledNote
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.notes import Note

# Every key up this long in a fermata is the player's cut-off (the breath between a fermata
# and the next note is shorter when the tune goes on)
CUT_OFF_NS = 150 * MS


def _band(notes: list[ScheduledNote]) -> list[ScheduledNote]:
    return [n for n in notes if n.channel != DRUM_CHANNEL and n.voice >= 0]


def _last_by_voice(notes: list[ScheduledNote]) -> dict[int, ScheduledNote]:
    """Each band voice's last note."""
    return {note.voice: note for note in sorted(_band(notes))}


def held_voices(played: list[ScheduledNote], quarters: float) -> list[list[Note]]:
    """Each voice's last note of the bar ``played``, held for ``quarters`` (a voice that
    played nothing rests)."""
    last = _last_by_voice(played)
    return [[Note(last[v].pitch, 0.0, quarters, last[v].velocity)] if v in last else []
            for v in range(max(last, default=-1) + 1)]


class FermataHold:
    """The chord held through a fermata: its notes while it sounds, and the bar that ends it
    once the player went on (None before)."""

    def __init__(self, sinks: list[NoteSink]) -> None:
        self.sinks = sinks
        self.notes: list[ScheduledNote] = []
        self.until_bar: int | None = None
        self.cut_off = False  # the player let go in this fermata: nothing is held any more

    def update(self, waiting: bool, played: list[ScheduledNote], next_bar: int,
               bar_start: Callable[[int], int], now_ns: int,
               released_ns: int | None = None) -> list[ScheduledNote]:
        """One look at the fermata: ``waiting`` (the band waits for the player), the notes
        of the bar the band ``played``, the bar it decides next, when a bar starts, and when
        the player let go of every key (None while one is down). Begins the hold, ends it at
        the player's cut-off or on the band's first bar after the fermata; returns the notes
        ended (for the take)."""
        if waiting:
            if self.cut_off or (released_ns is not None and now_ns >= released_ns + CUT_OFF_NS):
                self.cut_off = True
                return self.end(now_ns) if self.notes else []
            due = self.starts_ns(played)
            if released_ns is None and not self.notes and due is not None and now_ns >= due:
                self._begin(played, now_ns)
            return []
        self.cut_off = False
        if self.notes and self.until_bar is None:
            self.until_bar = next_bar
        if self.notes and now_ns >= bar_start(self.until_bar):
            return self.end(now_ns)
        return []

    def starts_ns(self, played: list[ScheduledNote]) -> int | None:
        """When a hold of the bar ``played`` may sound: once its notes have all ended (their
        own note-offs would cut it otherwise); None when it is sounding or there is none."""
        band = _band(played)
        return None if self.notes or not band else max(n.off_ns for n in band)

    def _begin(self, played: list[ScheduledNote], now_ns: int) -> None:
        """Sound each voice's last note of the bar ``played`` now, held until ``end``."""
        self.notes = [replace(note, on_ns=now_ns, off_ns=now_ns)
                      for note in _last_by_voice(played).values()]
        for sink in self.sinks:
            for note in self.notes:
                sink.play_now(note.channel, note.pitch, note.velocity)

    def end(self, now_ns: int) -> list[ScheduledNote]:
        """End the held notes now; they are returned as played (for the take)."""
        for sink in self.sinks:
            for note in self.notes:
                sink.play_now(note.channel, note.pitch, 0)
        played = [replace(note, off_ns=max(now_ns, note.on_ns + 1)) for note in self.notes]
        self.notes, self.until_bar = [], None
        return played
