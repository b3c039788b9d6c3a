"""The audio clock's mapping from time to sequencer tick, against a simulated driver."""

from __future__ import annotations

import random

from coperformer.synth.audio_clock import AudioAnchor

RATE = 48000
PERIOD = 128
BLOCK = 64


def drive(anchor: AudioAnchor, seconds: float, speed: float = 1.0, start_s: float = 0.0,
          lost_s: float = 0.0, seed: int = 1) -> None:
    """A driver rendering PERIOD frames per callback at ``speed`` times the nominal rate (its
    clock against ours), read at random moments like the sampler: the tick shows the start of
    the last 64-frame block rendered. ``lost_s``: the audio clock stops that long at 1 s."""
    rng = random.Random(seed)
    period_s = PERIOD / RATE / speed
    t = start_s
    while t < start_s + seconds:
        t += rng.uniform(0.002, 0.006)
        audio_s = t - start_s - (lost_s if t - start_s > 1.0 else 0.0)
        callbacks = int(audio_s / period_s) + 1  # the first callback at the start
        rendered = callbacks * PERIOD
        anchor.observe(round(t * 1e9), rendered - BLOCK)


def heard_tick(time_s: float, start_s: float = 0.0, speed: float = 1.0,
               lost_s: float = 0.0) -> float:
    """The frame the driver plays at a time (its callback's first frame plays then)."""
    audio_s = time_s - start_s - (lost_s if time_s - start_s > 1.0 else 0.0)
    return audio_s * RATE * speed


def error_ms(anchor: AudioAnchor, time_s: float, **driver) -> float:
    return (anchor.tick_at(round(time_s * 1e9)) - heard_tick(time_s, **driver)) / RATE * 1000


def test_before_the_driver_renders_the_reference_stands():
    anchor = AudioAnchor(RATE, 5_000_000_000, 0, PERIOD - BLOCK)
    anchor.observe(5_001_000_000, 0)
    anchor.observe(5_002_000_000, 0)
    assert not anchor.running
    assert anchor.tick_at(6_000_000_000) == RATE


def test_a_steady_driver_maps_times_to_the_frames_it_plays_then():
    anchor = AudioAnchor(RATE, 0, 0, PERIOD - BLOCK)
    drive(anchor, 3.0)
    assert anchor.running and anchor.steady and anchor.reanchors == 0
    for ahead in (0.0, 0.25, 1.0):
        assert abs(error_ms(anchor, 3.0 + ahead)) < 1.0


def test_a_drifting_clock_is_followed():
    anchor = AudioAnchor(RATE, 0, 0, PERIOD - BLOCK)
    drive(anchor, 6.0, speed=0.98)  # a dummy server slipping 2 % on a busy machine
    assert abs(error_ms(anchor, 6.0, speed=0.98)) < 1.0
    assert abs(error_ms(anchor, 6.5, speed=0.98)) < 1.5  # half a second ahead, its drift too


def test_a_lost_stretch_of_audio_re_anchors():
    anchor = AudioAnchor(RATE, 0, 0, PERIOD - BLOCK)
    drive(anchor, 4.0, lost_s=0.1)  # an xrun: the audio clock stood still for 100 ms
    assert anchor.reanchors == 1
    assert abs(error_ms(anchor, 4.0, lost_s=0.1)) < 1.0


def test_without_the_anchor_a_lost_stretch_would_put_every_note_late():
    """The check above can fail: a mapping kept from before the loss is 100 ms off."""
    anchor = AudioAnchor(RATE, 0, 0, PERIOD - BLOCK)
    drive(anchor, 0.9)
    assert abs(error_ms(anchor, 4.0, lost_s=0.1)) > 90
