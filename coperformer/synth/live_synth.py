"""Live FluidSynth: the player's notes at once, the band through FluidSynth's own sequencer."""

from __future__ import annotations

import math
import threading
import time
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

from coperformer.common.threads import ended
from coperformer.engine.clock import Clock
from coperformer.engine.sinks import GuardedSink, ScheduledNote
from coperformer.synth.audio_clock import AudioAnchor, AudioClockSampler
from coperformer.synth.fluid import (
    LIVE_PERIOD_SIZE,
    LIVE_SAMPLE_RATE,
    FluidSynth,
    SynthError,
    buffer_latency_ms,
    load_fluidsynth,
)
from coperformer.synth.jack_server import JACK_PERIODS, jack_period

BLOCK_FRAMES = 128
FLUID_BLOCK_FRAMES = 64  # FluidSynth renders, and its sequencer steps, in blocks of this
DRIVER_START_S = 1.5  # the longest a driver may take to settle (JACK 0.6 s, PulseAudio 0.7-1.2 s)


class AudioDriverError(SynthError):
    """The sound card or sound server could not be opened."""


class LiveSynth(GuardedSink):
    """A NoteSink. The sequencer always follows the samples the synth renders (a sample timer:
    FluidSynth's system timer never delivers its events). With a driver, the driver's thread
    renders to the sound card (the ``file`` driver to ``wav_path``) and an ``AudioAnchor``
    keeps the ns -> tick mapping true to the audio clock; with driver None, a render thread
    advances the synth in real time and can stream the audio to a WAV file.

    Built and closed on the owner's thread; the NoteSink methods may be called from any
    thread (FluidSynth locks itself; our lock guards the closed check against close()).
    """

    def __init__(self, soundfont: Path | None, clock: Clock, driver: str | None = None,
                 period_size: int = LIVE_PERIOD_SIZE, periods: int = 2,
                 sample_rate: int = LIVE_SAMPLE_RATE,
                 wav_path: Path | None = None, gain: float = 0.5, jack_autoconnect: bool = True):
        fs = load_fluidsynth()
        self.clock, self.driver, self.sample_rate = clock, driver, sample_rate
        if driver == "file":
            period_size = whole_ms_period(period_size, sample_rate)
        settings = {"audio.period-size": period_size, "audio.periods": periods}
        if driver == "jack":  # else JACK leaves FluidSynth's outputs unconnected: silence
            settings["audio.jack.autoconnect"] = int(jack_autoconnect)
        if driver == "file" and wav_path is not None:
            settings["audio.file.name"] = str(wav_path)
        super().__init__()
        self.synth = FluidSynth(soundfont, sample_rate, gain, **settings)
        self.latency_ms = driver_latency_ms(driver, period_size, periods, sample_rate)
        self._sequencer = fs.Sequencer(time_scale=sample_rate, use_system_timer=False)
        self._dest = self._sequencer.register_fluidsynth(self.synth.synth)
        # held by: the MIDI callback's pass-through (one note on or off), the worker (one
        # note's hand-over at a time: 2 calls, ~10 us; a 64-note bar never holds it whole), a
        # panic or close (the sequencer's queue cleared, the synth silenced or freed). Never
        # by a render: the render thread and a driver's callback render without it (the
        # GuardedSink's lock)
        self._stop = threading.Event()
        self._wav = None
        self._frames_rendered = 0
        self.reference_ns = clock.now_ns()
        self.anchor = AudioAnchor(sample_rate, self.reference_ns, self._sequencer.get_tick(),
                                  callback_ahead_ticks(driver, period_size, sample_rate))
        self._audio_driver = self._sampler = self._thread = None
        if driver:
            self._audio_driver = _open_audio_driver(fs, self.synth, driver)
            self._sampler = AudioClockSampler(self.anchor, clock.now_ns, self._sequencer.get_tick)
            self._sampler.await_rendering(DRIVER_START_S)
        else:
            if wav_path is not None:
                self._wav = wave.open(str(wav_path), "wb")
                self._wav.setnchannels(2)
                self._wav.setsampwidth(2)
                self._wav.setframerate(sample_rate)
            self._thread = threading.Thread(target=self._render_loop, name="synth-render",
                                            daemon=True)
            self._thread.start()

    # --- time -------------------------------------------------------------------------------
    def tick_at(self, time_ns: int) -> int:
        """The sequencer tick (one per sample) of an absolute time. Any thread."""
        return self.anchor.tick_at(time_ns)

    def send_tick(self, time_ns: int) -> int:
        """The tick to hand the sequencer for a note heard at ``time_ns`` (``block_tick``).
        Any thread."""
        return block_tick(self.anchor.tick_at(time_ns), self.sample_rate)

    def rendered_tick(self) -> int:
        """The sequencer's tick now: how far the synth has rendered. Any thread."""
        return self._sequencer.get_tick()

    def _render_loop(self) -> None:
        block_ns = BLOCK_FRAMES * 1e9 / self.sample_rate
        while not self._stop.is_set():
            due = self.reference_ns + round((self._frames_rendered + BLOCK_FRAMES) * 1e9
                                            / self.sample_rate - block_ns)
            wait = (due - self.clock.now_ns()) / 1e9
            if wait > 0:
                time.sleep(min(wait, 0.05))
                continue
            frames = self.synth.render(BLOCK_FRAMES)  # not under the lock: FluidSynth locks
            # itself, and close() joins this thread before it frees the synth
            self._frames_rendered += BLOCK_FRAMES
            if self._wav is not None:
                self._wav.writeframes(np.ascontiguousarray(frames).tobytes())

    # --- NoteSink ---------------------------------------------------------------------------
    def schedule(self, notes: list[ScheduledNote]) -> None:
        """Hand notes to FluidSynth's sequencer at absolute sample ticks, the lock taken note
        by note: the player's pass-through waits for one note's hand-over at most, never a
        whole bar's (64 notes held it 0.6-1.2 ms). Any thread."""
        for n in notes:
            on, off = self.send_tick(n.on_ns), self.send_tick(n.off_ns)
            if not self._guarded(lambda n=n, on=on, off=off: self._sequence(n, on, off)):
                return

    def _sequence(self, n: ScheduledNote, on: int, off: int) -> None:
        self._sequencer.note_on(on, n.channel, n.pitch, n.velocity, dest=self._dest)
        self._sequencer.note_off(off, n.channel, n.pitch, dest=self._dest)

    def end_at(self, channel: int, pitch: int, at_ns: int) -> None:
        """An early note-off at an absolute time (the note's own one still follows, a no-op
        then); nothing once closed. Any thread."""
        tick = self.send_tick(at_ns)  # outside the lock, as schedule's
        self._guarded(lambda: self._sequencer.note_off(tick, channel, pitch, dest=self._dest))

    def play_now(self, channel: int, pitch: int, velocity: int) -> None:
        """The player's own note, at once (the MIDI callback's thread, say); nothing once
        closed. Any thread."""
        self._guarded(lambda: self.synth.noteon(channel, pitch, velocity) if velocity
                      else self.synth.noteoff(channel, pitch))

    def control_now(self, channel: int, control: int, value: int) -> None:
        """A controller change at once (the sustain pedal, say). Any thread."""
        self._guarded(lambda: self.synth.cc(channel, control, value))

    def set_program(self, channel: int, program: int) -> None:
        """A GM program for a channel. Any thread."""
        self._guarded(lambda: self.synth.program(channel, program))

    def all_notes_off(self) -> None:
        """Forget scheduled events and silence every channel. Any thread."""
        self._guarded(lambda: (_remove_events(self._sequencer, self._dest),
                               self.synth.silence()))

    def reset(self) -> None:
        """Forget scheduled events and put every channel back to its power-on state (programs
        and controllers too; the owner applies its programs again). Any thread."""
        self._guarded(lambda: (_remove_events(self._sequencer, self._dest), self.synth.reset()))

    def close(self) -> None:
        """Stop rendering, finish the WAV, free FluidSynth; the owner's thread, once.

        The order matters: first nothing may render any more (the render thread joined, the
        audio driver and its callback thread deleted), only then the sequencer that feeds the
        synth, then the synth. Deleting the sequencer while a JACK callback still rendered the
        synth was a use-after-free waiting to happen (the crash at Stop with JACK audio)."""
        self.all_notes_off()
        self._stop.set()
        rendering_ended = ended(self._thread)  # both told to stop, whatever the other did
        sampling_ended = self._sampler is None or self._sampler.stop()
        quiet = rendering_ended and sampling_ended
        self._close_guard(lambda: self._free(quiet))  # from now on every call is a no-op

    def _free(self, quiet: bool) -> None:
        """The driver, then (when no thread still renders or reads it) the WAV, the
        sequencer and the synth (under the lock, from close)."""
        if self._audio_driver:
            load_fluidsynth().delete_fluid_audio_driver(self._audio_driver)
            self._audio_driver = None
        if not quiet:  # a thread starved past the join limit still renders or reads
            return  # the synth: left to the process's end rather than freed under it
        if self._wav is not None:
            self._wav.close()
            self._wav = None
        self._sequencer.delete()
        self.synth.close()


def block_tick(tick: int, sample_rate: int) -> int:
    """The tick that starts a note from the second 64-frame block after ``tick`` at every
    phase (one tick a sample). FluidSynth's sequencer reads its time at each block's start,
    in whole ms of the samples rendered, and sends a note from the first block whose reading
    has reached the note's tick; it sounds from the block after. A tick the ms reading lagged
    behind waited a block more: notes came 1-2 blocks late at random (1.3-2.7 ms at 48 kHz).
    Handed the reading of the first block after ``tick`` that moved on from the one before, a
    note is sent exactly there. Any thread."""
    block = max(1, tick // FLUID_BLOCK_FRAMES + 1)
    while _block_reading(block, sample_rate) == _block_reading(block - 1, sample_rate):
        block += 1  # (blocks shorter than 1 ms, above 64 kHz, may share a reading)
    return _block_reading(block, sample_rate)


def _block_reading(block: int, sample_rate: int) -> int:
    """The sequencer's tick at the start of a block: the whole ms rendered before it."""
    whole_ms = int(1000.0 * block * FLUID_BLOCK_FRAMES / sample_rate)
    return int(whole_ms * sample_rate / 1000.0)


def whole_ms_period(period_size: int, sample_rate: int) -> int:
    """The ``file`` driver's period: at least ``period_size`` frames and a whole number of
    milliseconds. Its timer counts whole ms, so a 128-frame period at 44.1 kHz (2.9 ms) was
    rendered every 2 ms: the file ran 1.45 times faster than real time. Any thread."""
    frames_per_ms = Fraction(sample_rate, 1000)
    step = frames_per_ms.numerator  # frames in the shortest whole-ms period (441 at 44.1 kHz)
    whole = step * math.ceil(period_size / step)
    return int(whole)


def callback_ahead_ticks(driver: str | None, period_size: int, sample_rate: int) -> int:
    """How far a driver's callback leaves the sequencer's tick past the frame it starts to
    play: its period but the last 64-frame block (FluidSynth's), in ticks (one per sample at
    ``sample_rate``). JACK's period is the server's. Any thread."""
    if not driver:
        return 0
    frames, rate = period_size, sample_rate
    if driver == "jack" and (server := jack_period()) is not None:
        frames, rate = server
    return max(0, round((frames - FLUID_BLOCK_FRAMES) * sample_rate / rate))


def driver_latency_ms(driver: str | None, period_size: int, periods: int,
                      sample_rate: int) -> float:
    """The output buffer latency a driver gives: JACK's is the server's own period and rate
    (FluidSynth follows the server), the others' what was asked for; 0 without a device."""
    if not driver:
        return 0.0
    if driver == "jack" and (server := jack_period()) is not None:
        return buffer_latency_ms(server[0], JACK_PERIODS, server[1])
    return buffer_latency_ms(period_size, periods, sample_rate)


def _open_audio_driver(fs, synth: FluidSynth, driver: str):
    """Only an audio driver: FluidSynth's own MIDI driver stays off (we bring the MIDI)."""
    synth.synth.setting("audio.driver", driver)
    handle = fs.new_fluid_audio_driver(synth.synth.settings, synth.synth.synth)
    if not handle:
        synth.close()
        raise AudioDriverError(f"FluidSynth could not open the audio driver {driver!r} (see "
                         "`coperformer devices`; is its sound server running?)")
    return handle


def _remove_events(sequencer, dest: int) -> None:
    """fluid_sequencer_remove_events (pyfluidsynth does not wrap it)."""
    import ctypes

    fs = load_fluidsynth()
    remove = fs._fl.fluid_sequencer_remove_events
    remove.argtypes = [ctypes.c_void_p, ctypes.c_short, ctypes.c_short, ctypes.c_int]
    remove(sequencer.sequencer, -1, dest, -1)


def audio_drivers() -> list[str]:
    """FluidSynth's audio drivers on this system (read from its settings). Any thread."""
    import ctypes

    fs = load_fluidsynth()
    concat = fs._fl.fluid_settings_option_concat
    concat.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    concat.restype = ctypes.c_void_p
    settings = fs.new_fluid_settings()
    try:
        raw = concat(settings, b"audio.driver", b",")
        return [o for o in ctypes.string_at(raw).decode().split(",") if o] if raw else []
    finally:
        fs.delete_fluid_settings(settings)
