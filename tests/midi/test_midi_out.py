"""The MIDI-out sink through a real JACK port: notes at their times, and a note ended early
(the left hand's new chord) gets its note-off there."""

import time

import pytest

from coperformer.engine.clock import RealClock
from coperformer.engine.sinks import ScheduledNote
from coperformer.midi.ports import api_by_name
from tests.jack_helpers import MidiMonitor, start_jackd, stop_jackd


@pytest.fixture(scope="module")
def jack_server():
    process = start_jackd()
    yield process
    stop_jackd(process)


def test_a_note_ended_early_gets_its_note_off_there(jack_server):
    from coperformer.midi.output import MidiOutSink

    monitor = MidiMonitor("test-out-monitor")
    sink = MidiOutSink("test-out-monitor", RealClock(), api_by_name("jack"))
    try:
        start = time.perf_counter_ns() + 200_000_000
        sink.schedule([ScheduledNote(start, start + 1_500_000_000, 1, 60, 100)])
        sink.end_at(1, 60, start + 400_000_000)
        time.sleep(2.0)
    finally:
        sink.close()
    notes = [(t, m) for t, m in monitor.messages if m[0] & 0xF0 in (0x80, 0x90)]
    monitor.close()
    on = next(t for t, m in notes if m[0] == 0x91 and m[2] > 0)
    offs = [t for t, m in notes if m[0] == 0x81 or (m[0] == 0x91 and m[2] == 0)]
    assert offs and abs((offs[0] - on) / 1e6 - 400) < 50  # the early note-off, on time


def test_what_close_sends_reaches_the_port(jack_server):
    """Stop, the note-offs and the all-notes-off controllers sent at close get out before the
    port closes (RtMidi's JACK backend drops what is undelivered at close)."""
    from coperformer.midi.output import MidiOutSink

    monitor = MidiMonitor("test-close-monitor")
    for _ in range(3):
        sink = MidiOutSink("test-close-monitor", RealClock(), api_by_name("jack"))
        now = time.perf_counter_ns()
        sink.schedule_clock([now + 20_000_000], start_ns=now + 10_000_000)
        sink.schedule([ScheduledNote(now + 30_000_000, now + 5_000_000_000, 2, 64, 90)])
        time.sleep(0.1)
        sink.close()
    time.sleep(0.2)
    messages = [m for _, m in monitor.messages]
    monitor.close()
    assert messages.count([0xFC]) == 3  # a Stop each time
    assert messages.count([0x82, 64, 0]) == 3  # the held note ended each time
    assert messages.count([0xB2, 123, 0]) == 3  # all notes off on its channel
