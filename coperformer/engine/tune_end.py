"""How a tune begins and ends with the player: the held tonic chord of the intro and of the
ending, and when the ending comes: the bar after the End intent, the bar after a bar of the
player's silence (sync stop), the bar after a file's last note (a mixin of Session; worker
thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import band_notes, not_late
from coperformer.engine.sinks import ScheduledNote
from coperformer.music.endings import tonic_chord
from coperformer.music.harmony import Key

CEILING_NOTES = 8  # the ending's chord keeps under the lowest of the player's last notes


class EndsTheTune:
    """For a session with ``config``, ``transport``, ``buffer``, ``band``, ``recorder``,
    ``listener``, ``tracks``, ``ended_input`` and ``ending_bar``."""

    ending_bar: int | None

    def _ending_due(self, bar: int, now_ns: int) -> None:
        """At ``bar``'s decision: it is the final chord when the input (a file) has ended and
        the player is silent, or with sync stop when the player has not played for the bar
        before it (README: a bar of silence, then the final chord)."""
        if self.ending_bar is not None or bar < 1 or not self.buffer.notes:
            return
        if self.ended_input and self._silent_since(now_ns):
            self.ending_bar = bar
        elif self.config.sync_stop and bar >= 2 and self._silent_since(
                self.transport.bar_start_ns(bar - 1)):
            self.ending_bar = bar

    def _silent_since(self, time_ns: int) -> bool:
        """No key is down and every note the player played had ended by ``time_ns``."""
        return not self.buffer.held and all(
            n.end_ns is not None and n.end_ns <= time_ns for n in self.buffer.latest(8))

    def _ending_chord(self, bar: int, now_ns: int) -> list[ScheduledNote]:
        """The final chord: the tonic of the key the tune ended in, under the melody."""
        latest = self.buffer.latest(CEILING_NOTES)
        last = latest[-1].pitch if latest else None
        pitches = [n.pitch for n in latest]
        return self._chord_bar(bar, self.band.heard_key(last), now_ns,
                               (min(pitches, default=None), max(pitches, default=None)))

    def _chord_bar(self, bar: int, key: Key, now_ns: int,
                   melody: tuple[int | None, int | None] = (None, None),
                   ) -> list[ScheduledNote]:
        """The key's tonic chord held for the bar (intro, ending), under the ``melody``'s
        lowest note when given (a floating voice above its highest), recorded and marked."""
        voices = tonic_chord(key, self.transport.meter_at(bar).bar_quarters, *melody,
                             self.band.floating)
        kept = not_late(band_notes(self.transport, bar, voices,
                                   [t.channel for t in self.tracks]), now_ns)
        self._chord_ahead(bar, key.tonic_triad_name(), False)
        if self.recorder:  # (a count-in bar is in the take only when the player played in it)
            self.recorder.band(kept)
            self.recorder.chord(self.transport.bar_start_ns(bar), key.tonic_triad_name())
        self.listener.on_planned(bar, tuple(kept))
        return kept
