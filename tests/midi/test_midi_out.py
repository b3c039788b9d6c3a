"""The MIDI-out sink through a real JACK port: notes at their times, and a note ended early
(the left hand's new chord) gets its note-off there."""

import time
import warnings

import pytest

from coperformer.engine.clock import RealClock
from coperformer.engine.sinks import ScheduledNote
from coperformer.midi.ports import api_by_name
from tests.host_probe import HostProbe
from tests.jack_helpers import MidiMonitor, start_jackd, stop_jackd

NOTE_OFF_MS = 50  # the early note-off's error allowed
NOTE_OFF_TRIES = 3  # a note-off the host's stalls moved is sent again


@pytest.fixture(scope="module")
def jack_server():
    process = start_jackd()
    yield process
    stop_jackd(process)


def test_a_note_ended_early_gets_its_note_off_there(jack_server):
    from coperformer.midi.output import MidiOutSink

    for attempt in range(NOTE_OFF_TRIES):
        monitor = MidiMonitor("test-out-monitor")
        with HostProbe() as host:
            sink = MidiOutSink("test-out-monitor", RealClock(), api_by_name("jack"))
            try:
                start = time.perf_counter_ns() + 200_000_000
                sink.schedule([ScheduledNote(start, start + 1_500_000_000, 1, 60, 100)])
                sink.end_at(1, 60, start + 400_000_000)
                time.sleep(2.0)
            finally:
                sink.close()
        monitor.close()
        notes = [(t, m) for t, m in monitor.messages if m[0] & 0xF0 in (0x80, 0x90)]
        on = next(t for t, m in notes if m[0] == 0x91 and m[2] > 0)
        offs = [t for t, m in notes if m[0] == 0x81 or (m[0] == 0x91 and m[2] == 0)]
        assert offs, notes
        off_ms = (offs[0] - on) / 1e6 - 400  # each stamped as the monitor's process hears it
        # the early note-off, on time: one moved by a host's stall (as assert_on_time, one of
        # half the error or more) is sent again
        if abs(off_ms) < NOTE_OFF_MS or attempt == NOTE_OFF_TRIES - 1 \
                or not host.longer_than(abs(off_ms) / 2):
            break
        warnings.warn(f"the note-off {off_ms:+.0f} ms off while the host stalled "
                      f"{host.stalls}: sent again", stacklevel=1)
    assert abs(off_ms) < NOTE_OFF_MS, (off_ms, host.stalls)


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
    monitor.close()
    messages = [m for _, m in monitor.messages]
    # what each sink sent, from its Start on; a JACK server running late may hand a client's
    # last events on twice (CI: 7 Stops for 3), so each must be there, and that each is sent
    # once is test_no_clock_tick_slips_out_after_the_stop's to judge
    sinks: list[list[list[int]]] = []
    for message in messages:
        if message == [0xFA] and (not sinks or [0xFC] in sinks[-1]):
            sinks.append([])  # a Start after a Stop: the next sink
        if sinks:
            sinks[-1].append(message)
    assert len(sinks) == 3, messages
    for sent in sinks:
        assert [0xFC] in sent  # a Stop each time
        assert [0x82, 64, 0] in sent  # the held note ended each time
        assert [0xB2, 123, 0] in sent  # all notes off on its channel



class SlowClockPort:
    """A stand-in rtmidi client whose clock ticks take 5 ms to leave (a busy port), so a
    tick popped from the queue is still on its way when all_notes_off comes."""

    def __init__(self):
        self.sent = []

    def get_ports(self):
        return ["slow"]

    def open_port(self, index, name):
        pass

    def send_message(self, message):
        if message == [0xF8]:
            time.sleep(0.005)
        self.sent.append(list(message))

    def close_port(self):
        pass

    def delete(self):
        pass


def test_no_clock_tick_slips_out_after_the_stop(monkeypatch):
    """all_notes_off while a tick is being sent: the Stop comes after it, never before it,
    and close sends no second Stop."""
    import coperformer.midi.output as output

    port = SlowClockPort()
    monkeypatch.setattr(output, "open_client", lambda kind, api: port)
    sink = output.MidiOutSink("slow", RealClock())
    for _ in range(5):
        now = time.perf_counter_ns()
        sink.schedule_clock([now + k * 1_000_000 for k in range(1, 100)], start_ns=now)
        time.sleep(0.0125)  # in the middle of a tick's 5 ms
        sink.all_notes_off()
        time.sleep(0.02)
    sink.close()
    clock = [m[0] for m in port.sent if m[0] in (0xF8, 0xFA, 0xFC)]
    assert clock.count(0xFC) == 5 and clock.count(0xFA) == 5
    after_stop = [clock[i + 1] for i, m in enumerate(clock[:-1]) if m == 0xFC]
    assert set(after_stop) == {0xFA} and clock[-1] == 0xFC, "a tick or a Stop after a Stop"


def test_close_sends_the_silence_a_second_time_a_drain_later(monkeypatch):
    """The session's stop silences the port and close does it again DRAIN_S later: a JACK
    cycle lost to a late client cannot leave a note hanging alone."""
    import coperformer.midi.output as output

    port = SlowClockPort()
    stamps: list[int] = []
    send = port.send_message
    port.send_message = lambda message: (stamps.append(time.perf_counter_ns()), send(message))
    monkeypatch.setattr(output, "open_client", lambda kind, api: port)
    sink = output.MidiOutSink("slow", RealClock())
    now = time.perf_counter_ns()
    sink.schedule([ScheduledNote(now, now + 5_000_000_000, 2, 64, 90)])
    time.sleep(0.05)
    sink.all_notes_off()  # the session's stop
    sink.close()
    offs = [t for t, m in zip(stamps, port.sent, strict=True) if m == [0x82, 64, 0]]
    all_off = [t for t, m in zip(stamps, port.sent, strict=True) if m == [0xB2, 123, 0]]
    assert len(offs) == 2 and len(all_off) == 3, port.sent
    assert (offs[1] - offs[0]) / 1e9 >= output.DRAIN_S
    assert port.sent[-1] == [0xB2, 121, 0], "nothing after the last silence"


def test_a_closed_port_sends_nothing_from_any_call(monkeypatch):
    """Every call after close is a no-op (the GuardedSink template), never a message to a
    freed client."""
    import coperformer.midi.output as output

    port = SlowClockPort()
    monkeypatch.setattr(output, "open_client", lambda kind, api: port)
    sink = output.MidiOutSink("slow", RealClock())
    sink.close()
    sent = len(port.sent)
    now = time.perf_counter_ns()
    sink.play_now(1, 60, 90)
    sink.control_now(1, 64, 127)
    sink.set_program(1, 40)
    sink.schedule([ScheduledNote(now, now + 1_000_000, 1, 60, 90)])
    sink.end_at(1, 60, now)
    sink.schedule_clock([now], start_ns=now)
    sink.all_notes_off()
    time.sleep(0.02)
    assert len(port.sent) == sent
