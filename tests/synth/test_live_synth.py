"""The live FluidSynth sink: sequencer timing in rendered audio, and panic."""

import threading
import time
import wave

import numpy as np

from coperformer.bench.onsets import onset_error
from coperformer.engine.clock import RealClock
from coperformer.engine.sinks import ScheduledNote
from coperformer.synth.analysis import detect_onsets, rms
from coperformer.synth.fluid import FluidSynth, load_fluidsynth
from coperformer.synth.live_synth import FLUID_BLOCK_FRAMES, LiveSynth, block_tick


def test_band_notes_land_on_the_grid_in_rendered_audio(soundfont):
    figures = onset_error(soundfont)
    assert figures["n"] == 40
    assert figures["p99"] < 5.0, figures  # generous; `coperformer bench` prints the real figure


def _lateness(soundfont, rate: int, to_tick) -> np.ndarray:
    """Notes sent through FluidSynth's sequencer (rendered offline) at 24 phases 8 frames
    apart: how many frames after its tick each one is heard."""
    sequencer = load_fluidsynth().Sequencer(time_scale=rate, use_system_timer=False)
    synth = FluidSynth(soundfont, rate)
    dest = sequencer.register_fluidsynth(synth.synth)
    step = rate // 4
    ticks = [step + i * step + i * 8 for i in range(24)]
    try:
        synth.program(1, 0)
        for tick in ticks:
            sequencer.note_on(to_tick(tick, rate), 1, 72, 100, dest=dest)
            sequencer.note_off(to_tick(tick + rate // 20, rate), 1, 72, dest=dest)
        frames = synth.render(ticks[-1] + rate)
    finally:
        sequencer.delete()
        synth.close()
    heard = np.round(np.asarray(detect_onsets(frames, rate, threshold=0.01)) * rate)
    assert len(heard) == len(ticks)
    return heard - np.asarray(ticks)


def test_a_note_sent_at_its_block_tick_comes_as_late_at_every_phase(soundfont):
    """FluidSynth reads its sequencer's time in whole ms at each 64-frame block: a note sent at
    its own tick came one block later or two, at random; at block_tick every phase is heard the
    same number of blocks after its tick, within one block (the 24 phases span three)."""
    for rate in (44100, 48000):
        sent = _lateness(soundfont, rate, block_tick)
        plain = _lateness(soundfont, rate, lambda tick, _rate: tick)
        assert np.ptp(sent) < FLUID_BLOCK_FRAMES, (rate, sent)
        assert np.ptp(plain) > FLUID_BLOCK_FRAMES, (rate, plain)  # what it mends
        assert sent.max() <= plain.max()  # never later than before


def test_all_notes_off_forgets_scheduled_notes_and_silences(tmp_path, soundfont):
    clock = RealClock()
    wav_path = tmp_path / "panic.wav"
    synth = LiveSynth(soundfont, clock, None, wav_path=wav_path)
    start = synth.reference_ns + 100_000_000
    synth.set_program(1, 48)
    synth.schedule([ScheduledNote(start, start + 5_000_000_000, 1, 60, 100),
                    ScheduledNote(start + 800_000_000, start + 900_000_000, 1, 67, 100)])
    synth.play_now(0, 72, 100)  # a held player note
    time.sleep(0.5)
    synth.all_notes_off()
    time.sleep(1.5)
    synth.close()
    with wave.open(str(wav_path)) as wav:
        rate = wav.getframerate()
        frames = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).reshape(-1, 2)
    assert rms(frames[int(0.2 * rate): int(0.5 * rate)]) > 0.001  # it sounded
    assert rms(frames[int(1.2 * rate):]) < 1e-4  # and then nothing: no stuck or late notes


def test_a_closed_synth_ignores_every_call_from_any_thread(soundfont):
    import threading

    synth = LiveSynth(soundfont, RealClock(), None)
    late = threading.Thread(target=lambda: [synth.play_now(0, 60, 90) for _ in range(2000)])
    late.start()  # a MIDI callback still playing through while the jam stops
    synth.close()
    late.join()
    synth.play_now(0, 62, 90)
    synth.control_now(0, 64, 127)
    synth.set_program(1, 40)
    synth.schedule([ScheduledNote(0, 1, 1, 60, 90)])
    synth.all_notes_off()  # Panic after Stop: nothing happens, nothing crashes


def test_a_note_ended_early_stops_sounding_there(tmp_path, soundfont):
    """end_at (the left hand's new chord): the strings note scheduled for 2 s stops at 0.5 s;
    its own later note-off changes nothing."""
    clock = RealClock()
    wav_path = tmp_path / "early.wav"
    synth = LiveSynth(soundfont, clock, None, wav_path=wav_path)
    start = synth.reference_ns + 100_000_000
    synth.set_program(1, 48)  # strings: they sound as long as the note is held
    synth.schedule([ScheduledNote(start, start + 2_000_000_000, 1, 60, 100)])
    synth.end_at(1, 60, start + 400_000_000)
    time.sleep(2.6)
    synth.close()
    with wave.open(str(wav_path)) as wav:
        rate = wav.getframerate()
        frames = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).reshape(-1, 2)
    held = rms(frames[int(0.2 * rate): int(0.45 * rate)])
    after = rms(frames[int(1.4 * rate): int(2.0 * rate)])  # the release is long over
    assert held > 0.001 and after < held / 20


def test_the_player_s_note_never_waits_for_a_whole_bar_being_handed_over(soundfont):
    """The worker hands a long list of notes to the sequencer while the player plays: each
    pass-through waits for one note's hand-over at most (the lock held for the whole list made
    it wait the list's time, here ~150 ms)."""
    from coperformer.bench.passthrough import dense_bar

    synth = LiveSynth(soundfont, RealClock(), None)
    now = time.perf_counter_ns()
    notes = [n for bar in range(300) for n in dense_bar(now + 10**9 + bar * 10**9)]
    waits: list[float] = []
    worker = threading.Thread(target=synth.schedule, args=(notes,))
    try:
        started = time.perf_counter()
        worker.start()
        while worker.is_alive():
            before = time.perf_counter()
            synth.play_now(0, 60, 90)
            synth.play_now(0, 60, 0)
            waits.append(time.perf_counter() - before)
        handed_over_s = time.perf_counter() - started
    finally:
        worker.join()
        synth.close()
    assert handed_over_s > 0.05, handed_over_s  # long enough to have shown a whole-list wait
    assert len(waits) > 10 and max(waits) < handed_over_s / 3, (max(waits), handed_over_s)
