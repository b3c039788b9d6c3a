"""End to end through real parts: jackd (dummy), JACK MIDI ports, the real model, FluidSynth."""

from __future__ import annotations

import difflib
import json
import signal
import subprocess
import sys
import threading
import time
import warnings
import wave

import mido
import numpy as np
import pytest

from coperformer.bench.onsets import Heard, capturing
from coperformer.engine.session_config import DEFAULT_MARGIN_MS
from tests.host_probe import LATE_REACH_NS, HostProbe, assert_on_time
from tests.jack_helpers import MidiMonitor, VirtualKeyboard, jack_env, start_jackd, stop_jackd
from tests.midi_helpers import band_bars

BPM = 150
BEAT_S = 60 / BPM
# jackd --no-realtime on a busy 2-core machine drops a cycle's MIDI now and then (a C-level
# polling client lost 2 of 17 notes in one run, docs/performance.md): the transport, not the app.
# Losses near a late cycle or a host's stall are the transport's (at most a tenth of the
# notes); at most this many with nothing late near them
JACK_LOSSES = 2
# a replugged keyboard's port seen and connected again: the watcher looks every 0.25 s and
# waits for a quiet moment between decisions; opening a JACK client took ~1.2 s on CI's
# loaded host (3 notes played at once after the replug were lost there)
RECONNECT_S = 3.0
LATE_NOTE_MS = 40.0  # a note recorded this far off its time is the app's but near a late moment


@pytest.fixture(scope="module")
def jack_server():
    process = start_jackd()
    yield process
    stop_jackd(process)


def held_out_melody(bars: int = 14) -> list[tuple[float, float, int]]:
    """(start beat, end beat, pitch) of a held-out test chorale's soprano."""
    from coperformer.model.corpus import load_chorale
    from coperformer.model.dataset import held_out_names

    for name in held_out_names("bach"):
        piece = load_chorale(name)
        if str(piece.bars[0].meter) == "4/4" and len(piece.bars) > bars:
            first = piece.bars[1].start  # skip the pickup bar
            notes = [(n.start - first, n.end - first, n.pitch) for n in piece.melody
                     if first <= n.start < first + 4 * bars]
            return notes
    raise AssertionError("no 4/4 test chorale")


def _recorded_onsets(path) -> list[tuple[float, int]]:
    midi = mido.MidiFile(path)
    seconds, out = 0.0, []
    tempo = 500000
    for message in mido.merge_tracks([midi.tracks[0], midi.tracks[1]]):
        seconds += mido.tick2second(message.time, midi.ticks_per_beat, tempo)
        if message.type == "set_tempo":
            tempo = message.tempo
        if message.type == "note_on" and message.velocity > 0:
            out.append((seconds, message.note))
    return out


def test_live_session_through_jack(jack_server, tmp_path, shipped_model):
    melody = held_out_melody()
    keyboard = VirtualKeyboard()
    monitor = MidiMonitor()
    out = {name: tmp_path / name for name in ("rec.mid", "out.wav", "stats.json")}
    # no --midi-api: the port is searched for in every MIDI system (here JACK has it)
    command = [sys.executable, "-m", "coperformer.cli", "play", "--input", "test-keyboard",
               "--tempo", str(BPM), "--meter", "4/4", "--sync-start",
               "--record", str(out["rec.mid"]), "--wav", str(out["out.wav"]),
               "--stats", str(out["stats.json"]), "--midi-out", "test-monitor", "--midi-clock",
               "--audio-driver", "none", "--max-seconds", "60"]
    listened = tmp_path / "server.wav"  # a capture of nothing: the server's xruns, timed
    with HostProbe() as host, capturing(jack_env(), listened, []):
        app = subprocess.Popen(command, env=jack_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
        try:
            _wait_for_line(app, "playing:")
            said = StderrLines(app)
            time.sleep(0.5)
            sent, reconnect_s = _play(keyboard, melody, said)
            time.sleep(2 * 4 * BEAT_S)
            app.send_signal(signal.SIGINT)
            app.wait(timeout=90)
            stderr = said.text()
        finally:
            if app.poll() is None:
                app.kill()
            keyboard.close()
    assert app.returncode == 0, stderr
    # a replugged keyboard plays again within RECONNECT_S of its port's return (a USB
    # keyboard takes about a second to enumerate before that); the notes played before the
    # app said so are not counted as delivered
    assert reconnect_s is not None and reconnect_s < RECONNECT_S, (reconnect_s, stderr)
    stats = json.loads(out["stats.json"].read_text())
    assert_on_time(stats["missed_deadlines"], host, DEFAULT_MARGIN_MS)
    assert stats["port_losses"] >= 1 and stats["port_returns"] >= 1, stats

    recorded = _recorded_onsets(out["rec.mid"])
    delivered = [s for s in sent if s[2]]
    pairs = _matched(delivered, recorded)
    late_ns = host.late_moments(Heard(listened).xruns_ns)
    _judge_losses(delivered, pairs, late_ns)
    # each note's delay (recorded less sent) against the typical one: the first note alone
    # as the reference moved every other note by its own delay (a stall as it was played)
    offset = float(np.median([r - s / 1e9 for (s, _, _), (r, _) in pairs]))
    errors = sorted((abs(r - s / 1e9 - offset) * 1000, pitch, r, s)
                    for (s, _, _), (r, pitch) in pairs)
    errors_ms = [error for error, *_ in errors]
    # generous for a loaded 2-core CI machine (5.04 ms p90 seen under a training run);
    # the unloaded figure is measured in docs/performance.md
    assert errors_ms[int(0.9 * len(errors_ms))] < 10.0, f"recorded timing off: {errors_ms}"
    _judge_late_notes(errors, late_ns, len(delivered) - len(pairs))

    last_bar = int((melody[-1][0]) // 4)
    assert set(range(1, last_bar + 1)) <= band_bars(out["rec.mid"])
    time.sleep(0.2)
    monitor.close()
    assert monitor.messages, "the band reached the MIDI out port"
    stuck = monitor.stuck_notes()
    assert stuck == set(), "\n".join([f"stuck: {sorted(stuck)}", *monitor.tail(), stderr[-3000:]])
    clocks = [t for t, m in monitor.messages if m == [0xF8]]
    transport = [(t, m[0]) for t, m in monitor.messages if m in ([0xFA], [0xFC])]
    # one Start, one Stop (a JACK server running late may hand the same event on twice)
    sequence = [m for i, (_, m) in enumerate(transport) if i == 0 or transport[i - 1][1] != m]
    assert sequence == [0xFA, 0xFC], (transport, monitor.messages[-12:])
    beats = [(clocks[i + 24] - clocks[i]) / 1e9 / BEAT_S for i in range(len(clocks) - 24)]
    assert abs(float(np.median(beats)) - 1.0) < 0.02, "24 clocks per beat"
    expected = (clocks[-1] - clocks[0]) / 1e9 / BEAT_S * 24
    assert len(clocks) >= 0.95 * expected, (len(clocks), expected)
    # stopped by Ctrl-C, the WAV is left to the render command the app names (it takes a
    # second a minute of music, past the stop's 2 s in a long jam)
    render = f"coperformer render {out['rec.mid']} -o {out['out.wav']} makes it"
    assert render in stderr and not out["out.wav"].exists(), stderr
    subprocess.run([sys.executable, "-m", "coperformer", "render", str(out["rec.mid"]), "-o",
                    str(out["out.wav"])], check=True, capture_output=True, timeout=120)
    with wave.open(str(out["out.wav"])) as wav:
        frames = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
    assert np.sqrt(np.mean((frames / 32768.0) ** 2)) > 0.003


def _judge_losses(delivered, pairs, late_ns: list[int]) -> None:
    """Notes the app never heard: a few, each near a moment JACK or the host ran late (a
    client late for a cycle loses that cycle's MIDI: jackd without real-time threads, as on
    CI's host), and at most JACK_LOSSES with nothing late near them."""
    heard = {sent for sent, _ in pairs}
    lost = [sent for sent in delivered if sent not in heard]
    late = np.asarray(late_ns or [0], np.int64)
    distance_ms = {sent: float(np.min(np.abs(late - sent[0]))) / 1e6 for sent in lost}
    unexplained = [sent for sent in lost if distance_ms[sent] * 1e6 >= LATE_REACH_NS]
    each = [f"{sent[1]} ({distance_ms[sent]:.0f} ms from a late moment)" for sent in lost]
    story = f"lost {len(lost)} of {len(delivered)}: {each}; {len(late_ns)} late moments"
    assert len(lost) <= 0.1 * len(delivered), story
    assert len(unexplained) <= JACK_LOSSES, story
    if lost:
        warnings.warn(story, stacklevel=2)


def _judge_late_notes(errors, late_ns: list[int], lost: int) -> None:
    """Notes recorded LATE_NOTE_MS or more off their time (``errors``: ms, pitch, recorded s,
    sent ns): a few, each near a moment JACK or the host ran late (a stall between the
    keyboard's send and the app's callback delays the note by the stall), none with nothing
    late near it, as ``_judge_losses`` judges the notes lost."""
    late = np.asarray(late_ns or [0], np.int64)
    off = [(ms, pitch, at, float(np.min(np.abs(late - sent))) / 1e6)
           for ms, pitch, at, sent in errors if ms >= LATE_NOTE_MS]
    story = [f"pitch {pitch} recorded at {at:.3f} s, {ms:.1f} ms off ({near:.0f} ms from a "
             f"late moment)" for ms, pitch, at, near in off]
    story = f"recorded timing off: {story}; {len(late_ns)} late moments; lost: {lost}"
    assert len(off) <= 0.1 * len(errors), story
    assert all(near * 1e6 < LATE_REACH_NS for *_, near in off), story
    if off:
        warnings.warn(story, stacklevel=2)


def _jack_connections(listing: str) -> dict[str, list[str]]:
    """`jack_lsp -c`'s output as port -> the ports connected to it."""
    out: dict[str, list[str]] = {}
    port = None
    for line in listing.splitlines():
        if line.startswith((" ", "\t")) and port:
            out[port].append(line.strip())
        elif line.strip():
            port = line.strip()
            out.setdefault(port, [])
    return out


def _matched(delivered, recorded) -> list[tuple[tuple, tuple]]:
    """(sent, recorded) pairs of the same note; recorded notes must all have been sent, in order.
    Aligned by pitch sequence first; then each recorded note is paired with the sent note of its
    pitch nearest in time (the alignment's median offset), so a note JACK lost among repeated
    pitches does not pair its neighbour, a beat away, with the wrong recording."""
    matcher = difflib.SequenceMatcher(a=[p for _, p, _ in delivered], b=[p for _, p in recorded],
                                      autojunk=False)
    aligned = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        assert tag in ("equal", "delete"), f"recorded notes nobody played: {recorded[b0:b1]}"
        if tag == "equal":
            aligned += list(zip(delivered[a0:a1], recorded[b0:b1], strict=True))
    offset = float(np.median([r - s / 1e9 for (s, _, _), (r, _) in aligned]))
    unused, pairs = set(range(len(delivered))), []
    for at, pitch in recorded:
        same = [i for i in unused if delivered[i][1] == pitch]
        assert same, f"recorded {pitch} at {at:.3f} s more often than it was played"
        nearest = min(same, key=lambda i: abs(at - offset - delivered[i][0] / 1e9))
        unused.discard(nearest)
        pairs.append((delivered[nearest], (at, pitch)))
    return pairs


def _wait_for_line(process, text: str, timeout: float = 150.0) -> str:
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen.append(line)
        if text in line:
            return line
        if not line and process.poll() is not None:
            raise AssertionError("app exited: " + "".join(seen) + process.stderr.read())
    raise AssertionError(f"no {text!r} from the app")


class StderrLines:
    """A process's stderr read line by line on a thread of its own, kept with the time each
    line came (the process must have ``stderr=PIPE`` and text mode)."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[tuple[float, str]] = []
        self._process = process
        self._reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stderr:
            self.lines.append((time.monotonic(), line))

    def wait_for(self, text: str, timeout: float) -> float | None:
        """Seconds until a line with ``text`` came (from now), None if none within timeout."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if any(text in line for _, line in self.lines):
                return time.monotonic() - started
            time.sleep(0.01)
        return None

    def text(self) -> str:
        """Everything read, once the process has ended (its stderr closed then)."""
        self._reader.join(10)
        self._process.stderr.close()
        return "".join(line for _, line in self.lines)


def _play(keyboard, melody, said: StderrLines) -> tuple[list[tuple[int, int, bool]],
                                                        float | None]:
    """Play the melody in real time; unplug for four beats from bar 6 (1.6 s: longer than
    the port watcher's blind time, as a USB cable takes to plug back), and after the replug
    go on once the app says the keyboard is connected again. Returns (ns, pitch, delivered)
    of each note-on, and how long the app took to say so (None: it never did)."""
    events = []
    for start, end, pitch in melody:
        events.append((start * BEAT_S, [0x90, pitch, 80]))
        events.append((end * BEAT_S - 0.01, [0x80, pitch, 0]))
    events.sort(key=lambda e: (e[0], e[1][0] == 0x90))
    unplug_at, replug_at = 20 * BEAT_S, 24 * BEAT_S
    t0 = time.perf_counter_ns() + 50_000_000
    sent, plugged, unplugged_once, reconnect_s = [], True, False, None
    for at, message in events:
        due = t0 + int(at * 1e9)
        if not unplugged_once and at >= unplug_at:
            unplugged_once = True
            keyboard.unplug()
            plugged = False
        if not plugged and at >= replug_at:
            keyboard.replug()
            plugged = True
            reconnect_s = said.wait_for("keyboard reconnected", 2 * RECONNECT_S)
            waited_ns = time.perf_counter_ns() - due
            t0 += waited_ns
            due += waited_ns
        while time.perf_counter_ns() < due:
            time.sleep(max(0.0, (due - time.perf_counter_ns()) / 1e9 - 0.001))
        if plugged:
            stamp = keyboard.send(message)
        else:
            stamp = time.perf_counter_ns()
        if message[0] == 0x90:
            sent.append((stamp, message[1], plugged))
    return sent, reconnect_s


def test_ports_of_every_midi_system_are_listed_and_searched(jack_server, monkeypatch):
    from coperformer.midi.ports import (
        InputPortLister,
        MidiError,
        api_names,
        find_api,
        port_label,
        split_label,
    )

    monkeypatch.setenv("JACK_NO_START_SERVER", "1")
    keyboard = VirtualKeyboard("lister-keyboard")
    try:
        jack = next(api for api, name in api_names().items() if name.lower() == "jack")
        label = port_label("kbd:lister-keyboard", api_names()[jack])
        assert label in InputPortLister()()
        assert split_label(label) == ("kbd:lister-keyboard", api_names()[jack])
        assert find_api("lister-keyboard") == jack
        with pytest.raises(MidiError, match="in any MIDI system.*lister-keyboard — Jack"):
            find_api("no-such-keyboard")
    finally:
        keyboard.close()


def test_fluidsynth_plays_through_the_jack_audio_driver(jack_server, tmp_path, melody_file,
                                                         shipped_model):
    stats = tmp_path / "stats.json"
    with HostProbe() as host:
        app = subprocess.Popen(
            [sys.executable, "-m", "coperformer.cli", "play", "--input", str(melody_file),
             "--audio-driver", "jack", "--sample-rate", "48000", "--period-size", "64",
             "--max-seconds", "5", "--stats", str(stats)],
            env=jack_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        banner = _wait_for_line(app, "playing:")
        connections = subprocess.run(["jack_lsp", "-c"], env=jack_env(), capture_output=True,
                                     text=True, timeout=30).stdout
        stdout, stderr = app.communicate(timeout=60)
        result = subprocess.CompletedProcess(app.args, app.returncode, stdout, stderr)
    # FluidSynth's outputs are connected to the system's playback ports (else: silence)
    linked = _jack_connections(connections)
    assert any(port.startswith("system:playback") for port in linked.get("fluidsynth:left", ()))
    assert result.returncode == 0, result.stderr
    assert "audio jack (5.3 ms buffer)" in banner  # the server's 2 x 128 frames at 48 kHz
    figures = json.loads(stats.read_text())
    assert figures["audio_driver"] == "jack"
    assert_on_time(figures["missed_deadlines"], host, DEFAULT_MARGIN_MS)
    assert figures["bars_planned"] >= 1


def test_missing_port_and_missing_soundfont_are_clear_errors(jack_server, tmp_path,
                                                              melody_file):
    result = subprocess.run(
        [sys.executable, "-m", "coperformer.cli", "play", "--input", "no-such-keyboard",
         "--midi-api", "jack"], env=jack_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "no MIDI port matches 'no-such-keyboard'" in result.stderr
    env = {**jack_env(), "COPERFORMER_SOUNDFONT": str(tmp_path / "gone.sf2")}
    result = subprocess.run(
        [sys.executable, "-m", "coperformer.cli", "play", "--input", str(melody_file)], env=env,
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "soundfont" in result.stderr and "gone.sf2" in result.stderr


def test_the_jack_latency_is_the_servers_own_period_and_rate(jack_server, qtbot, tmp_path):
    from coperformer.gui.panels import SoundPanel
    from coperformer.synth.jack_server import jack_period
    from coperformer.synth.live_synth import driver_latency_ms

    assert jack_period() == (128, 48000)  # what tests/jack_helpers.py starts
    assert abs(driver_latency_ms("jack", 64, 2, 96000) - 2 * 128 / 48) < 1e-9
    assert abs(driver_latency_ms("alsa", 64, 2, 96000) - 2 * 64 / 96) < 1e-9
    panel = SoundPanel(["jack", "alsa"])
    qtbot.addWidget(panel)
    panel.driver.setCurrentText("jack")
    panel.update_latency()
    assert panel.latency.text() == ("audio buffer latency 5.3 ms (the JACK server: 128 frames "
                                    "at 48 kHz)")


def test_a_first_start_picks_a_driver_that_can_play(jack_server, qtbot, tmp_path, monkeypatch,
                                                    shipped_model):
    from PySide6.QtCore import QSettings

    from coperformer.gui.app import make_window
    from coperformer.synth.jack_server import output_present

    monkeypatch.delenv("PULSE_SERVER", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no PulseAudio, no PipeWire socket
    assert output_present("jack") and not output_present("pulseaudio")
    window = make_window(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat),
                         list_inputs=lambda: [])
    qtbot.addWidget(window)
    drivers = [window.sound.driver.itemText(i) for i in range(window.sound.driver.count())]
    expected = "jack" if "jack" in drivers else "none"
    assert window.sound.driver.currentText() == expected
