"""Planning the coming bar ahead: at every beat of the bar before it, the band's likely next
bar (chord and notes) is planned from what was heard so far and shown; the decision point
commits the real one (a mixin of Session; worker thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import band_notes
from coperformer.engine.clock import MS
from coperformer.engine.lookahead import Lookahead


class PlansAhead:
    """For a session with ``lookahead``, ``transport``, ``band``, ``listener``, ``stats``,
    ``tracks``, ``clock``, ``next_bar``, ``ending_bar``, ``decision_ns``, ``_request`` and
    ``_chord_ahead``."""

    lookahead: Lookahead

    def _plan_ahead(self, now_ns: int) -> None:
        """The coming bar's provisional plan when a beat of its lead-in has come; none once
        its decision is due (a worker that fell behind decides at once instead)."""
        decision = self.decision_ns(self.next_bar)
        if self.lookahead.take(self.transport, self.next_bar, now_ns, decision) \
                and now_ns < decision:
            self._provisional(self.next_bar)

    def _provisional(self, bar: int) -> None:
        """Tell what the band is likely to play in ``bar`` (chord and notes), from what was
        heard so far; the decision point commits it."""
        if bar < 1 or (self.ending_bar is not None and bar >= self.ending_bar):
            return
        started = self.clock.now_ns()
        chord, voices = self.band.provisional(self._request(bar, started))
        self.stats.plan_ms.append((self.clock.now_ns() - started) / MS)
        if chord is not None:
            self.listener.on_chord(bar, chord.name, True)
            self._chord_ahead(bar, chord.name, True)
        channels = [t.channel for t in self.tracks]
        self.listener.on_provisional(bar, tuple(band_notes(self.transport, bar, voices,
                                                           channels)))
