"""Wiring a live session from real parts: model, FluidSynth, MIDI ports or a file, recorder."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

from coperformer.engine.clock import RealClock
from coperformer.engine.events import ALL_OFF, NOTE_ON, PEDAL, InputEvent
from coperformer.engine.live_band import LiveBand
from coperformer.engine.recorder import Recorder, recover_journal
from coperformer.engine.runner import SessionRunner
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import PLAYER_CHANNEL
from coperformer.engine.stats import summary
from coperformer.music.meter import Meter
from coperformer.synth.fluid import LIVE_SAMPLE_RATE

QUIET_MS = 80.0  # reconnecting a port stalls Python ~15-30 ms: only when no deadline is near


class SetupError(RuntimeError):
    """Something the live session needs is missing or wrong (said in one line)."""


class LiveSetup:
    """Owns every real part of a session and tears them down in order."""

    def __init__(self):
        self.clock = RealClock()
        self.parts: list = []
        self.error: BaseException | None = None
        self.passthrough_ms: list[float] = []  # callback timestamp -> FluidSynth note-on
        self.started_wall = 0.0
        self.cpu_start = 0.0

    @classmethod
    def from_args(cls, args) -> LiveSetup:
        """Build everything from `coperformer play` arguments (SetupError on bad input)."""
        setup = cls()
        try:
            setup._build(args)
        except SetupError:
            setup._close_parts()
            raise
        except Exception as exc:  # a library error: one clear line, and nothing left open
            setup._close_parts()
            raise SetupError(_one_line(exc)) from exc
        return setup

    def _build(self, args) -> None:
        from coperformer.commands import load_model
        from coperformer.synth.live_synth import LiveSynth
        from coperformer.synth.soundfont import SoundfontError, find_soundfont

        self.args = args
        self.recovered = self._recover_left_journal(args.record)
        self.file_messages, bpm, meter = self._input_timing(args)
        try:
            soundfont = find_soundfont(args.soundfont)
        except SoundfontError as exc:
            raise SetupError(str(exc)) from exc
        self.model = load_model(args.model)
        driver = None if args.audio_driver in (None, "", "none") else args.audio_driver
        wav = Path(args.wav) if args.wav and driver is None else None
        self.synth = LiveSynth(soundfont, self.clock, driver, args.period_size, args.periods,
                               getattr(args, "sample_rate", LIVE_SAMPLE_RATE), wav_path=wav)
        self.parts.append(self.synth)
        sinks = [self.synth] + self._midi_out(args)
        self.recorder = self._recorder(args, driver)
        config = SessionConfig(bpm=bpm, meter=meter, count_in=args.count_in,
                               metronome=not args.no_metronome, sync_start=args.sync_start,
                               margin_ms=args.margin_ms, seed=args.seed,
                               midi_clock=bool(getattr(args, "midi_clock", False)))
        self.session = Session(config, LiveBand(self.model, args.seed), sinks, self.clock,
                               self.model.track_names, self.model.programs, self.recorder)
        self.runner = SessionRunner(self.session)
        self.source = self._source(args)

    def _recover_left_journal(self, record: str | None) -> Path | None:
        if not record:
            return None
        journal = Path(record + ".journal")
        if journal.exists():
            return recover_journal(journal)
        return None

    def _input_timing(self, args) -> tuple[list | None, float, Meter]:
        bpm = args.tempo or 120.0
        meter = Meter.parse(args.meter) if args.meter else Meter(4, 4)
        if not args.input or not _is_file(args.input):
            return None, bpm, meter
        from coperformer.io.midifile import MidiInputError, read_song
        from coperformer.midi.fileplayer import melody_messages

        try:
            song = read_song(args.input)
            messages = melody_messages(song)
        except MidiInputError as exc:
            raise SetupError(str(exc)) from exc
        if args.tempo is None and song.tempos:
            bpm = round(60e6 / song.tempos[0][1], 3)
        if args.meter is None and song.meters and str(song.meters[0][1]) in ("3/4", "4/4", "6/8"):
            meter = song.meters[0][1]
        return messages, bpm, meter

    def _midi_out(self, args) -> list:
        if not args.midi_out:
            return []
        from coperformer.midi.output import MidiOutSink
        from coperformer.midi.ports import MidiError, api_by_name

        try:
            sink = MidiOutSink(args.midi_out, self.clock, api_by_name(args.midi_api))
        except MidiError as exc:
            raise SetupError(str(exc)) from exc
        self.parts.append(sink)
        return [sink]

    def _recorder(self, args, driver: str | None) -> Recorder | None:
        if args.record:
            target = Path(args.record)
            if not target.parent.exists():
                raise SetupError(f"cannot record to {target}: no such directory")
            return Recorder(Path(args.record + ".journal"))
        if args.wav and driver is not None:
            return Recorder(None)  # the WAV is rendered from the recording at the end
        return None

    def _source(self, args):
        from coperformer.midi.fileplayer import FilePlayer
        from coperformer.midi.ports import KeyboardInput, MidiError, api_by_name

        if self.file_messages is not None:
            return FilePlayer(self.file_messages, self.clock, self.session.feed, self._pass)
        if not args.input or args.input == "qwerty":
            return None  # the computer keyboard feeds the session through key_event()
        try:
            keyboard = KeyboardInput(args.input, self.clock, self.session.feed, self._pass,
                                     api_by_name(args.midi_api),
                                     may_block=lambda: self.session.quiet_ms() > QUIET_MS)
            keyboard.open()
        except MidiError as exc:
            raise SetupError(str(exc)) from exc
        self.parts.append(keyboard)
        return keyboard

    def _pass(self, event: InputEvent) -> None:
        """The pass-through: the player's note on FluidSynth at once (callback thread)."""
        if event.kind == PEDAL:
            self.synth.control_now(PLAYER_CHANNEL, 64, event.value)
            return
        if event.kind == ALL_OFF:
            self.synth.control_now(PLAYER_CHANNEL, 123, 0)
            return
        self.synth.play_now(PLAYER_CHANNEL, event.pitch,
                            event.velocity if event.kind == NOTE_ON else 0)
        if event.kind == NOTE_ON:
            self.passthrough_ms.append((self.clock.now_ns() - event.time_ns) / 1e6)

    # --- running ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker and the input."""
        self.started_wall = time.perf_counter()
        self.cpu_start = _cpu_seconds()
        self.synth.set_program(PLAYER_CHANNEL, 0)
        self.runner.start()
        if self.file_messages is not None:
            with self.runner.lock:  # the worker is already polling
                start = self.session.transport.bar_start_ns(0)
            self.source.start(start)

    @property
    def running(self) -> bool:
        """True while the session runs."""
        return self.runner.running

    def banner(self) -> str:
        """One line on what is running."""
        t = self.session.transport
        latency = (f"{self.synth.latency_ms:.1f} ms buffer" if self.synth.driver
                   else "no audio device")
        lines = [f"playing: input {self.args.input}, {t.bpm_at(0):g} BPM {t.meter_at(0)}, "
                 f"model {self.model.path.name}, audio {self.synth.driver or 'none'} ({latency})"]
        if self.recovered:
            lines.append(f"recovered an unsaved session: {self.recovered}")
        return "\n".join(lines)

    def finish(self) -> str:
        """Stop everything (no stuck notes), save the recording and stats; a one-line report."""
        self.runner.stop()
        self.error = self.runner.error
        if self.source is not None and hasattr(self.source, "stop"):
            self.source.stop()
        wall = max(1e-9, time.perf_counter() - self.started_wall)
        cpu = 100.0 * (_cpu_seconds() - self.cpu_start) / wall
        self._close_parts()
        saved = self._save()
        stats = self.stats(cpu)
        if self.args.stats:
            Path(self.args.stats).write_text(json.dumps(stats, indent=2) + "\n")
        s = stats
        return (f"bars {s['bars_planned']}, misses {s['missed_deadlines']}, inference p99 "
                f"{s['inference_ms']['p99']:.2f} ms, margin p50 {s['margin_ms']['p50']:.1f} ms"
                + (f"; saved {', '.join(saved)}" if saved else ""))

    def key_event(self, pitch: int, velocity: int) -> None:
        """A note from the computer keyboard (GUI thread): timestamp, pass through, enqueue."""
        from coperformer.engine.events import NOTE_OFF

        kind = NOTE_ON if velocity else NOTE_OFF
        raw = (0x90, pitch, velocity) if velocity else (0x80, pitch, 0)
        event = InputEvent(self.clock.now_ns(), kind, pitch, velocity, raw=raw)
        self._pass(event)
        self.session.feed(event)

    def _save(self) -> list[str]:
        saved = []
        if not getattr(self.args, "autosave", True):
            return saved
        if self.args.record and self.recorder:
            self.recorder.save(self.args.record)
            saved.append(self.args.record)
        if self.args.wav and self.synth.driver and self.recorder:
            self._render_wav(Path(self.args.wav))
        if self.args.wav:
            saved.append(self.args.wav)
        return saved

    def _render_wav(self, path: Path) -> None:
        import tempfile

        from coperformer.engine.recorder import write_recording
        from coperformer.synth.render import render_file

        with tempfile.TemporaryDirectory() as tmp:
            midi = Path(tmp) / "session.mid"
            write_recording(self.recorder.recording, midi)
            render_file(midi, path, self.synth.synth.soundfont)

    def stats(self, cpu_percent: float) -> dict:
        """Session statistics plus pass-through latency and CPU use."""
        out = self.session.stats.as_dict()
        out["passthrough_ms"] = summary(self.passthrough_ms)
        out["cpu_percent"] = round(cpu_percent, 1)
        out["audio_latency_ms"] = round(self.synth.latency_ms, 2)
        out["audio_driver"] = self.synth.driver or "none"
        return out

    def _close_parts(self) -> None:
        for part in reversed(self.parts):
            try:
                part.close()
            except Exception:  # noqa: BLE001 - closing must go on for the others
                pass
        self.parts.clear()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _is_file(text: str) -> bool:
    return text.lower().endswith((".mid", ".midi")) or os.path.isfile(text)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
