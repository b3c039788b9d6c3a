"""The session's typed API: intents through the inbox, typed events, snapshots, failures."""

import dataclasses
import threading

import pytest

from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import END, NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.intents import (
    Panic,
    SetMute,
    SetProgram,
    SetSolo,
    SetTempo,
    SetVolume,
    Stop,
)
from coperformer.engine.listener import QuietListener
from coperformer.engine.live_band import LiveBand
from coperformer.engine.mixer import Mixer
from coperformer.engine.runner import SessionRunner
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import MemorySink
from coperformer.music.gm import VOLUME_CC
from tests.engine.fakes import ChordGenerator
from tests.engine.test_session import NAMES, PROGRAMS, run_until


class Events(QuietListener):
    """Remembers every event with the thread it came on."""

    def __init__(self):
        self.seen = []

    def _add(self, *item):
        self.seen.append((*item, threading.current_thread().name))

    def on_started(self, bar0_ns):
        self._add("started", bar0_ns)

    def on_bar(self, bar, time_ns):
        self._add("bar", bar)

    def on_planned(self, bar, notes):
        assert isinstance(notes, tuple)
        self._add("planned", bar)

    def on_input(self, event):
        self._add("input", event.kind)

    def on_finished(self):
        self._add("finished")

    def on_failed(self, message):
        self._add("failed", message)

    def on_stopped(self):
        self._add("stopped")

    def names(self):
        return [item[0] for item in self.seen]


def make(clock, generator=None, mixer=None, **config):
    sink, events = MemorySink(), Events()
    session = Session(SessionConfig(**config), LiveBand(generator or ChordGenerator()), [sink],
                      clock, NAMES, PROGRAMS, listener=events, mixer=mixer)
    return session, sink, events


def test_intents_wait_in_the_inbox_until_the_worker_applies_them():
    clock = VirtualClock()
    session, sink, _ = make(clock, count_in=0)
    session.start()
    for intent in (SetProgram(2, 33), SetProgram(0, 5), SetVolume(1, 64), SetMute(3, True),
                   SetTempo(60)):
        session.request(intent)
    assert sink.programs == {1: 48, 2: 48, 3: 42, 9: 0} and not sink.controls
    assert session.tracks[1].program == 48
    session.poll(clock.now_ns())
    assert sink.programs == {0: 5, 1: 48, 2: 33, 3: 42, 9: 0}
    assert session.tracks[1].program == 33
    assert (1, VOLUME_CC, 64) in sink.controls and (3, VOLUME_CC, 0) in sink.controls
    assert session.transport.bpm_at(session.next_bar) == 60


def test_solo_silences_the_others_and_panic_and_stop_go_through_the_inbox():
    clock = VirtualClock()
    session, sink, _ = make(clock, count_in=0)
    session.start()
    session.request(SetSolo(2, True))
    session.poll(clock.now_ns())
    levels = {channel: value for channel, _, value in sink.controls}
    assert levels == {0: 0, 1: 0, 2: 100, 3: 0}
    session.request(Panic())
    assert sink.panics == 0
    session.poll(clock.now_ns())
    assert sink.panics == 1 and not session.finished
    session.request(Stop())
    session.poll(clock.now_ns())
    assert session.finished


def test_a_mix_given_at_start_reaches_the_sinks_before_the_first_note():
    clock = VirtualClock()
    session, sink, _ = make(clock, mixer=Mixer(volumes={1: 90}, muted={3}), count_in=0)
    session.start()
    assert {(1, VOLUME_CC, 90), (3, VOLUME_CC, 0)} <= set(sink.controls)
    quiet, quiet_sink, _ = make(VirtualClock(), count_in=0)
    quiet.start()
    assert not quiet_sink.controls  # a default mix leaves the synth's own volumes alone


def test_typed_events_in_order_and_an_immutable_snapshot():
    clock = VirtualClock()
    session, _, events = make(clock, bpm=120, count_in=1, metronome=False)
    bar0 = session.start()
    assert bar0 == 2 * NS_PER_S and events.names() == ["started"]
    session.feed(InputEvent(bar0 + 1, NOTE_ON, 72, 90, raw=(0x90, 72, 90)))
    session.feed(InputEvent(bar0 + NS_PER_S, NOTE_OFF, 72, raw=(0x80, 72, 0)))
    session.feed(InputEvent(bar0 + NS_PER_S, END))
    run_until(session, clock, bar0 + 8 * NS_PER_S)
    session.stop()
    names = events.names()
    assert names[:2] == ["started", "input"] and "bar" in names
    assert "planned" in names and names[-2:] == ["finished", "stopped"]
    snapshot = session.snapshot()
    assert snapshot.finished and snapshot.planned_bar >= 1
    assert snapshot.stats["bars_planned"] == session.stats.bars_planned
    assert snapshot.position(bar0 + 3 * NS_PER_S) == (2, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.finished = False


class Exploding(ChordGenerator):
    def generate(self, *args):
        if len(self.calls) >= 2:
            raise RuntimeError("the model exploded\nsecond line")
        return super().generate(*args)


def test_a_worker_failure_is_an_event_and_everything_falls_silent():
    clock = VirtualClock()
    session, sink, events = make(clock, Exploding(), count_in=0, metronome=False)
    runner = SessionRunner(session)
    runner.start()
    session.feed(InputEvent(clock.now_ns(), NOTE_ON, 72, 90, raw=(0x90, 72, 90)))
    runner._thread.join(5)
    assert not runner.running
    assert isinstance(runner.error, RuntimeError)
    names = events.names()
    assert names[-2:] == ["failed", "stopped"]
    failed = next(item for item in events.seen if item[0] == "failed")
    assert failed[1] == "RuntimeError: the model exploded"
    assert failed[2] == "coperformer-worker"
    assert sink.panics == 1
    assert session.snapshot().error == "RuntimeError: the model exploded"
    runner.stop()  # already stopped: nothing more happens
    assert sink.panics == 1 and events.names().count("stopped") == 1
