"""How a tune begins and ends with the player: the held tonic chord of the intro and of the
ending, and when the ending comes: the bar after the End intent, the bar after a bar of the
player's silence (sync stop), the bar after a file's last note (worker thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import band_notes, not_late
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.stage import Stage
from coperformer.music.endings import tonic_chord
from coperformer.music.harmony import Key

CEILING_NOTES = 8  # the ending's chord keeps under the lowest of the player's last notes


class TuneEnding:
    """Decides when the tune ends and plays its intro and final chords on ``stage``."""

    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.ended_input = False  # the input (a file) has no more notes
        self.bar: int | None = None  # the band's final chord, once the tune ends

    def due(self, bar: int, now_ns: int) -> None:
        """At ``bar``'s decision: it is the final chord when the input (a file) has ended and
        the player is silent, or with sync stop when the player has not played for the bar
        before it (README: a bar of silence, then the final chord)."""
        buffer, config = self.stage.buffer, self.stage.config
        if self.bar is not None or bar < 1 or not buffer.notes:
            return
        if self.ended_input and self._silent_since(now_ns):
            self.bar = bar
        elif config.sync_stop and bar >= 2 and self._silent_since(
                self.stage.transport.bar_start_ns(bar - 1)):
            self.bar = bar

    def _silent_since(self, time_ns: int) -> bool:
        """No key is down and every note the player played had ended by ``time_ns``."""
        buffer = self.stage.buffer
        return not buffer.held and all(
            n.end_ns is not None and n.end_ns <= time_ns for n in buffer.latest(8))

    def final_chord(self, bar: int, now_ns: int) -> list[ScheduledNote]:
        """The final chord: the tonic of the key the tune ended in, under the melody."""
        latest = self.stage.buffer.latest(CEILING_NOTES)
        last = latest[-1].pitch if latest else None
        pitches = [n.pitch for n in latest]
        return self.tonic_bar(bar, self.stage.band.heard_key(last), now_ns,
                              (min(pitches, default=None), max(pitches, default=None)))

    def tonic_bar(self, bar: int, key: Key, now_ns: int,
                  melody: tuple[int | None, int | None] = (None, None),
                  ) -> list[ScheduledNote]:
        """The key's tonic chord held for the bar (intro, ending), under the ``melody``'s
        lowest note when given (a floating voice above its highest), recorded and marked."""
        stage = self.stage
        voices = tonic_chord(key, stage.transport.meter_at(bar).bar_quarters, *melody,
                             stage.band.floating)
        kept = not_late(band_notes(stage.transport, bar, voices, stage.channels), now_ns)
        stage.board.ahead(bar, key.tonic_triad_name(), False)
        if stage.recorder:  # (a count-in bar is in the take only when the player played in it)
            stage.recorder.band(kept)
            stage.recorder.chord(stage.transport.bar_start_ns(bar), key.tonic_triad_name())
        stage.listener.on_planned(bar, tuple(kept))
        return kept
