"""The chord that sounds next, as the player would read it on the chord board: a chart's change
inside the bar being played (its beat still to come) or the chord the left hand just took
(from the next beat), else the coming bar's chord, previewed (provisional) until its
decision; told to the listener whenever it changes (worker thread)."""

from __future__ import annotations

from coperformer.engine.listener import SessionListener
from coperformer.engine.transport import Transport

NextChord = tuple[str, int, bool]  # name ("" when none is known), from (ns), provisional
NOTHING_NEXT: NextChord = ("", 0, True)


class ChordBoard:
    """Each coming bar's chord, previewed or decided, and the one last told to ``listener``;
    a change inside a bar counts once that bar is sounding (it is decided a margin before)."""

    def __init__(self, listener: SessionListener) -> None:
        self.listener = listener
        self.coming: dict[int, tuple[str, bool]] = {}  # bar -> its chord, provisional or decided
        self.told: NextChord | None = None

    def ahead(self, bar: int, name: str | None, provisional: bool) -> None:
        """A bar's chord previewed or decided (None: decided that the band rests); a preview
        never takes back a decision."""
        if provisional and bar in self.coming and not self.coming[bar][1]:
            return
        if name is None:
            self.coming.pop(bar, None)
        else:
            self.coming[bar] = (name, provisional)

    def tell(self, transport: Transport, now_ns: int, inside: NextChord | None) -> None:
        """Tell the listener the chord that sounds next when it changed: ``inside`` (a change
        still to come in the bar being played) when there is one, else the next bar's."""
        coming = inside or self._next_bar(transport, now_ns)
        if coming != self.told:
            self.told = coming
            self.listener.on_next_chord(*coming)

    def _next_bar(self, transport: Transport, now_ns: int) -> NextChord:
        bar = transport.bar_at(now_ns) + 1
        for old in [b for b in self.coming if b < bar - 1]:
            del self.coming[old]
        if bar not in self.coming:
            return NOTHING_NEXT
        name, provisional = self.coming[bar]
        return name, transport.bar_start_ns(bar), provisional
