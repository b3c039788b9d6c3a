"""A band bar handed to the sinks a beat at a time instead of all at its decision, so the rest
of the bar can still be planned again (when the left hand changes its chord mid-bar). Pure
bookkeeping of one bar's notes; the worker thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from coperformer.engine.sinks import ScheduledNote

Warp = Callable[[int, int], int]  # (bar, a held note's decided time) -> when it plays


def key(note: ScheduledNote) -> tuple[int, int]:
    """A note's channel and pitch: what a note-off ends."""
    return note.channel, note.pitch


@dataclass
class BeatHandover:
    """The bar being played: notes decided but not handed to the sinks yet, and notes handed
    (final unless a re-plan ends them early; recorded when the bar is done). Every method
    belongs to the worker thread."""

    lead_ns: int  # a note goes to the sinks this long before it starts
    bar: int | None = None
    held: list[ScheduledNote] = field(default_factory=list)
    handed: list[ScheduledNote] = field(default_factory=list)
    replan_ns: int | None = None  # the beat from which the bar is planned again
    warp: Warp | None = None  # held notes move to the player's predicted beats (Follow mode)
    kept_channels: frozenset[int] = frozenset()  # held notes a re-plan keeps (the drums)
    until_ns: int | None = None  # the bar ends early here (the next bar came sooner)

    def hold(self, bar: int, notes: list[ScheduledNote]
             ) -> tuple[list[ScheduledNote], list[ScheduledNote]]:
        """A newly decided bar; returns the previous bar's notes, final now (to record), and
        those of them still held (to hand over at once: nothing decided is dropped)."""
        final, late = self.handed + self.held, self.held
        self.bar, self.held, self.handed, self.replan_ns = bar, sorted(notes), [], None
        self.until_ns = None
        return final, late

    def add(self, notes: list[ScheduledNote]) -> None:
        """More notes of the bar being played (its drums, in Follow mode), held with the rest."""
        self.held = sorted(self.held + notes)

    def finish(self) -> list[ScheduledNote]:
        """The session stops: the notes handed (those played), final; nothing is held."""
        final, self.handed, self.held, self.replan_ns = self.handed, [], [], None
        return final

    def cut(self, at_ns: int) -> None:
        """Panic: nothing more of this bar goes out; the notes handed end at ``at_ns`` (those
        not started never sounded)."""
        self.handed = [replace(n, off_ns=min(n.off_ns, at_ns)) for n in self.handed
                       if n.on_ns < at_ns]
        self.held, self.replan_ns, self.bar = [], None, None

    def end_at(self, at_ns: int, within_ns: int) -> list[ScheduledNote]:
        """The next bar comes early, at ``at_ns`` (Follow mode: the player's count of the bar
        moved back a beat): nothing of this bar plays from ``within_ns`` before it (held notes
        dropped, the beat decision there too), held notes that would sound across it are cut
        there, and so are the handed ones; returns the handed notes ended early."""
        self.until_ns = at_ns
        self.held = [n for n in self.held if self._when(n.on_ns) < at_ns - within_ns]
        if self.replan_ns is not None and self._when(self.replan_ns) >= at_ns - within_ns:
            self.replan_ns = None
        ended, handed = [], []
        for note in self.handed:
            if note.on_ns < at_ns < note.off_ns:
                ended.append(note)
                note = replace(note, off_ns=at_ns)
            handed.append(note)
        self.handed = handed
        return ended

    def pause(self) -> None:
        """A fermata: nothing more of this bar goes out (the notes handed sound on as
        handed; those held, never played, are dropped)."""
        self.held, self.replan_ns = [], None

    def _when(self, at_ns: int) -> int:
        """When a held time plays: warped in Follow mode, else as decided."""
        return self.warp(self.bar, at_ns) if self.warp and self.bar is not None else at_ns

    def due(self, now_ns: int) -> list[ScheduledNote]:
        """The held notes whose time to go to the sinks has come (they count as handed), at
        the times they play (warped in Follow mode; never before ``now_ns``)."""
        goes = [self._when(n.on_ns) - self.lead_ns <= now_ns for n in self.held]
        if not any(goes):
            return []
        ready = [n for n, go in zip(self.held, goes, strict=True) if go]
        self.held = [n for n, go in zip(self.held, goes, strict=True) if not go]
        if self.warp or self.until_ns is not None:
            ready = [self._warped(n, now_ns) for n in ready]
        self.handed.extend(ready)
        return ready

    def _warped(self, note: ScheduledNote, now_ns: int) -> ScheduledNote:
        on = max(now_ns, self._when(note.on_ns))
        off = self._when(note.off_ns)
        if self.until_ns is not None:
            off = min(off, self.until_ns)
        return replace(note, on_ns=on, off_ns=max(on + 1, off))

    def next_ns(self) -> int | None:
        """When the next note must go, or the re-plan is due; None when nothing waits."""
        times = [self._when(self.held[0].on_ns) - self.lead_ns] if self.held else []
        if self.replan_ns is not None:
            times.append(self.replan_ns - self.lead_ns)
        return min(times) if times else None

    def replace_from(self, at_ns: int, new: list[ScheduledNote]
                     ) -> tuple[list[ScheduledNote], set[tuple[int, int]]]:
        """The bar from ``at_ns`` on becomes ``new``: held notes are dropped, handed notes
        sounding across ``at_ns`` end there unless ``new`` sounds the same key across it (then
        the note simply goes on). A new note on such a key that would start before the old
        note's own note-off (still on its way to the sinks) is left out: that note-off would
        cut it. Returns the notes ended early and the keys that went on."""
        across_new = {key(n) for n in new if n.on_ns <= at_ns < n.off_ns}
        ended, kept, handed, old_off = [], set(), [], {}
        for note in self.handed:
            if note.on_ns < at_ns < note.off_ns:
                old_off[key(note)] = max(old_off.get(key(note), 0), note.off_ns)
                if key(note) in across_new:
                    kept.add(key(note))
                else:
                    ended.append(note)
                    note = replace(note, off_ns=at_ns)
            handed.append(note)
        self.handed = handed
        others = [n for n in self.held if n.channel in self.kept_channels]
        self.held = sorted(others + [
            replace(n, on_ns=max(n.on_ns, at_ns)) for n in new
            if n.off_ns > at_ns and not (key(n) in kept and n.on_ns <= at_ns)
            and not (key(n) in old_off and at_ns < n.on_ns < old_off[key(n)])])
        self.replan_ns = None
        return ended, kept
