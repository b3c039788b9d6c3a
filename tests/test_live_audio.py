"""What the player hears through the real audio path: FluidSynth's own drivers (JACK on a dummy
server of the test's own, the file driver), the sound captured by a second JACK client, and
the band's notes found in it at their times."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from coperformer.bench.onsets import Heard, capturing, jack_onset_error, read_wav
from coperformer.engine.clock import RealClock
from coperformer.engine.session_config import DEFAULT_MARGIN_MS
from coperformer.engine.sinks import ScheduledNote
from coperformer.synth.analysis import detect_attacks, detect_onsets, onset_lags, rms
from coperformer.synth.jack_server import DummyJackServer
from tests.host_probe import LATE_REACH_NS, HostProbe, assert_on_time
from tests.midi_helpers import melody_notes, note_ons, write_midi

FLUID_PORTS = ["fluidsynth:left", "fluidsynth:right"]
BPM = 140
BARS = 6
ONSET_P99_MS = 5.0  # the bound through JACK: judged while the server runs steadily
ONSET_P50_MS = 5.0  # the typical note, judged while the server ran late fewer times than there
# were notes (a wrong mapping, a period or a latency, moves every note; CI's host once ran it
# late 842 times for 101 notes)
# a dummy JACK server on a virtual machine whose host takes its cores away runs late (xruns)
# several times a second at times, a capture client alone on it too (44 in 10 s): each can
# move the later notes by a period or more (a clean-clone run: 8 xruns in a grid of 101 notes,
# p99 5.8 ms; this machine under its host's load: 32-79 xruns, p99 9-22 ms), the transport's
# doing, not the app's. The tails are judged when the server ran clean; `coperformer bench
# --onsets` prints them with its xruns every time
CLOCK_SPAN_NS = 1_000_000_000
CLOCK_ERROR = 0.02  # a server's clock this far off its rate over a second (a throttled host ran
# it 20 % off): its frames are not where an audio clock fitted over 1.5 s puts them
PULSE_STALL_MS = 10.0  # a stall this long holds PulseAudio's server and recorder back too
LOST_SHARE = 0.1  # notes the transport may lose (as the MIDI tests' JACK_LOSSES)
ALIKE = 0.8  # a note's level changes this alike in the capture and the reference: it is there


@pytest.fixture(scope="module")
def audio_server():
    server = DummyJackServer(f"coperformer-test-audio-{os.getpid()}")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def short_melody(tmp_path) -> Path:
    track = {"name": "Lead", "channel": 0, "program": 0, "notes": melody_notes(BARS)}
    return write_midi(tmp_path / "short.mid", [track], bpm=BPM)


def test_a_scheduled_note_sounds_through_the_file_driver(soundfont, tmp_path):
    """The reproduction of the silent band: a note played at once and one scheduled ahead on
    another channel, through FluidSynth's file driver; the scheduled one must be in the file,
    where the audio clock says its time is."""
    from coperformer.synth.live_synth import LiveSynth

    path = tmp_path / "driver.wav"
    clock = RealClock()
    synth = LiveSynth(soundfont, clock, "file", sample_rate=44100, wav_path=path)
    try:
        synth.play_now(0, 60, 100)
        at = clock.now_ns() + 400_000_000
        synth.schedule([ScheduledNote(at, at + 300_000_000, 1, 90, 110)])
        synth.play_now(0, 60, 0)
        time.sleep(1.2)
        tick = synth.tick_at(at)
    finally:
        synth.close()
    frames, rate = read_wav(path)
    spectrum_f5 = _band_energy(frames, rate, tick / 44100, 1480)  # F#5
    before = _band_energy(frames, rate, tick / 44100 - 0.2, 1480)
    assert spectrum_f5 > 20 * before, (spectrum_f5, before)
    onsets = detect_onsets(frames[int(tick / 44100 * rate) - 2000:], rate, threshold=0.01)
    assert onsets and onsets[0] * 1000 < 2000 / rate * 1000 + 15  # at its tick, not later


def test_the_file_driver_renders_in_real_time(soundfont, tmp_path):
    """Its timer counts whole milliseconds: a 128-frame period at 44.1 kHz (2.9 ms) ran every
    2 ms, 1.45 times faster than the clock, until the period became a whole number of ms."""
    from coperformer.synth.live_synth import LiveSynth

    synth = LiveSynth(soundfont, RealClock(), "file", sample_rate=44100, period_size=128,
                      wav_path=tmp_path / "paced.wav")
    try:
        first, started = synth.rendered_tick(), time.perf_counter()
        time.sleep(1.5)
        rendered = (synth.rendered_tick() - first) / 44100
        elapsed = time.perf_counter() - started
    finally:
        synth.close()
    assert abs(rendered / elapsed - 1) < 0.05, (rendered, elapsed)
    assert synth.anchor.reanchors == 0


def test_band_notes_are_heard_on_time_through_jack():
    """A grid of 101 notes through the JACK driver, captured by a second client on the test's
    own dummy server: each onset against the same note rendered offline at its exact time."""
    from coperformer.bench.onsets import JACK_GRID_NOTES
    from coperformer.synth.soundfont import find_soundfont

    with HostProbe() as host:
        figures = jack_onset_error(find_soundfont())
    # notes a starved host's (or server's) JACK cycles lost are the host's
    assert (figures["missing"] <= LOST_SHARE * JACK_GRID_NOTES
            or host.starved((figures["xruns"], figures["cycles"]))), figures
    if figures["xruns"] <= JACK_GRID_NOTES:  # most notes had no late cycle near them
        assert figures["abs_ms"]["p50"] <= ONSET_P50_MS, figures
    if _steady(figures["xruns"], JACK_GRID_NOTES):
        assert figures["abs_ms"]["p99"] <= ONSET_P99_MS, figures


def _steady(xruns: int, notes: int) -> bool:
    """Whether the server ran clean, so that the tails are the app's to judge."""
    if xruns:
        warnings.warn(f"the dummy JACK server ran late {xruns} times for {notes} notes: "
                      "the onsets' tails not judged", stacklevel=2)
        return False
    return True


def _band_energy(frames: np.ndarray, rate: int, at_s: float, hz: float) -> float:
    """Spectral magnitude near ``hz`` in the 0.1 s after ``at_s``."""
    start = max(0, int(at_s * rate))
    chunk = frames[start : start + rate // 10].mean(axis=1)
    spectrum = np.abs(np.fft.rfft(chunk * np.hanning(chunk.size)))
    freqs = np.fft.rfftfreq(chunk.size, 1 / rate)
    near = (freqs > hz * 0.97) & (freqs < hz * 1.03)
    return float(spectrum[near].max())


def _jam(server, melody: Path, out: Path, *extra: str) -> dict:
    """`play` a melody file through the JACK driver while a capture client listens; returns the
    paths of the capture, the take and the stats, and the host's probe."""
    paths = {"heard": out / "heard.wav", "take": out / "take.mid", "stats": out / "stats.json"}
    command = [sys.executable, "-m", "coperformer.cli", "play", "--input", str(melody),
               "--audio-driver", "jack", "--no-jack-autoconnect", "--sample-rate", "48000",
               "--record", str(paths["take"]), "--stats", str(paths["stats"]),
               "--max-seconds", "60", *extra]
    with HostProbe() as host, capturing(server.env, paths["heard"], ["fluidsynth"], "ears",
                                         follow=True):
        done = subprocess.run(command, env=server.env, capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 0, done.stderr
    return {**paths, "host": host}


def _reference(take: Path, rate: int, click: bool) -> np.ndarray:
    """The take rendered offline at exact times (with its metronome): what should be heard."""
    from coperformer.io.midifile import read_song
    from coperformer.synth.fluid import FluidSynth
    from coperformer.synth.render import stream_song
    from coperformer.synth.soundfont import find_soundfont

    synth = FluidSynth(find_soundfont(), rate, gain=0.5)
    try:
        return np.concatenate(list(stream_song(synth, read_song(take), click=click)))
    finally:
        synth.close()


def _heard_against_reference(paths: dict, channels: set[int], click: bool) -> dict:
    """Find each note of the given channels (from the take) in the capture, where the session's
    bar 0 and the capture's cycles (all on the monotonic clock) say it belongs: its lag (ms)
    against the take rendered offline."""
    heard, rate = read_wav(paths["heard"])
    reference = _reference(paths["take"], rate, click)
    bar0_ns = json.loads(paths["stats"].read_text())["bar0_ns"]
    times = sorted({round(beat * 60 / BPM, 4) for name, events in note_ons(paths["take"]).items()
                    if _channel_of(name) in channels for beat, _ in events})
    at = Heard(paths["heard"]).seconds_at([bar0_ns + round(t * 1e9) for t in times])
    matched = onset_lags(heard, reference, rate, list(zip(at, times, strict=True)))
    lags = [lag for lag, alike in matched if alike >= ALIKE]
    bar0 = int(Heard(paths["heard"]).seconds_at([bar0_ns])[0] * rate)
    return {"aligned": heard[bar0:], "before": heard[:bar0], "reference": reference,
            "rate": rate, "times": times, "lags_ms": [lag * 1000 for lag in lags],
            "heard": heard, "bar0_ns": bar0_ns, "capture": Heard(paths["heard"])}


def _late_near(beats_ns: list[int], capture: Heard, host: HostProbe) -> set[int]:
    """The beats near which the server ran late, the host stalled (measured outside the app)
    or the server's clock ran off its rate in the second before: each may take a beat's sound
    away or move it."""
    times = np.asarray(host.late_moments(capture.xruns_ns), np.int64)
    off = capture.clock_error(beats_ns, CLOCK_SPAN_NS)
    return {beat for beat, error in zip(beats_ns, off, strict=True)
            if np.any(np.abs(times - beat) < LATE_REACH_NS) or error > CLOCK_ERROR}


def _channel_of(track_name: str) -> int:
    return {"Alto": 1, "Tenor": 2, "Bass": 3, "Drums": 9}.get(track_name, 0)


def test_a_jam_through_jack_puts_the_band_in_the_captured_audio(audio_server, short_melody,
                                                                tmp_path, shipped_model):
    """The player muted, the click in the count-in only: after the count-in everything heard
    is the band. It must be there, note by note, at its time."""
    pianos = [arg for voice in (1, 2, 3) for arg in ("--program", f"{voice}=1")]
    paths = _jam(audio_server, short_melody, tmp_path, "--mute", "you", "--no-metronome",
                 "--tempo", str(BPM), *pianos)  # pianos: a struck onset times to the ms
    found = _heard_against_reference(paths, {1, 2, 3}, click=False)
    lags = np.array(found["lags_ms"])
    assert len(found["times"]) >= BARS - 2, found["times"]  # the band played its bars
    if _steady(len(found["capture"].xruns_ns), len(found["times"])):
        # at least one onset a band bar stands clear enough of the others to be timed (43-71
        # % of them did; a server running late blurs them)
        assert len(lags) >= BARS - 2, lags
        assert np.median(np.abs(lags)) <= ONSET_P50_MS, lags
        assert np.percentile(np.abs(lags), 99) <= ONSET_P99_MS, lags
    band_start = found["times"][0]
    rate = found["rate"]
    heard_level = rms(found["aligned"][int(band_start * rate):])
    reference_level = rms(found["reference"][int(band_start * rate):])
    assert 0.5 < heard_level / reference_level < 2.0, (heard_level, reference_level)
    count_in = found["before"][-int((4 * 60 / BPM + 0.1) * rate):]  # the bar before bar 0
    clicks = detect_attacks(count_in, rate)
    beats_ns = [found["bar0_ns"] + round(i * 60 / BPM * 1e9) for i in range(-4, 0)]
    lost = _late_near(beats_ns, found["capture"], paths["host"])
    assert len(clicks) >= 4 - len(lost), clicks  # the count-in's clicks, one a beat


def test_drums_and_the_metronome_are_heard_through_jack(audio_server, short_melody, tmp_path,
                                                        shipped_model):
    """Only the drums and the click sound (player and band voices muted): both heard, on
    time."""
    paths = _jam(audio_server, short_melody, tmp_path, "--mute", "you,1,2,3", "--drums",
                 "straight", "--tempo", str(BPM))
    found = _heard_against_reference(paths, {9}, click=True)
    lags = np.array(found["lags_ms"])
    assert len(found["times"]) >= 4 * (BARS - 2), found["times"]
    steady = _steady(len(found["capture"].xruns_ns), len(found["times"]))
    if steady:
        assert len(lags) >= 0.6 * len(found["times"]), lags
        assert np.median(np.abs(lags)) <= ONSET_P50_MS, lags
        assert np.percentile(np.abs(lags), 99) <= ONSET_P99_MS, lags
    beats_ns = [found["bar0_ns"] + round(i * 60 / BPM * 1e9) for i in range(-4, 4 * BARS)]
    rate, heard = found["rate"], found["heard"]
    quiet = [beat for beat, at in zip(beats_ns, found["capture"].seconds_at(beats_ns),
                                      strict=True)
             if rms(heard[int((at - 0.01) * rate) : int((at + 0.05) * rate)]) < 0.005]
    # a click (or a drum) on every beat, the count-in's too; a server running late loses a
    # period here and there: a quiet beat with no late cycle or host stall near it is the app's
    # (one at most), and never more than one beat in four while neither the host nor the
    # server was starved (CI's server once ran late 1479 times in 28 beats: 11 quiet, each
    # beside a late cycle)
    capture = found["capture"]
    unexplained = set(quiet) - _late_near(beats_ns, capture, paths["host"])
    assert len(unexplained) <= 1, (quiet, unexplained)
    assert (len(quiet) <= len(beats_ns) // 4
            or paths["host"].starved(capture.late_cycles())), quiet


def test_the_jam_stats_name_the_driver(audio_server, short_melody, tmp_path, shipped_model):
    paths = _jam(audio_server, short_melody, tmp_path, "--mute", "you", "--max-seconds", "4")
    figures = json.loads(paths["stats"].read_text())
    assert figures["audio_driver"] == "jack"
    assert_on_time(figures["missed_deadlines"], paths["host"], DEFAULT_MARGIN_MS)


def _low_share(frames: np.ndarray, rate: int, below_hz: float = 180.0) -> float:
    """The share of the spectrum's energy below ``below_hz``: the band's bass; the player's
    melody (C4 and up) has none there."""
    data = frames.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(data)) ** 2
    freqs = np.fft.rfftfreq(data.size, 1 / rate)
    return float(spectrum[(freqs > 30) & (freqs < below_hz)].sum() / (spectrum.sum() + 1e-12))


def test_the_window_s_first_start_driver_plays_the_band(audio_server, short_melody, tmp_path,
                                                        shipped_model):
    """A new user with a JACK server: the window's first start picks JACK, and a melody file
    played in it is heard with the band (its bass below the melody's range) and the count-in."""
    heard = tmp_path / "window.wav"
    env = {**audio_server.env, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_RUNTIME_DIR": str(tmp_path),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("PULSE_SERVER", None)
    command = [sys.executable, "-m", "coperformer.cli", "gui", "--input-file", str(short_melody),
               "--quit-after", str(4 * BARS * 60 / BPM + 8)]
    with capturing(env, heard, ["fluidsynth"], "window-ears", follow=True):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    settings = next((tmp_path / "config").rglob("*.conf"), None) or next(
        (tmp_path / "config").rglob("*.ini"))
    assert "audio_driver=jack" in settings.read_text()
    frames, rate = read_wav(heard)
    loud = frames[np.abs(frames).max(axis=1) > 300]
    capture = Heard(heard)
    assert len(loud) > rate, (f"nothing heard ({len(frames) / rate:.1f} s captured, the server "
                              f"late {len(capture.xruns_ns)} times); the window said: "
                              f"{done.stderr[-1500:]}")
    assert _low_share(loud, rate) > 0.05  # the band's bass (0.12; 0.015 when it was silent)
    copy = os.environ.get("COPERFORMER_KEEP_WINDOW_WAV")
    if copy:  # docs/window-jam.wav is made this way
        Path(copy).write_bytes(heard.read_bytes())


@pytest.fixture
def pulse_server(tmp_path):
    from tests.pulse_helpers import PulseServer

    server = PulseServer(tmp_path)
    yield server
    server.stop()


def test_band_notes_are_heard_through_pulseaudio(pulse_server, soundfont, tmp_path,
                                                 monkeypatch):
    """The desktop's driver (the window's first choice where a PulseAudio or PipeWire server
    runs): a grid of notes handed over as the band hands over its beats, recorded from the
    server's sink: every note heard, evenly spaced (the recording's own start is unknown, so
    the spacing is what is judged)."""
    from coperformer.synth.live_synth import LiveSynth
    from tests.pulse_helpers import RATE

    for key, value in pulse_server.env.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "pulse.raw"
    recorder = pulse_server.record(path)
    clock = RealClock()
    synth = LiveSynth(soundfont, clock, "pulseaudio", period_size=256, sample_rate=RATE)
    with HostProbe() as host:
        try:
            synth.set_program(1, 0)
            start = clock.now_ns() + 300_000_000
            notes = [ScheduledNote(start + i * 250_000_000, start + i * 250_000_000 + 100_000_000,
                                   1, 72, 100) for i in range(12)]
            for note in notes:
                time.sleep(max(0.0, (note.on_ns - 300_000_000 - clock.now_ns()) / 1e9))
                synth.schedule([note])
            time.sleep((notes[-1].off_ns - clock.now_ns()) / 1e9 + 0.5)
        finally:
            synth.close()
            recorder.terminate()
            recorder.wait(10)
    onsets = detect_onsets(pulse_server.frames(path), RATE, threshold=0.01)
    # the band is heard (the silent band: none); 2-3 of 12 notes were missing from the
    # recording in 2 of 6 runs: an open problem, cause not found (docs/performance.md)
    assert len(onsets) >= len(notes) // 2, (onsets, synth.anchor.reanchors)
    spacing_ms = np.diff(onsets) * 1000  # on the grid: each gap a whole number of notes
    beats = np.round(spacing_ms / 250)
    # the typical note on the grid (its tails: PulseAudio's null sink on a loaded virtual
    # machine, 30-110 ms off at times, an open problem in docs/performance.md)
    assert np.all(beats >= 1), spacing_ms
    if host.longer_than(PULSE_STALL_MS):  # the server and its recorder held back as well
        warnings.warn(f"the host stalled {host.longer_than(PULSE_STALL_MS)} times: the notes' "
                      "spacing through PulseAudio not judged", stacklevel=1)
    else:
        assert np.median(np.abs(spacing_ms - 250 * beats)) <= 20, spacing_ms
