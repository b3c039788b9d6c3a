"""A bar's notes at absolute times (pure): the band's voices and the drum groove's hits, from
quarters within the bar through the transport's tempo map."""

from __future__ import annotations

from coperformer.engine.clock import MS
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.transport import Transport
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.groove import HIT_QUARTERS, groove_bar
from coperformer.music.notes import Note


def band_notes(transport: Transport, bar: int, voices: list[list[Note]],
               channels: list[int]) -> list[ScheduledNote]:
    """Each voice's notes (quarters from the bar's start) at absolute times, sorted; a note
    ends a millisecond early so that re-strikes stay distinct."""
    out = []
    for voice, notes in enumerate(voices):
        for n in notes:
            on = transport.ns_at_quarters(bar, n.start)
            off = transport.ns_at_quarters(bar, n.end) - MS
            out.append(ScheduledNote(on, max(off, on + MS), channels[voice], n.pitch,
                                     n.velocity, voice))
    return sorted(out)


def drum_notes(transport: Transport, bar: int, feel: str, phrase_bars: int, seed: int,
               voice: int) -> list[ScheduledNote]:
    """The groove's hits of ``bar`` on the percussion channel, as the take's ``voice``."""
    hits = groove_bar(transport.meter_at(bar), bar, feel, phrase_bars, seed)
    return [ScheduledNote(transport.ns_at_quarters(bar, h.start),
                          transport.ns_at_quarters(bar, h.start + HIT_QUARTERS) - MS,
                          DRUM_CHANNEL, h.drum, h.velocity, voice) for h in hits]


def not_late(notes: list[ScheduledNote], now_ns: int) -> list[ScheduledNote]:
    """The notes that can still start on time."""
    return [n for n in notes if n.on_ns >= now_ns]
