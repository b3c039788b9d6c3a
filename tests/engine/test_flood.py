"""A flood of notes (2,000 note-ons a second) must not make a bar's decision grow."""

import numpy as np

from coperformer.engine.bar_buffer import MAX_BUFFERED_NOTES
from coperformer.engine.bar_request import MAX_WINDOW_NOTES
from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.music.notes import Note
from coperformer.music.roll import thin_line, write_line
from tests.engine.test_session import make_session, run_until


def test_a_flood_keeps_the_buffer_and_the_window_bounded_and_the_band_on_time():
    clock = VirtualClock()
    session, sink, generator = make_session(clock, bpm=120, count_in=0, metronome=False)
    session.start()
    requests = []
    original = session.steering.request
    heard_from = []  # the requests made once the flood had begun
    session.steering.request = lambda bar, now, at=None: requests.append(
        original(bar, now, at)) or (heard_from.append(requests[-1]) if now > start else None) \
        or requests[-1]
    start, rate = NS_PER_S, 2000
    for i in range(6 * rate):  # six seconds: three bars at 120 BPM, fed as they happen
        on = start + i * NS_PER_S // rate
        pitch = 48 + (i * 7) % 40
        if i % 20 == 0:
            run_until(session, clock, on)
        session.feed(InputEvent(on, NOTE_ON, pitch, 80, raw=(0x90, pitch, 80)))
        session.feed(InputEvent(on + NS_PER_S // 40, NOTE_OFF, pitch, raw=(0x80, pitch, 0)))
    run_until(session, clock, start + 8 * NS_PER_S)
    assert requests and session.stats.misses == 0
    assert len(session.buffer.notes) <= MAX_BUFFERED_NOTES
    assert all(len(r.melody) <= MAX_WINDOW_NOTES for r in requests)
    assert heard_from and all(r.melody for r in heard_from)  # the flood is heard, thinned


def test_thinning_keeps_what_the_grid_shows_at_each_onset():
    notes = [Note(60, 0.0, 1.0), Note(64, 0.0, 0.5), Note(55, 0.01, 2.0), Note(67, 1.0, 1.25)]
    kept = thin_line(notes)
    assert [n.pitch for n in kept] == [64, 67]
    full, thin = (np.full(16, -1, np.int16), np.zeros(16, bool)), (np.full(16, -1, np.int16),
                                                                    np.zeros(16, bool))
    write_line(notes, *full)
    write_line(kept, *thin)
    assert full[0][0] == thin[0][0] == 64 and full[0][4] == thin[0][4] == 67
