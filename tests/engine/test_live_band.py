import numpy as np

from coperformer.engine.bar_request import WINDOW, BarRequest, window_grid
from coperformer.engine.live_band import LiveBand
from coperformer.music.meter import Meter
from coperformer.music.notes import Note
from coperformer.music.roll import note_span
from tests.engine.fakes import ChordGenerator


def _request(bar: int, pitches_by_bar: dict[int, int]) -> BarRequest:
    first = max(0, bar - WINDOW + 1)
    spans = [note_span(Note(pitches_by_bar[b], (b - first) * 4.0, (b - first) * 4.0 + 3.0))
             for b in range(first, bar) if b in pitches_by_bar]
    meters = [Meter(4, 4)] * (bar - first + 1)
    return BarRequest(bar, meters, window_grid(meters, spans))


def test_history_covers_every_bar_played_not_only_the_window():
    generator = ChordGenerator()
    band = LiveBand(generator)
    pitches = {0: 62, **{b: 60 for b in range(1, 12)}}  # one bar of D, then C
    for bar in range(1, 12):
        voices = band.next_bar(_request(bar, pitches)).voices
        assert len(voices) == 3 and voices[2][0].start == 0.0
    profile = generator.calls[-1][3]
    assert profile[0] == 1.0  # C dominates
    assert 0 < profile[2] < 0.2  # D from bar 0, long out of the window, still counts
    assert np.count_nonzero(profile) == 2


def test_the_band_it_played_is_the_context_of_the_next_bar():
    generator = ChordGenerator()
    band = LiveBand(generator)
    band.next_bar(_request(1, {0: 60}))
    band.next_bar(_request(2, {0: 60, 1: 60}))
    context = generator.calls[-1][0]
    assert (context.band[-1, :, 0] == [67, 64, 48]).all()  # bar 1's chord, fed back
    assert not generator.calls[-1][2]  # causal: the current melody is never given


class RecordingPlanner:
    """Plans C major always and remembers what it was shown."""

    def __init__(self):
        self.seen = []

    def plan(self, recent, now, commit=True, beat=4):
        from coperformer.music.chord_type import Chord

        self.seen.append(([bar.copy() for bar in recent], now))
        return Chord((0, 4, 7), 0)


def test_the_planner_hears_every_bar_played_beyond_the_window():
    generator, planner = ChordGenerator(), RecordingPlanner()
    band = LiveBand(generator, planner=planner)
    pitches = {b: 60 + b for b in range(12)}
    for bar in range(1, 12):
        band.next_bar(_request(bar, pitches))
    recent, now = planner.seen[-1]
    assert now == 11 and len(recent) == 11  # bars 0..10, not only the 5-bar window
    assert [int(bar[0]) for bar in recent] == [60 + b for b in range(11)]
    assert generator.calls[-1][4].pitch_classes == (0, 4, 7)  # the plan reaches the GAN
