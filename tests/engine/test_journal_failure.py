"""A journal that cannot be written (a full disk) is told at once and the take is journaled
again elsewhere; one journal belongs to one session."""

from pathlib import Path

import pytest

from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.journal import JournalLocked, JournalWriter, journal_in_use, salvage_journal
from coperformer.engine.listener import QuietListener
from coperformer.engine.live_band import LiveBand
from coperformer.engine.recorder import Recorder
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import MemorySink
from tests.engine.fakes import ChordGenerator
from tests.engine.test_session import NAMES, PROGRAMS, play_bars, run_until

FULL_DISK = Path("/dev/full")  # every write fails with ENOSPC


class Warnings(QuietListener):
    def __init__(self):
        self.messages = []

    def on_warning(self, message):
        self.messages.append(message)


@pytest.mark.skipif(not FULL_DISK.exists(), reason="needs /dev/full")
def test_a_full_disk_is_told_once_and_the_take_is_journaled_elsewhere(tmp_path):
    clock, listener = VirtualClock(), Warnings()
    recorder = Recorder(FULL_DISK, fallbacks=(tmp_path / "missing" / "deeper", tmp_path))
    session = Session(SessionConfig(bpm=120, count_in=0, metronome=False),
                      LiveBand(ChordGenerator()), [MemorySink()], clock, NAMES, PROGRAMS,
                      recorder, listener)
    session.start()
    recorder.chord(0, "C")  # (the fake band names no chords)
    play_bars(session, 6, 2 * NS_PER_S, 0)
    run_until(session, clock, 6 * 2 * NS_PER_S)
    session.stop()
    assert len(listener.messages) == 1, listener.messages
    assert listener.messages[0].startswith("cannot write /dev/full: No space left on device")
    fallback = tmp_path / "missing" / "deeper" / "full"  # the first fallback folder works
    assert f"journaled to {fallback}" in listener.messages[0]
    recovered, skipped = salvage_journal(fallback)
    assert skipped == 0
    assert len(recovered.player) == len(recorder.recording.player) == 6 * 4 * 2
    assert len(recovered.notes) == len(recorder.recording.notes) > 0
    assert recovered.chords == [(0, "C")]  # recorded before the failure: replayed


def test_one_journal_belongs_to_one_session(tmp_path):
    path = tmp_path / "jam.mid.journal"
    first = JournalWriter(path)
    assert journal_in_use(path)
    with pytest.raises(JournalLocked):
        JournalWriter(path)
    first.close()
    assert not journal_in_use(path)
    JournalWriter(path).close()  # free again once the first session closed it


def test_keys_held_at_unplug_end_there_heard_and_recorded(tmp_path):
    from coperformer.engine.events import NOTE_ON, PEDAL, PORT_LOST, InputEvent
    from coperformer.engine.sinks import PLAYER_CHANNEL
    from coperformer.music.gm import SUSTAIN_CC

    clock, recorder, sink = VirtualClock(), Recorder(), MemorySink()
    session = Session(SessionConfig(bpm=120, count_in=0, metronome=False),
                      LiveBand(ChordGenerator()), [sink], clock, NAMES, PROGRAMS, recorder)
    session.start()
    session.feed(InputEvent(100, NOTE_ON, 60, 90, channel=2, raw=(0x92, 60, 90)))
    session.feed(InputEvent(200, NOTE_ON, 64, 90, channel=2, raw=(0x92, 64, 90)))
    session.feed(InputEvent(300, PEDAL, value=127, channel=2, raw=(0xB2, 64, 127)))
    session.feed(InputEvent(NS_PER_S, PORT_LOST))
    run_until(session, clock, 2 * NS_PER_S)
    assert session.buffer.held == [] and not session.buffer.pedal_down
    assert {(PLAYER_CHANNEL, 60, 0), (PLAYER_CHANNEL, 64, 0)} <= set(sink.immediate)
    assert (PLAYER_CHANNEL, SUSTAIN_CC, 0) in sink.controls
    ends = [(t, raw) for t, raw in recorder.recording.player if t == NS_PER_S]
    assert sorted(raw for _, raw in ends) == [(0x82, 60, 0), (0x82, 64, 0), (0xB2, 64, 0)]
    assert session.stats.port_losses == 1
