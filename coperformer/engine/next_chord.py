"""The chord that sounds next, as the player would read it on the chord board: a chart's change
inside the bar being played (its beat still to come) or the chord the left hand just took
(from the next beat), else the coming bar's chord, previewed (provisional) until its
decision; told to the listener whenever it changes (a mixin of Session; worker thread)."""

from __future__ import annotations

NextChord = tuple[str, int, bool]  # name ("" when none is known), from (ns), provisional
NOTHING_NEXT: NextChord = ("", 0, True)


class AnnouncesNextChord:
    """For a session with ``transport``, ``handover``, ``left_hand``, ``listener`` and
    ``_chart_chord``; a change inside a bar counts once that bar is sounding (it is decided a
    margin before)."""

    _coming: dict[int, tuple[str, bool]]  # bar -> its chord, provisional or decided
    _next_told: NextChord | None

    def _chord_ahead(self, bar: int, name: str | None, provisional: bool) -> None:
        """A bar's chord previewed or decided (None: decided that the band rests); a preview
        never takes back a decision."""
        if provisional and bar in self._coming and not self._coming[bar][1]:
            return
        if name is None:
            self._coming.pop(bar, None)
        else:
            self._coming[bar] = (name, provisional)

    def _tell_next_chord(self, now_ns: int) -> None:
        """Tell the listener the chord that sounds next, when it changed."""
        coming = self._next_chord(now_ns)
        if coming != self._next_told:
            self._next_told = coming
            self.listener.on_next_chord(*coming)

    def _next_chord(self, now_ns: int) -> NextChord:
        handover = self.handover
        if handover is not None and handover.bar is not None \
                and self.transport.bar_start_ns(handover.bar) <= now_ns \
                and handover.replan_ns is not None and handover.replan_ns > now_ns:
            chord = self._chart_chord(handover.bar, handover.replan_ns) or (
                self.left_hand and self.left_hand.chord)
            if chord is not None:  # the chart's next, or the chord the left hand just took
                return chord.name, handover.replan_ns, True
        bar = self.transport.bar_at(now_ns) + 1
        for old in [b for b in self._coming if b < bar - 1]:
            del self._coming[old]
        if bar not in self._coming:
            return NOTHING_NEXT
        name, provisional = self._coming[bar]
        return name, self.transport.bar_start_ns(bar), provisional
