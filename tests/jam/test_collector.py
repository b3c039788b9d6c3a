"""A live jam never waits for a full garbage collection: what was alive at Play (torch's, the
model's, Qt's objects) is frozen out of the collector until the jam ends. Without it a full
collection walked ~170,000 objects for 65-105 ms every few minutes: the soak's missed
deadlines."""

import gc
import time

from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from tests.host_probe import HostProbe, assert_on_time
from tests.midi_helpers import melody_notes, write_midi


def _full_collection_ms() -> float:
    started = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - started) * 1000


def test_a_jam_freezes_the_heap_it_starts_with(tmp_path, shipped_model):
    melody = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": melody_notes(3)}], bpm=240)
    jam = Jam.build(JamOptions(input=str(melody), count_in=0, metronome=False))
    alive = len(gc.get_objects())
    before_ms = min(_full_collection_ms() for _ in range(3))
    with HostProbe() as host:
        jam.start()
        try:
            assert gc.get_freeze_count() >= 0.9 * alive
            assert len(gc.get_objects()) < 0.1 * alive
            during_ms = min(_full_collection_ms() for _ in range(3))
            assert during_ms < before_ms / 4, (during_ms, before_ms)
        finally:
            while jam.running:
                time.sleep(0.05)
            result = jam.finish()
    assert result.error is None, result.error
    assert_on_time(result.stats["missed_deadlines"], host, jam.options.margin_ms)
    assert gc.get_freeze_count() == 0  # thawed: collected as usual again
