"""The session, the conductor: input in, a band bar planned before every downbeat, out."""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass, field

from coperformer.engine.bar_buffer import BarBuffer
from coperformer.engine.clock import Clock
from coperformer.engine.events import (
    END,
    NOTE_OFF,
    NOTE_ON,
    PEDAL,
    PORT_BACK,
    PORT_LOST,
    InputEvent,
)
from coperformer.engine.live_band import WINDOW, BarRequest, LiveBand
from coperformer.engine.recorder import BandTrackInfo, Recorder
from coperformer.engine.sinks import (
    CLICK_HIGH,
    CLICK_LOW,
    CLOCKS_PER_QUARTER,
    METRONOME_CHANNEL,
    NoteSink,
    ScheduledNote,
)
from coperformer.engine.stats import SessionStats
from coperformer.engine.transport import Transport
from coperformer.music.meter import Meter
from coperformer.music.notes import Note

MS = 1_000_000
BAND_CHANNELS = (1, 2, 3)
CLICK_MS = 60


@dataclass
class SessionConfig:
    """How the session runs."""

    bpm: float = 120.0
    meter: Meter = field(default_factory=lambda: Meter(4, 4))
    count_in: int = 1
    metronome: bool = True
    sync_start: bool = False
    margin_ms: float = 20.0
    seed: int = 0
    click_velocity: int = 90
    midi_clock: bool = False  # send 24-ppqn clock and Start to sinks that can


Listener = Callable[[str, dict], None]


class Session:
    """Owns the transport, the bar buffer and the band; driven by poll() from one worker."""

    def __init__(self, config: SessionConfig, band: LiveBand, sinks: list[NoteSink],
                 clock: Clock, track_names: list[str], programs: list[int],
                 recorder: Recorder | None = None):
        self.config = config
        self.band = band
        self.sinks = sinks
        self.clock = clock
        self.recorder = recorder
        self.stats = SessionStats()
        self.inbox: queue.SimpleQueue[InputEvent] = queue.SimpleQueue()
        self.buffer = BarBuffer()
        count_in = 0 if config.sync_start else config.count_in
        self.transport = Transport(config.bpm, config.meter, count_in)
        self.tracks = [BandTrackInfo(name, ch, prog) for name, ch, prog
                       in zip(track_names, BAND_CHANNELS, programs, strict=True)]
        self.listeners: list[Listener] = []
        self.next_bar = -count_in  # the next bar to plan
        self.next_line = -count_in  # the next bar line to announce
        self.ended_input = False
        self.finished = False
        self.muted: set[int] = set()

    # --- called from other threads -------------------------------------------------------
    def feed(self, event: InputEvent) -> None:
        """Queue an input event (the MIDI callback thread calls this) and wake the worker."""
        self.inbox.put(event)
        self.clock.wake()

    # --- worker thread ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the transport now (or wait for the first note with sync start)."""
        for track in self.tracks:
            for sink in self.sinks:
                sink.set_program(track.channel, track.program)
        if not self.config.sync_start:
            self._start_transport(self.clock.now_ns())

    def _start_transport(self, at_ns: int) -> None:
        if self.config.sync_start:
            self.transport.start_at_bar_zero(at_ns)
        else:
            self.transport.start(at_ns)
        if self.recorder:
            self.recorder.begin(self.tracks, self.transport)
        self._emit("started", {"bar0_ns": self.transport.bar_start_ns(0)})

    def poll(self, now_ns: int) -> None:
        """Do everything that is due at ``now_ns``: input, bar lines, decision points."""
        self._drain(now_ns)
        if not self.transport.started or self.finished:
            return
        while self.transport.bar_start_ns(self.next_line) <= now_ns:
            self._bar_line(self.next_line)
            self.next_line += 1
        while self.decision_ns(self.next_bar) <= now_ns and not self.finished:
            self._plan(self.next_bar)
            self.next_bar += 1

    def next_deadline(self) -> int:
        """When poll() must run next (the earlier of the next bar line and decision point)."""
        if not self.transport.started:
            return self.clock.now_ns() + 50 * MS
        return min(self.decision_ns(self.next_bar), self.transport.bar_start_ns(self.next_line))

    def quiet_ms(self) -> float:
        """How long until the worker must act again (other threads may block the GIL then)."""
        return (self.next_deadline() - self.clock.now_ns()) / MS

    def decision_ns(self, bar: int) -> int:
        """The decision point of a bar: its downbeat minus the margin."""
        return self.transport.bar_start_ns(bar) - round(self.config.margin_ms * MS)

    def _drain(self, now_ns: int) -> None:
        while True:
            try:
                event = self.inbox.get_nowait()
            except queue.Empty:
                return
            self._handle(event)

    def _handle(self, event: InputEvent) -> None:
        self.stats.input_events += 1
        if event.kind == PORT_LOST:
            self.stats.port_losses += 1
            self._emit("port_lost", {"time_ns": event.time_ns})
            return
        if event.kind == PORT_BACK:
            self.stats.port_returns += 1
            self._emit("port_back", {"time_ns": event.time_ns})
            return
        if event.kind == END:
            self.ended_input = True
            return
        if not self.transport.started and event.kind == NOTE_ON:
            self._start_transport(event.time_ns)
        self.buffer.add(event)
        if self.recorder and event.raw and self.transport.started:
            self.recorder.player(event.time_ns, event.raw)
        if event.kind in (NOTE_ON, NOTE_OFF, PEDAL):
            self._emit("input", {"event": event})

    def _bar_line(self, bar: int) -> None:
        if self.recorder:
            self.recorder.bar_line()
        self._emit("bar", {"bar": bar, "time_ns": self.transport.bar_start_ns(bar)})
        if self.ended_input and bar >= 1 and self._silent_since(bar - 1):
            self.finished = True
            self._emit("finished", {"bar": bar})

    def _silent_since(self, bar: int) -> bool:
        start = self.transport.bar_start_ns(bar)
        return not self.buffer.held and all(
            n.end_ns is not None and n.end_ns <= start for n in self.buffer.notes[-8:])

    # --- planning a bar ---------------------------------------------------------------------
    def _plan(self, bar: int) -> None:
        if self.config.midi_clock and bar >= 0:
            self._clock_bar(bar)
        notes = self._clicks(bar)
        if bar >= 1:
            notes += self._band_bar(bar)
        if notes:
            for sink in self.sinks:
                sink.schedule(notes)

    def _clock_bar(self, bar: int) -> None:
        """24 clocks per quarter through the bar, with Start on the first downbeat."""
        start, end = self.transport.bar_start_ns(bar), self.transport.bar_start_ns(bar + 1)
        ticks = round(self.transport.meter_at(bar).bar_quarters * CLOCKS_PER_QUARTER)
        now = self.clock.now_ns()
        times = [t for t in (start + (end - start) * i // ticks for i in range(ticks)) if t >= now]
        for sink in self.sinks:
            if hasattr(sink, "schedule_clock"):
                sink.schedule_clock(times, start if bar == 0 else None)

    def _clicks(self, bar: int) -> list[ScheduledNote]:
        if bar >= 0 and not self.config.metronome:
            return []
        meter = self.transport.meter_at(bar)
        start = self.transport.bar_start_ns(bar)
        beat_ns = (self.transport.bar_start_ns(bar + 1) - start) // meter.beats_per_bar
        clicks = []
        for beat in range(meter.beats_per_bar):
            on = start + beat * beat_ns
            pitch = CLICK_HIGH if beat == 0 else CLICK_LOW
            clicks.append(ScheduledNote(on, on + CLICK_MS * MS, METRONOME_CHANNEL, pitch,
                                        self.config.click_velocity))
        return self._not_late(clicks, self.clock.now_ns())

    def _band_bar(self, bar: int) -> list[ScheduledNote]:
        started = self.clock.now_ns()
        voices = self.band.next_bar(self._request(bar, started))
        done = self.clock.now_ns()
        notes = self._to_absolute(bar, voices)
        kept = self._not_late(notes, done)
        downbeat = self.transport.bar_start_ns(bar)
        if len(kept) < len(notes) or done > downbeat:
            self.stats.misses += 1
            self.stats.dropped_notes += len(notes) - len(kept)
        self.stats.inference_ms.append((done - started) / MS)
        self.stats.margin_ms.append((downbeat - done) / MS)
        self.stats.notes_per_bar.append(len(kept))
        self.stats.bars_planned += 1
        kept = [n for n in kept if n.voice not in self.muted]
        if self.recorder:
            self.recorder.band(kept)
        self._emit("planned", {"bar": bar, "notes": kept, "inference_ms": (done - started) / MS})
        return kept

    def _request(self, bar: int, now_ns: int) -> BarRequest:
        first = max(0, bar - WINDOW + 1)
        meters = [self.transport.meter_at(b) for b in range(first, bar + 1)]
        origin_ns = self.transport.bar_start_ns(first)
        origin_q = self.transport.quarters_of_bar(first)
        melody = []
        for pitch, velocity, on, off in self.buffer.snapshot(origin_ns, now_ns):
            start = self.transport.quarters_at(max(on, origin_ns)) - origin_q
            end = self.transport.quarters_at(off) - origin_q
            melody.append(Note(pitch, start, max(end, start + 0.01), velocity))
        self.buffer.forget_before(self.transport.bar_start_ns(max(0, bar - 2 * WINDOW)))
        return BarRequest(bar, meters, melody)

    def _to_absolute(self, bar: int, voices: list[list[Note]]) -> list[ScheduledNote]:
        out = []
        for voice, notes in enumerate(voices):
            channel = self.tracks[voice].channel
            for n in notes:
                on = self.transport.ns_at_quarters(bar, n.start)
                off = self.transport.ns_at_quarters(bar, n.end) - MS  # re-strikes stay distinct
                out.append(ScheduledNote(on, max(off, on + MS), channel, n.pitch, n.velocity,
                                         voice))
        return sorted(out)

    def _not_late(self, notes: list[ScheduledNote], now_ns: int) -> list[ScheduledNote]:
        return [n for n in notes if n.on_ns >= now_ns]

    # --- control -----------------------------------------------------------------------------
    def set_tempo(self, bpm: float) -> int:
        """Change the tempo at the first bar not planned yet; returns that bar."""
        bar = self.transport.set_tempo(bpm, self.clock.now_ns(), self.next_bar)
        if self.recorder and self.transport.started:
            self.recorder.tempo_map(self.transport)
        return bar

    def stop(self) -> None:
        """End every sounding note on every sink, and stop planning."""
        self.finished = True
        for sink in self.sinks:
            sink.all_notes_off()
        if self.recorder:
            self.recorder.close()
        self._emit("stopped", {})

    def _emit(self, name: str, payload: dict) -> None:
        for listener in list(self.listeners):
            listener(name, payload)
