"""The metronome's clicks and the MIDI clock's ticks of one bar, from the transport."""

from __future__ import annotations

from coperformer.engine.clock import MS
from coperformer.engine.sinks import (
    CLICK_HIGH,
    CLICK_LOW,
    METRONOME_CHANNEL,
    ClockSink,
    ScheduledNote,
)
from coperformer.engine.transport import Transport
from coperformer.music.gm import CLOCKS_PER_QUARTER

CLICK_MS = 60
CLICK_VELOCITY = 90  # the metronome's loudness, live and in exports


def click_notes(transport: Transport, bar: int, velocity: int) -> list[ScheduledNote]:
    """One click per counted beat of a bar, the downbeat higher."""
    meter = transport.meter_at(bar)
    start = transport.bar_start_ns(bar)
    beat_ns = (transport.bar_start_ns(bar + 1) - start) // meter.beats_per_bar
    clicks = []
    for beat in range(meter.beats_per_bar):
        on = start + beat * beat_ns
        pitch = CLICK_HIGH if beat == 0 else CLICK_LOW
        clicks.append(ScheduledNote(on, on + CLICK_MS * MS, METRONOME_CHANNEL, pitch, velocity))
    return clicks


def clock_times(transport: Transport, bar: int) -> list[int]:
    """The absolute times of a bar's MIDI clock ticks (24 per quarter note)."""
    start, end = transport.bar_start_ns(bar), transport.bar_start_ns(bar + 1)
    ticks = round(transport.meter_at(bar).bar_quarters * CLOCKS_PER_QUARTER)
    return [start + (end - start) * i // ticks for i in range(ticks)]


def send_clock(sinks: list, transport: Transport, bar: int, now_ns: int) -> None:
    """A bar's clock ticks still ahead of ``now_ns`` to every sink that sends clock, with
    Start on bar 0's downbeat (worker thread)."""
    times = [t for t in clock_times(transport, bar) if t >= now_ns]
    start = transport.bar_start_ns(bar) if bar == 0 else None
    for sink in sinks:
        if isinstance(sink, ClockSink):
            sink.schedule_clock(times, start)
