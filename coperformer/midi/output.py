"""A MIDI output port as a note sink, with its own drift-free scheduler thread."""

from __future__ import annotations

import heapq
import itertools
import threading
import time

from coperformer.common.threads import ended
from coperformer.engine.clock import Clock
from coperformer.engine.sinks import GuardedSink, ScheduledNote
from coperformer.midi.ports import find_port, open_client
from coperformer.music.gm import (
    ALL_NOTES_OFF_CC,
    ALL_SOUND_OFF_CC,
    CLOCK_START,
    CLOCK_STOP,
    CLOCK_TICK,
    CONTROL_CHANGE,
    NOTE_OFF,
    NOTE_ON,
    PROGRAM_CHANGE,
    RESET_CONTROLLERS_CC,
)

DRAIN_S = 0.1  # RtMidi's JACK backend drops what its process cycle has not sent at close


class MidiOutSink(GuardedSink):
    """Sends the band to a MIDI port (a DAW or a hardware synth) at absolute times.

    Its own thread sends what is due; every public method may be called from any thread.
    """

    def __init__(self, wanted: str, clock: Clock, api: int | None = None):
        super().__init__()
        self.clock = clock
        self._client = open_client("out", api)
        ports = list(self._client.get_ports())
        index = find_port(ports, wanted)
        self.port_name = ports[index]
        self._client.open_port(index, "out")
        self._heap: list[tuple[int, int, list[int]]] = []
        self._counter = itertools.count()
        # held by: the worker (one note's or one clock tick's push), the sender thread (one
        # message popped and sent), the pass-through (one message), Panic (the queue cleared,
        # every sounding note ended: the longest, a few hundred messages at most). The
        # GuardedSink's lock; closed under it: from then on nothing is sent, the client is freed
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sounding: set[tuple[int, int]] = set()
        self._ended: set[tuple[int, int]] = set()  # silenced by all_notes_off: ended again at close
        self._channels: set[int] = set()
        self._clock_running = False
        self._thread = threading.Thread(target=self._run, name="midi-out", daemon=True)
        self._thread.start()

    def schedule(self, notes: list[ScheduledNote]) -> None:
        """Queue note-on/off messages at their absolute times, the lock taken note by note
        (the player's pass-through waits for one note at most, never a bar; any thread)."""
        for n in notes:
            self._guarded(lambda n=n: self._queue_note(n))
        self._wake.set()

    def _queue_note(self, n: ScheduledNote) -> None:
        heapq.heappush(self._heap, (n.on_ns, next(self._counter),
                                    [NOTE_ON | n.channel, n.pitch, n.velocity]))
        heapq.heappush(self._heap, (n.off_ns, next(self._counter),
                                    [NOTE_OFF | n.channel, n.pitch, 0]))
        self._channels.add(n.channel)

    def end_at(self, channel: int, pitch: int, at_ns: int) -> None:
        """Queue an early note-off (the note's own one still follows; any thread)."""
        self._guarded(lambda: heapq.heappush(self._heap, (at_ns, next(self._counter),
                                                          [NOTE_OFF | channel, pitch, 0])))
        self._wake.set()

    def schedule_clock(self, times_ns: list[int], start_ns: int | None = None) -> None:
        """MIDI clock (24 per quarter) at absolute times; Start at ``start_ns`` (any thread)."""
        if start_ns is not None:
            self._guarded(lambda: heapq.heappush(self._heap, (start_ns, next(self._counter),
                                                              [CLOCK_START])))
        for at in times_ns:
            self._guarded(lambda at=at: heapq.heappush(self._heap, (at, next(self._counter),
                                                                    [CLOCK_TICK])))
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:  # popped and sent at once: all_notes_off cannot come between
                due = self._heap[0][0] if self._heap else None
                now = self.clock.now_ns()
                if due is not None and due <= now:
                    message = heapq.heappop(self._heap)[2]
                    if not self._closed:
                        self._send(message)
                    continue
            self._wake.wait(None if due is None else (due - now) / 1e9)
            self._wake.clear()

    def _send(self, message: list[int]) -> None:
        """Send one message and keep track of what sounds and whether clock runs (the caller
        holds the lock, and checked that the sink is open)."""
        if len(message) == 1:  # clock, start, stop
            self._clock_running = message[0] != CLOCK_STOP
        elif message[0] & 0xF0 == NOTE_ON:
            self._sounding.add((message[0] & 0x0F, message[1]))
        else:
            self._sounding.discard((message[0] & 0x0F, message[1]))
        self._client.send_message(message)

    def play_now(self, channel: int, pitch: int, velocity: int) -> None:
        """Send a note at once (any thread)."""
        self._guarded(lambda: self._send([(NOTE_ON if velocity else NOTE_OFF) | channel, pitch,
                                          velocity]))

    def control_now(self, channel: int, control: int, value: int) -> None:
        """Send a controller change at once (any thread; one sender at a time)."""
        self._guarded(lambda: self._client.send_message([CONTROL_CHANGE | channel, control,
                                                         value]))

    def set_program(self, channel: int, program: int) -> None:
        """Send a program change (any thread; one sender at a time)."""
        self._guarded(lambda: (self._channels.add(channel),
                               self._client.send_message([PROGRAM_CHANGE | channel, program])))

    def all_notes_off(self) -> None:
        """Forget what is queued; Stop the clock if it runs; note-off every sounding note;
        all-notes-off per channel (any thread; nothing queued can slip out after it)."""
        self._guarded(self._silence_all)

    def _silence_all(self) -> None:
        self._heap.clear()
        if self._clock_running:
            self._send([CLOCK_STOP])
        ended_notes = set(self._sounding)
        self._silence(ended_notes)
        self._ended |= ended_notes

    def _silence(self, notes: set[tuple[int, int]]) -> None:
        """Note-off each of ``notes``, then all-notes-off, all-sound-off and reset-controllers
        on every channel the band used (the caller holds the lock)."""
        for channel, pitch in sorted(notes):
            self._send([NOTE_OFF | channel, pitch, 0])
        for channel in sorted(self._channels):
            for control in (ALL_NOTES_OFF_CC, ALL_SOUND_OFF_CC, RESET_CONTROLLERS_CC):
                self._client.send_message([CONTROL_CHANGE | channel, control, 0])

    def close(self) -> None:
        """Stop the thread, silence, let the last messages out, close the port (the owner's
        thread, once). The silence goes out again ``DRAIN_S`` after the first: JACK loses the
        MIDI of a cycle its client was late for (CI's loaded host once left three band notes
        hanging on the device), and a cycle dozens later rarely is late too. Every sender checks
        the closed flag under the lock, so the client is never freed under one (the
        pass-through, a sender thread past its join limit)."""
        self._stop.set()
        self._wake.set()
        ended(self._thread)
        self.all_notes_off()
        time.sleep(DRAIN_S)
        self._guarded(lambda: self._silence(self._ended | self._sounding))
        time.sleep(DRAIN_S)
        self._close_guard(lambda: (self._client.close_port(), self._client.delete()))
