"""A flood of notes (2,000 note-ons a second) must not make a bar's decision grow."""

import numpy as np

from coperformer.engine import bar_request
from coperformer.engine.bar_buffer import MAX_BUFFERED_NOTES
from coperformer.engine.bar_request import MAX_WINDOW_NOTES
from coperformer.engine.clock import NS_PER_S, VirtualClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.music.roll import REST, thin_spans, write_spans
from tests.engine.test_session import make_session, run_until


def test_a_flood_keeps_the_buffer_and_the_window_bounded_and_the_band_on_time(monkeypatch):
    written = []  # the notes each request wrote into its grid
    original_grid = bar_request.window_grid
    monkeypatch.setattr(bar_request, "window_grid", lambda meters, spans: written.append(
        len(spans)) or original_grid(meters, spans))
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
    assert written and max(written) <= MAX_WINDOW_NOTES
    assert heard_from and all((r.heard.melody != REST).any() for r in heard_from)  # heard


def test_thinning_keeps_what_the_grid_shows_at_each_onset():
    spans = [(60, 0, 4), (64, 0, 2), (55, 0, 8), (67, 4, 5)]  # pitch, first step, after
    kept = thin_spans(spans)
    assert [pitch for pitch, _, _ in kept] == [64, 67]
    full, thin = (np.full(16, -1, np.int16), np.zeros(16, bool)), (np.full(16, -1, np.int16),
                                                                    np.zeros(16, bool))
    write_spans(spans, *full)
    write_spans(kept, *thin)
    assert full[0][0] == thin[0][0] == 64 and full[0][4] == thin[0][4] == 67
