"""The player's own note while the band is handed over: pass-through latency measured while
another thread schedules dense bars into the same live synth, as the worker does at 240 BPM."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from coperformer.engine.clock import RealClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.sinks import ScheduledNote
from coperformer.engine.stats import summary

BAR_S = 1.0  # a 4/4 bar at 240 BPM
STEPS = 16  # a sixteenth-note grid
VOICES = (1, 2, 3, 9)  # three band voices and the drums: 64 notes a bar
REPLANS = 4  # the bar handed over again at every beat (the left hand, a chart's re-plans)
PLAY_EVERY_S = 0.005  # the player's notes: one every 5 ms
LEAD_S = 0.25  # the bar handed over a beat ahead


def passthrough_figures(soundfont: Path, seconds: float = 6.0) -> dict:
    """{"passthrough_ms": input time -> the synth has the note, "schedule_ms": how long each
    hand-over of a dense bar took, "notes_per_bar": n} over ``seconds`` of a synth without a
    device (its render thread running)."""
    from coperformer.common.proc import share_the_interpreter, unshare_the_interpreter
    from coperformer.jam.passthrough import Passthrough
    from coperformer.synth.live_synth import LiveSynth

    share_the_interpreter()  # as a jam does
    clock = RealClock()
    synth = LiveSynth(soundfont, clock, None)
    passthrough = Passthrough(synth, clock)
    stop = threading.Event()
    schedule_ms: list[float] = []
    worker = threading.Thread(target=_hand_over_bars, args=(synth, clock, stop, schedule_ms),
                              name="bench-worker", daemon=True)
    worker.start()
    try:
        _play(passthrough, clock, seconds)
    finally:
        stop.set()
        worker.join(5)
        synth.close()
        unshare_the_interpreter()
    return {"passthrough_ms": summary(passthrough.latency_ms), "schedule_ms": summary(schedule_ms),
            "notes_per_bar": len(VOICES) * STEPS}


def dense_bar(start_ns: int) -> list[ScheduledNote]:
    """Every voice on every sixteenth of the bar from ``start_ns``."""
    step_ns = round(BAR_S / STEPS * 1e9)
    return [ScheduledNote(start_ns + i * step_ns, start_ns + (i + 1) * step_ns, channel,
                          48 + (i + channel) % 24, 80)
            for channel in VOICES for i in range(STEPS)]


def _hand_over_bars(synth, clock: RealClock, stop: threading.Event,
                    schedule_ms: list[float]) -> None:
    """The worker's part: a dense bar handed over at every beat until ``stop``."""
    every_s = BAR_S / REPLANS
    while not stop.wait(every_s):
        notes = dense_bar(clock.now_ns() + round(LEAD_S * 1e9))
        started = time.perf_counter_ns()
        synth.schedule(notes)
        schedule_ms.append((time.perf_counter_ns() - started) / 1e6)


def _play(passthrough, clock: RealClock, seconds: float) -> None:
    """The player's part: a note on and off every ``PLAY_EVERY_S``, each stamped as it is
    played (the MIDI callback's timestamp), for ``seconds``."""
    end = time.perf_counter() + seconds
    pitch = 60
    while time.perf_counter() < end:
        passthrough(InputEvent(clock.now_ns(), NOTE_ON, pitch, 90))
        passthrough(InputEvent(clock.now_ns(), NOTE_OFF, pitch, 0))
        pitch = 60 + (pitch - 59) % 24
        time.sleep(PLAY_EVERY_S)
