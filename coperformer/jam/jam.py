"""The jam facade: builds a live session from JamOptions (model, FluidSynth, MIDI ports or a
file, recorder, worker), relays intents to it, and tears everything down in order."""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from coperformer.common import proc
from coperformer.common.errors import CoperformerError, first_line
from coperformer.common.paths import recordings_dir
from coperformer.engine import intents as I
from coperformer.engine.clock import RealClock
from coperformer.engine.events import NOTE_OFF, NOTE_ON, InputEvent
from coperformer.engine.journal import journal_for
from coperformer.engine.listener import SessionListener
from coperformer.engine.live_band import LiveBand
from coperformer.engine.mixer import Mixer
from coperformer.engine.recorder import Recorder
from coperformer.engine.runner import SessionRunner
from coperformer.engine.session import Session, SessionConfig
from coperformer.engine.sinks import BAND_CHANNELS, PLAYER_CHANNEL
from coperformer.engine.snapshot import SessionSnapshot
from coperformer.engine.stats import summary
from coperformer.engine.transport import check_meter, check_tempo
from coperformer.jam.inputs import InputPlan, open_input, plan_input
from coperformer.jam.options import JamOptions
from coperformer.jam.outputs import save_outputs
from coperformer.jam.passthrough import Passthrough
from coperformer.jam.recovery import free_take, recover_journal
from coperformer.jam.report import JamResult
from coperformer.jam.speed import judge_speed
from coperformer.music.chord_names import parse_note
from coperformer.music.endings import parse_key
from coperformer.music.gm import DRUM_CHANNEL
from coperformer.music.gm import NOTE_OFF as NOTE_OFF_STATUS
from coperformer.music.gm import NOTE_ON as NOTE_ON_STATUS
from coperformer.music.groove import check_feel, check_phrase
from coperformer.music.listening import HarmonyPlanner, check_adventure, check_floating
from coperformer.music.meter import Meter

if TYPE_CHECKING:
    from coperformer.model.runtime import BandModel
    from coperformer.synth.live_synth import LiveSynth


class JamError(CoperformerError):
    """A jam that cannot be set up as asked (said in one line)."""


class Jam:
    """Owns every real part of a live session and tears them down in order.

    Thread rules: build(), start(), finish() and save_take() belong to the owner's thread
    (the window's, or the command line's main thread). The intents (set_tempo ... stop),
    key() and snapshot() may be called from any thread: they only queue or read.
    """

    def __init__(self, options: JamOptions):
        self.options = options
        self.clock = RealClock()
        self.parts: list = []  # closed in reverse order
        self.warnings: list[str] = []
        self.recovered: Path | None = None
        self.recorder: Recorder | None = None
        self.source = None
        self.started_wall = 0.0
        self.cpu_start = 0.0

    @classmethod
    def build(cls, options: JamOptions, listener: SessionListener | None = None) -> Jam:
        """Build everything (domain errors as they are, library errors as one-line JamError;
        nothing is left open on failure). The owner's thread."""
        jam = cls(options)
        try:
            jam._build(listener)
        except CoperformerError:
            jam._abandon()
            raise
        except Exception as exc:  # a library error: one clear line, and nothing left open
            jam._abandon()
            raise JamError(first_line(exc)) from exc
        return jam

    def _abandon(self) -> None:
        """Undo a build that failed: close what was opened, drop the empty journal."""
        self._close_parts()
        if self.recorder is not None:
            self.recorder.discard_journal()

    def _build(self, listener: SessionListener | None) -> None:
        from coperformer.model.store import load_model, load_reward_model

        options = self._claim_take(self.options)
        if options.record and journal_for(options.record).exists():
            self.recovered = recover_journal(journal_for(options.record))
            journal_for(options.record).unlink()  # else this jam's journal would append to it
        plan = plan_input(options)
        soundfont = self._find_soundfont()
        self.model = load_model(options.model, options.trust_model)
        refusal, warning = judge_speed(self.model, options.margin_ms)  # measured at each Play
        if refusal:
            raise JamError(refusal)
        self.warnings += [warning] if warning else []
        self.reward = load_reward_model()
        self.synth = self._open_synth(soundfont)
        sinks = [self.synth] + self._midi_out()
        self.recorder = self._recorder()
        self.session = self._session(plan, sinks, listener)
        self.runner = SessionRunner(self.session)
        self.passthrough = Passthrough(self.synth, self.clock)
        self.plan = plan
        self.source = open_input(options, plan, self.clock, self.session.feed,
                                 self.passthrough, self.session.snapshot)
        if self.source is not None:
            self.parts.append(self.source)

    def _find_soundfont(self) -> Path | None:
        """The soundfont; when none was chosen and none is found, None: the jam plays silently
        (MIDI out and recording still work)."""
        from coperformer.synth.soundfont import SoundfontError, chosen_soundfont, find_soundfont

        try:
            return find_soundfont(self.options.soundfont)
        except SoundfontError as exc:
            if chosen_soundfont(self.options.soundfont):
                raise  # a soundfont the user named must work
            self.warnings.append(f"{exc}; playing silently (MIDI out and recording work)")
            return None

    def _open_synth(self, soundfont: Path | None) -> LiveSynth:
        from coperformer.synth.live_synth import AudioDriverError, LiveSynth

        o = self.options
        try:
            synth = LiveSynth(soundfont, self.clock, o.driver, o.period_size, o.periods,
                              o.sample_rate, jack_autoconnect=o.jack_autoconnect)
        except AudioDriverError as exc:
            if not o.driver_fallback:
                raise
            self.warnings.append(f"{exc}; playing without sound")
            synth = LiveSynth(soundfont, self.clock, None, o.period_size, o.periods,
                              o.sample_rate)
        self.parts.append(synth)
        return synth

    def _midi_out(self) -> list:
        if not self.options.midi_out:
            return []
        from coperformer.midi.output import MidiOutSink
        from coperformer.midi.ports import locate_port

        name, api = locate_port(self.options.midi_out, self.options.midi_api, "out")
        sink = MidiOutSink(name, self.clock, api)
        self.parts.append(sink)
        return [sink]

    def _claim_take(self, options: JamOptions) -> JamOptions:
        """A take another live session is recording to gets a new name (told in a warning);
        a journal nobody holds is a crashed one, recovered below."""
        if not options.record:
            return options
        free = free_take(Path(options.record))
        if free != Path(options.record):
            self.warnings.append(f"{options.record} is being recorded by another session: "
                                 f"this take goes to {free}")
            self.options = options = replace(options, record=free)
        return options

    def _recorder(self) -> Recorder | None:
        record = self.options.record
        if record:
            if not Path(record).parent.exists():
                raise JamError(f"cannot record to {record}: no such directory")
            return Recorder(journal_for(record), (recordings_dir(), Path(tempfile.gettempdir())))
        if self.options.wav:
            return Recorder(None)  # the WAV is rendered from the recording at the end
        return None

    def _session(self, plan: InputPlan, sinks: list, listener: SessionListener | None
                 ) -> Session:
        o = self.options
        config = SessionConfig(bpm=plan.bpm, meter=plan.meter, count_in=o.count_in,
                               metronome=o.metronome, follow=o.follow,
                               sync_start=plan.waits_for_first_note(o.sync_start),
                               margin_ms=o.margin_ms, seed=o.seed, midi_clock=o.midi_clock,
                               drums=o.drums and check_feel(o.drums),
                               drum_kit=o.programs.get(DRUM_CHANNEL, 0),
                               phrase_bars=check_phrase(o.phrase_bars), sync_stop=o.sync_stop,
                               intro=parse_key(o.intro) if o.intro else None,
                               split=parse_note(o.split) if o.split else None,
                               chart=o.chart(), chords_every=o.chords_every)
        programs = [o.programs.get(channel, program) for channel, program
                    in zip(BAND_CHANNELS, self.model.programs, strict=False)]
        mixer = Mixer(dict(o.volumes), set(o.muted), set(o.soloed))
        planner = HarmonyPlanner(self.reward, check_adventure(o.adventure), config.intro,
                                 o.seed)
        band = LiveBand(self.model, o.seed, planner, check_floating(o.floating))
        session = Session(config, band, sinks, self.clock,
                          self.model.track_names, programs, self.recorder, listener, mixer)
        if PLAYER_CHANNEL in o.programs:
            session.request(I.SetProgram(PLAYER_CHANNEL, o.programs[PLAYER_CHANNEL]))
        return session

    # --- running (the owner's thread) ---------------------------------------------------
    def start(self) -> None:
        """Start the worker, then the input (a file starts at bar 0). The owner's thread."""
        proc.freeze_heap()  # before the clock starts: the worker never waits for a full collection
        proc.share_the_interpreter()  # nor for a helper thread's long turn with the interpreter
        self.started_wall = time.perf_counter()
        self.cpu_start = proc.cpu_seconds()
        bar0_ns = self.runner.start()
        if self.plan.messages is not None:
            self.source.start(bar0_ns if bar0_ns is not None else self.clock.now_ns())

    @property
    def running(self) -> bool:
        """True while the worker runs (any thread)."""
        return self.runner.running

    @property
    def error(self) -> str | None:
        """Why the worker failed, if it did (any thread)."""
        return self.session.error

    def snapshot(self) -> SessionSnapshot:
        """The session as the worker last published it (any thread)."""
        return self.session.snapshot()

    @property
    def audio_latency_ms(self) -> float:
        """The audio driver's buffer latency (0 without a device); any thread."""
        return self.synth.latency_ms

    def banner(self) -> str:
        """What is running, in a line or two (any thread)."""
        latency = (f"{self.synth.latency_ms:.1f} ms buffer" if self.synth.driver
                   else "no audio device")
        rhythm = {"half": "half bar"}.get(self.options.chords_every, self.options.chords_every)
        lines = [f"playing: input {self.options.input}, {self.plan.bpm:g} BPM {self.plan.meter},"
                 f" model {self.model.path.name}, audio {self.synth.driver or 'none'} ({latency})",
                 f"the band listens: a chord planned per {rhythm},"
                 f" adventure {self.options.adventure:g}"
                 " (0 safe .. 1 adventurous)"]
        if self.recovered:
            lines.append(f"recovered an unsaved session: {self.recovered}")
        hint = start_hint(self.options, self.plan)
        return "\n".join(lines + ([hint] if hint else []) + self.warnings)

    # --- intents (any thread) -------------------------------------------------------------
    def set_tempo(self, bpm: float) -> None:
        """Change the tempo from the next bar not planned yet (TransportError if out of range)."""
        self.session.request(I.SetTempo(check_tempo(bpm)))

    def set_meter(self, meter: str) -> None:
        """Change the meter from the next bar not planned yet (TransportError if unsupported)."""
        self.session.request(I.SetMeter(check_meter(Meter.parse(meter))))

    def set_floating(self, voice: int, floating: bool) -> None:
        """Keep an upper voice (0 = top) above the player, or under it, from the next bar."""
        check_floating(frozenset({voice}))
        self.session.request(I.SetFloating(voice, floating))

    def set_program(self, channel: int, program: int) -> None:
        """Choose a GM program for a channel (0 is the player)."""
        self.session.request(I.SetProgram(channel, program))

    def set_style(self, model: BandModel) -> None:
        """Play another style (a loaded model) from the next bar decided, on its programs
        (the owner's thread; the same model again changes nothing)."""
        if model is self.model:
            return
        self.model = model
        self.session.request(I.SetStyle(model, tuple(model.programs)))

    def set_groove(self, feel: str | None) -> None:
        """Drums in this feel from the next bar planned, or out (None)."""
        self.session.request(I.SetGroove(feel and check_feel(feel)))

    def set_adventure(self, value: float) -> None:
        """The listening band's safe (0) .. adventurous (1) setting, from the next bar."""
        self.session.request(I.SetAdventure(check_adventure(value)))

    def set_chords_every(self, every: str) -> None:
        """How often the listening band may change chord: each beat, half bar or bar."""
        self.session.request(I.SetChordRhythm(every))

    def set_chart(self, text: str | None) -> None:
        """Play this chord chart from the next bar (None or empty: the band plans again); a
        one-line error for a chart that cannot be read, or while a split point steers."""
        self.session.request(I.SetChart(replace(self.options, chords=text).chart()))

    def set_volume(self, channel: int, volume: int) -> None:
        """Set a channel's volume (0-127)."""
        self.session.request(I.SetVolume(channel, volume))

    def set_mute(self, channel: int, muted: bool) -> None:
        """Mute or unmute a channel."""
        self.session.request(I.SetMute(channel, muted))

    def set_solo(self, channel: int, solo: bool) -> None:
        """Solo a channel (the others fall silent) or take the solo back."""
        self.session.request(I.SetSolo(channel, solo))

    def end(self) -> None:
        """End the tune: the band's final chord next bar, then the jam stops by itself."""
        self.session.request(I.End())

    def panic(self) -> None:
        """All notes off now; the band comes back at the next bar."""
        self.session.request(I.Panic())

    def stop(self) -> None:
        """Ask the worker to stop (finish() then tears down)."""
        self.session.request(I.Stop())

    def key(self, pitch: int, velocity: int) -> None:
        """A note from the computer keyboard (velocity 0 ends it): timestamp, pass through,
        enqueue, as the MIDI callback does. The GUI thread."""
        kind = NOTE_ON if velocity else NOTE_OFF
        raw = (NOTE_ON_STATUS, pitch, velocity) if velocity else (NOTE_OFF_STATUS, pitch, 0)
        event = InputEvent(self.clock.now_ns(), kind, pitch, velocity, raw=raw)
        self.passthrough(event)
        self.session.feed(event)

    # --- the end (the owner's thread) -----------------------------------------------------
    def finish(self) -> JamResult:
        """Stop everything (no stuck notes), close the parts, save what was asked for."""
        self.runner.stop()
        proc.thaw_heap()
        proc.unshare_the_interpreter()
        wall = max(1e-9, time.perf_counter() - self.started_wall)
        cpu = 100.0 * (proc.cpu_seconds() - self.cpu_start) / wall
        self._close_parts()
        soundfont = self.synth.synth.soundfont if self.options.wav else None
        saved, problem, note = save_outputs(self.options, self.recorder, soundfont,
                                            self.save_take)
        return JamResult(self.stats(cpu), tuple(saved), self.session.error, problem, note)

    def save_take(self, path: str | Path) -> Path:
        """Write the recorded take to ``path`` and drop its journal. The owner's thread."""
        from coperformer.io.takefile import save_take

        if self.recorder is None:
            raise JamError("nothing was recorded")
        try:
            save_take(self.recorder, path)
        except OSError as exc:
            journal = self.recorder.journal_path
            kept = (f"; the take is kept in {journal} (coperformer recover {journal})"
                    if journal and journal.exists() else "")
            raise JamError(f"cannot save the take to {path}: {exc.strerror or exc}{kept}") from exc
        return Path(path)

    def stats(self, cpu_percent: float) -> dict:
        """Session figures plus pass-through latency, CPU use and audio (after finish)."""
        out = self.session.stats.as_dict()
        out["passthrough_ms"] = summary(self.passthrough.latency_ms)
        out["cpu_percent"] = round(cpu_percent, 1)
        out["audio_latency_ms"] = round(self.synth.latency_ms, 2)
        out["audio_driver"] = self.synth.driver or "none"
        transport = self.session.transport
        # when bar 0 began (the take's first bar), on the monotonic clock: a listener's
        # capture lines up with the take through it
        out["bar0_ns"] = transport.bar_start_ns(0) if transport.started else None
        return out

    def _close_parts(self) -> None:
        for part in reversed(self.parts):
            try:
                part.close()
            except Exception:  # noqa: BLE001 - closing must go on for the others
                pass
        self.parts.clear()


def start_hint(options: JamOptions, plan: InputPlan) -> str | None:
    """How the player starts the tune, in a line (None: it starts on its own)."""
    if not plan.waits_for_first_note(options.sync_start):
        return None
    if options.follow and options.count_in > 0:
        beats = plan.meter.count_in_beats(options.count_in)
        return (f"count yourself in: play {beats} beats on any key (a chord counts once); "
                "bar 1 starts on the next beat, at your tempo")
    if options.follow:
        return ("start the tune on its first downbeat: the band finds your tempo in bar 1 and "
                "comes in on bar 2")
    return "sync start: your first note is bar 1's downbeat"
