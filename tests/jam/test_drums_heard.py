"""The drums as FluidSynth plays them live (the real model, engine and LiveSynth in real time,
its rendered audio captured): Panic silences band and drums at once, and when the player
stops the drums stop with the band."""

import time
import wave

import numpy as np

from coperformer.engine.clock import NS_PER_S, RealClock
from coperformer.engine.events import END
from coperformer.engine.intents import Panic
from coperformer.engine.live_band import LiveBand
from coperformer.engine.runner import SessionRunner
from coperformer.engine.session import Session, SessionConfig
from coperformer.midi.fileplayer import FilePlayer
from coperformer.model.store import load_model, load_reward_model
from coperformer.music.listening import HarmonyPlanner
from coperformer.synth.live_synth import LiveSynth

BAR_S = 1.0  # 4/4 at 240 BPM
MELODY_BARS = 3


def _melody() -> list[tuple[float, list[int]]]:
    """Three bars of quarter notes (seconds from bar 0, raw MIDI), then nothing."""
    out = []
    for beat in range(4 * MELODY_BARS):
        pitch = (64, 67, 71, 72, 67, 65)[beat % 6]
        out += [(beat * BAR_S / 4, [0x90, pitch, 80]), (beat * BAR_S / 4 + 0.2, [0x80, pitch, 0])]
    return out


def _live_jam(tmp_path, soundfont, panic_at_bar: float, bars: float):
    """A jam with drums into a LiveSynth writing what it renders; the player's own notes are
    not sounded (only the band and the drums are heard). Returns (levels per ms, bar 0 in
    ms from the WAV's start)."""
    clock, wav = RealClock(), tmp_path / "live.wav"
    synth = LiveSynth(soundfont, clock, None, wav_path=wav)
    model = load_model("bach")
    band = LiveBand(model, planner=HarmonyPlanner(load_reward_model()))
    session = Session(SessionConfig(bpm=240, count_in=0, metronome=False, drums="straight"),
                      band, [synth], clock, model.track_names, model.programs)
    runner = SessionRunner(session)
    player = FilePlayer(_melody(), clock, lambda event: event.kind != END and session.feed(
        event))  # a keyboard, not a file: the player stops, the input does not end
    try:
        bar0 = runner.start()
        player.start(bar0)
        _sleep_until(clock, bar0 + round(panic_at_bar * BAR_S * NS_PER_S))
        session.request(Panic())
        _sleep_until(clock, bar0 + round(bars * BAR_S * NS_PER_S))
    finally:
        player.close()
        runner.stop()
        reference = synth.reference_ns
        synth.close()
    with wave.open(str(wav)) as handle:
        rate = handle.getframerate()
        frames = np.frombuffer(handle.readframes(handle.getnframes()), np.int16)
    level = np.abs(frames.astype(np.float64)).reshape(-1, 2).mean(axis=1)
    per_ms = level[:len(level) // (rate // 1000) * (rate // 1000)].reshape(-1, rate // 1000)
    return per_ms.mean(axis=1), (bar0 - reference) / 1e6


def _sleep_until(clock, at_ns):
    while clock.now_ns() < at_ns:
        time.sleep(0.005)


def test_panic_and_the_players_silence_silence_the_drums_as_heard(tmp_path, soundfont):
    panic = 2.5  # bar 3, beat 3
    level, bar0_ms = _live_jam(tmp_path, soundfont, panic, 9.0)

    def loud(first_bar, last_bar):
        first, last = (round(bar0_ms + b * BAR_S * 1000) for b in (first_bar, last_bar))
        return level[first:last].mean()

    playing = loud(1, 2.5)
    assert playing > 50  # band and drums are heard before the panic
    # at once: no note sounds after it, only the reverb's tail dies away until the next bar
    tail = [loud(panic + k * 0.05, panic + (k + 1) * 0.05) for k in range(1, 9)]
    pairs = zip(tail[:-1], tail[1:], strict=True)
    assert all(later <= 1.1 * earlier for earlier, later in pairs), tail
    assert tail[0] < 0.15 * playing and loud(panic + 0.2, 3) < 0.02 * playing, tail
    assert loud(3, 3.5) > 0.2 * playing  # the band (and the drums) are back at the next bar
    # the player stopped after bar 3: the band rests within three bars, the drums with it
    # (what is left is the tail of the last crash: -40 dB; drums going on are at -3 dB)
    assert loud(7, 9) < 0.01 * playing
