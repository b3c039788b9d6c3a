"""The line through the player's on-beat onsets: read while the tempo holds, never while it
moves or disagrees with the bar pointer."""

from __future__ import annotations

import random

from coperformer.music.beat_line import BeatLine, LineParams


def _line(periods_s: list[float], jitter_s: float, seed: int = 1) -> tuple[BeatLine, float]:
    """A line fed one onset a beat; returns it and the true time of the next beat."""
    rng, line, t = random.Random(seed), BeatLine(), 1.0
    for beat, period in enumerate(periods_s):
        line.add(beat + rng.uniform(-0.03, 0.03), t + rng.gauss(0, jitter_s))
        t += period
    return line, t


def test_a_steady_tempo_is_read_closer_than_the_jitter():
    line, truth = _line([0.5] * 40, 0.02)
    reading = line.reading(40, truth, 0.5)
    assert reading is not None
    assert abs(reading.time_s - truth) < 0.012  # one onset is 20 ms out (sd): the line, ~7
    assert abs(reading.period_s - 0.5) < 0.003


def test_a_tempo_that_moves_is_left_to_the_bar_pointer():
    periods = [0.5 * (1 + 0.015 * k) for k in range(40)]  # slowing by 1.5 % a beat
    line, truth = _line(periods, 0.02)
    assert line.reading(40, truth, periods[-1]) is None


def test_no_reading_where_the_bar_pointer_puts_the_beat_elsewhere_or_too_few_onsets():
    line, truth = _line([0.5] * 40, 0.01)
    assert line.reading(40, truth + 0.2, 0.5) is None  # the pointer moved on a beat's share
    few, truth = _line([0.5] * 10, 0.01)
    assert few.reading(10, truth, 0.5) is None


def test_notes_between_beats_and_a_chord_s_second_note_are_not_on_the_line():
    line = BeatLine()
    for beat in range(30):
        line.add(beat + 0.5, 1.0 + beat * 0.5 + 0.25)  # off-beat eighths only
    assert line.reading(30, 16.0, 0.5) is None
    for beat in range(30):
        line.add(beat, 1.0 + beat * 0.5)
        line.add(beat, 1.0 + beat * 0.5 + 0.01)  # the same beat again: the first counts
    reading = line.reading(30, 16.0, 0.5)
    assert reading is not None and abs(reading.time_s - 16.0) < 1e-6
    line.clear()
    assert line.reading(30, 16.0, 0.5) is None


def test_a_beat_counted_anew_starts_the_line_again():
    for slip in (-1, 1):  # the bar pointer counted a beat back, or a beat on
        line = BeatLine()
        for beat in range(30):
            line.add(beat, 1.0 + beat * 0.5)
        line.add(30 + slip, 1.0 + 30 * 0.5)  # the next onset, counted as another beat
        assert line.reading(30 + slip, 16.0, 0.5) is None  # one onset is no line
        for beat in range(31 + slip, 61 + slip):
            line.add(beat, 1.0 + (beat - slip) * 0.5)
        reading = line.reading(60 + slip, 31.0, 0.5)
        assert reading is not None and abs(reading.time_s - 31.0) < 1e-6


def test_an_onset_far_off_the_line_stops_its_reading():
    offsets_ms = [1, 12, -9, 10, -3, -3, 19, 2, 0, 7, 11, 0, 6, -10, -4, -4, -13, 10]
    for check, last_ms in ((True, 59), (False, 59), (True, 10)):  # a ritardando's 2nd beat
        line = BeatLine(LineParams() if check else LineParams(miss_z=1e9))
        for beat, off in enumerate(offsets_ms + [last_ms]):
            line.add(beat, 1.0 + 0.5 * beat + off / 1000)
        reading = line.reading(18, 10.045, 0.533)  # where the bar pointer puts beat 18
        assert (reading is None) == (check and last_ms == 59)
