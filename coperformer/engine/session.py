"""The session, the conductor: input in, a band bar planned before every downbeat, out.

One worker thread drives it with poll(). Other threads only feed() input events, request()
intents and read the snapshot(); the worker tells them what happened through its listener.
"""

from __future__ import annotations

import logging
import queue

from coperformer.common.errors import describe
from coperformer.engine import intents as I
from coperformer.engine.bar_buffer import BarBuffer
from coperformer.engine.bar_notes import band_notes, not_late
from coperformer.engine.bar_request import FORGET_WINDOWS, WINDOW
from coperformer.engine.clock import MS, Clock
from coperformer.engine.events import (
    END,
    NOTE_OFF,
    NOTE_ON,
    PEDAL,
    PORT_BACK,
    PORT_LOST,
    InputEvent,
)
from coperformer.engine.follow_mode import FollowMe
from coperformer.engine.listener import QuietListener, SessionListener
from coperformer.engine.live_band import LiveBand
from coperformer.engine.metronome import click_notes, send_clock
from coperformer.engine.mix_controls import SessionMix
from coperformer.engine.mixer import Mixer
from coperformer.engine.next_chord import ChordBoard
from coperformer.engine.plan_ahead import ProvisionalPlans
from coperformer.engine.recorder import Recorder
from coperformer.engine.session_config import DRUMS_TRACK, SessionConfig
from coperformer.engine.sinks import (
    BAND_CHANNELS,
    PLAYER_CHANNEL,
    NoteSink,
    ScheduledNote,
)
from coperformer.engine.snapshot import SessionSnapshot
from coperformer.engine.stage import Stage
from coperformer.engine.stats import SessionStats
from coperformer.engine.steering import Steering
from coperformer.engine.take import BandTrackInfo
from coperformer.engine.transport import Transport
from coperformer.engine.tune_end import TuneEnding
from coperformer.music.gm import CONTROL_CHANGE, DRUM_CHANNEL, SUSTAIN_CC

log = logging.getLogger(__name__)


class Session:
    """The conductor: owns the transport, the bar buffer and the band, and the parts that
    steer them (the mix, the left hand and the charts, Follow mode, the tune's ending, the
    provisional plans), all sharing one ``stage``; driven by poll() from one worker thread.
    Methods say which thread may call them."""

    def __init__(self, config: SessionConfig, band: LiveBand, sinks: list[NoteSink],
                 clock: Clock, track_names: list[str], programs: list[int],
                 recorder: Recorder | None = None, listener: SessionListener | None = None,
                 mixer: Mixer | None = None):
        self.config, self.band, self.sinks, self.clock = config, band, sinks, clock
        self.recorder = recorder
        self.listener: SessionListener = listener or QuietListener()
        self.stats = SessionStats()
        self.inbox: queue.SimpleQueue[InputEvent | I.Intent] = queue.SimpleQueue()
        self.buffer = BarBuffer()
        count_in = 0 if config.sync_start else config.count_in
        self.transport = Transport(config.bpm, config.meter, count_in)
        self.tracks = [BandTrackInfo(name, ch, prog) for name, ch, prog
                       in zip(track_names, BAND_CHANNELS, programs, strict=True)]
        self.tracks.append(BandTrackInfo(DRUMS_TRACK, DRUM_CHANNEL, config.drum_kit))
        self.stage = Stage(config, clock, self.transport, band, sinks, recorder, self.listener,
                           self.stats, self.tracks, self.buffer, ChordBoard(self.listener))
        self.mix = SessionMix(self.stage, mixer or Mixer(), config.drums)
        self.steering = Steering(self.stage, -count_in)
        self.follow = FollowMe(self.stage, self.steering) if config.follow else None
        self.ending = TuneEnding(self.stage)
        self.ahead = ProvisionalPlans(self.stage, self.steering)
        self.next_bar = -count_in  # the next bar to plan
        self.next_line = -count_in  # the next bar line to announce
        # the band listens to bar 0 first; with a chart it knows bar 0 already: it plays it when
        # a count-in leaves time to decide it
        self.first_band_bar = 0 if config.chart and count_in else 1
        self.finished = False
        self.error: str | None = None
        self._snapshot = SessionSnapshot()
        self._dirty = False

    # --- any thread ---------------------------------------------------------------------
    def feed(self, event: InputEvent) -> None:
        """Queue an input event and wake the worker (any thread: MIDI callback, GUI, file)."""
        self.inbox.put(event)
        self.clock.wake()

    def request(self, intent: I.Intent) -> None:
        """Queue a user intent and wake the worker (any thread); the worker applies it."""
        self.inbox.put(intent)
        self.clock.wake()

    def snapshot(self) -> SessionSnapshot:
        """What the worker last published: position, stats, planned bar (any thread)."""
        return self._snapshot

    # --- before the worker starts ---------------------------------------------------------
    def start(self, lead_ns: int = 0) -> int | None:
        """Set programs and mix, start the transport ``lead_ns`` from now (unless sync start
        waits for the first note); returns when bar 0 begins, or None. The caller's thread,
        before the worker."""
        for track in self.tracks:
            for sink in self.sinks:
                sink.set_program(track.channel, track.program)
        if not self.mix.mixer.is_default():
            self.mix.send()
        if not self.config.sync_start:
            self._start_transport(self.clock.now_ns() + lead_ns)
        self._publish()
        return self.transport.bar_start_ns(0) if self.transport.started else None

    # --- worker thread ----------------------------------------------------------------------
    def poll(self, now_ns: int) -> None:
        """Do everything due at ``now_ns``: inbox, bar lines, decision points (worker thread)."""
        self._drain()
        if self.transport.started and not self.finished:
            self.mix.switch_programs(now_ns)
            while self.transport.bar_start_ns(self.next_line) <= now_ns:
                self._bar_line(self.next_line)
                self.next_line += 1
            if not self.finished:
                if self.follow:
                    self.follow.steer_beats(now_ns)
                self.steering.follow(now_ns)
                self.ahead.plan(self.next_bar, self.decision_ns(self.next_bar),
                                self.ending.bar, now_ns)
            self._steer_bars(now_ns)
            while self.decision_ns(self.next_bar) <= now_ns and not self.finished:
                self._plan(self.next_bar)
                self.next_bar += 1
            self.stage.board.tell(self.transport, now_ns, self.steering.next_chord(now_ns))
        if self._dirty:
            self._publish()

    def next_deadline(self) -> int:
        """When poll() must run next: the next bar line or decision point (worker thread)."""
        if not self.transport.started:
            return self.clock.now_ns() + 50 * MS
        due = min(self.decision_ns(self.next_bar), self.transport.bar_start_ns(self.next_line))
        handover = self.steering.handover
        ahead = [self.ahead.due_ns(self.next_bar, self.decision_ns(self.next_bar)),
                 handover and handover.next_ns(), self.mix.style_switch_ns(),
                 self.follow and self.follow.hold_ns(self.next_bar, self.finished),
                 self.follow and self.follow.first_bar_ns(
                     self.next_bar, self.next_bar == self.first_band_bar, self.clock.now_ns())]
        return min([due, *(t for t in ahead if t is not None)])

    def decision_ns(self, bar: int) -> int:
        """The decision point of a bar: its downbeat minus the margin (worker thread)."""
        return self.transport.bar_start_ns(bar) - self.config.margin_ns

    def set_tempo(self, bpm: float) -> int:
        """Change the tempo at the first bar not planned yet; returns that bar (worker thread)."""
        return self._changed(self.transport.set_tempo(bpm, self.clock.now_ns(), self.next_bar))

    def _changed(self, bar: int) -> int:
        """The tempo map changed from ``bar``: record it and publish it."""
        if self.recorder and self.transport.started:
            self.recorder.tempo_map(self.transport)
        self._dirty = True
        return bar

    def fail(self, exc: BaseException) -> None:
        """Report why the worker failed; stop() follows (worker thread)."""
        self.error = describe(exc)
        self.listener.on_failed(self.error)

    def stop(self) -> None:
        """Stop planning, end every sounding note on every sink, close the take; the last
        event (worker thread, or the caller's when the worker never ran)."""
        self.finished = True
        for sink in self.sinks:
            try:
                sink.all_notes_off()
            except Exception:  # noqa: BLE001 - the other sinks must still fall silent
                log.exception("a sink failed to fall silent")
        self.steering.finish()
        if self.follow:
            self.follow.let_go(self.clock.now_ns())
        if self.recorder:
            self.recorder.close()
        self._publish()
        self.listener.on_stopped()

    # --- inbox ------------------------------------------------------------------------------
    def _drain(self) -> None:
        while True:
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, InputEvent):
                self._handle(item)
            else:
                self._apply(item)

    def _apply(self, intent: I.Intent) -> None:
        match intent:
            case I.SetTempo(bpm):
                self.set_tempo(bpm)
            case I.SetMeter(meter):
                self._changed(self.transport.set_meter(meter, self.clock.now_ns(),
                                                       self.next_bar))
            case I.SetProgram(channel, program):
                self.mix.set_program(channel, program)
            case I.SetVolume() | I.SetMute() | I.SetSolo():
                self.mix.change(intent)
            case I.SetAdventure(value):
                self.band.set_adventure(value)
            case I.SetChordRhythm(every):
                self.steering.set_every(every)
            case I.SetChart(chart):
                self.steering.set_chart(chart, self.next_bar)
            case I.SetFloating(voice, floating):
                self.band.set_floating(voice, floating)
            case I.SetStyle(generator, programs):
                self.mix.set_style(generator, programs, self.next_bar)
                self._dirty = True
            case I.SetGroove(feel):
                self.mix.set_groove(feel)
            case I.End():
                self.ending.bar = self.ending.bar or max(1, self.next_bar)
            case I.Panic():
                self.steering.panic(self.next_bar)
            case I.Stop():
                self.finished = True

    def _handle(self, event: InputEvent) -> None:
        self.stats.input_events += 1
        if event.kind in (PORT_LOST, PORT_BACK):
            self._port(event.kind == PORT_BACK, event.time_ns)
            return
        if event.kind == END:
            self.ending.ended_input = True
            return
        if not self.transport.started and event.kind == NOTE_ON:  # sync start: it starts bar
            # 0, or in Follow mode it may end the count-in the player plays
            start = self.follow.count_in(event.time_ns) if self.follow and \
                self.follow.counts_in else event.time_ns
            if start is not None:
                self._start_transport(start)
            self._dirty = True  # (a beat of the count-in: shown)
        self.buffer.add(event)
        if self.follow and self.follow.heard(event):
            self._dirty = True  # the tracker's state or confidence changed: shown
        if self.recorder and event.raw and self.transport.started:
            self.recorder.player(event.time_ns, event.raw)
        if event.kind in (NOTE_ON, NOTE_OFF, PEDAL):
            self.listener.on_input(event)
        self.steering.heard(event, self.next_bar)

    def _port(self, back: bool, time_ns: int) -> None:
        if back:
            self.stats.port_returns += 1
            self.listener.on_port_back()
        else:  # what the player held ends now, heard and recorded
            for release in self.buffer.releases(time_ns):
                self._handle(release)
                for sink in self.sinks:
                    if release.kind == NOTE_OFF:
                        sink.play_now(PLAYER_CHANNEL, release.pitch, 0)
                    else:
                        sink.control_now(PLAYER_CHANNEL, SUSTAIN_CC, 0)
            self.stats.port_losses += 1
            self.listener.on_port_lost()
        self._dirty = True

    # --- time ---------------------------------------------------------------------------------
    def _start_transport(self, at_ns: int) -> None:
        if self.config.sync_start:
            self.transport.start_at_bar_zero(at_ns)
        else:
            self.transport.start(at_ns)
        if self.recorder:
            self.recorder.begin(self.tracks, self.transport)
            if self.mix.player_program is not None:
                self.recorder.program(at_ns, PLAYER_CHANNEL, self.mix.player_program)
            if self.buffer.pedal_down:  # pressed before the first note (sync start): kept
                self.recorder.player(at_ns, (CONTROL_CHANGE | self.buffer.pedal_channel,
                                             SUSTAIN_CC, 127))
            self.mix.record_levels(at_ns)
        if self.follow:
            self.follow.start()
        self._dirty = True
        self.listener.on_started(self.transport.bar_start_ns(0))

    def _bar_line(self, bar: int) -> None:
        if self.recorder and (problem := self.recorder.bar_line()):
            self.listener.on_warning(problem)
        self._dirty = True
        self.listener.on_bar(bar, self.transport.bar_start_ns(bar))
        ended = self.ending.bar is not None and bar > self.ending.bar
        if ended or (self.ending.ended_input and bar >= 1 and not self.buffer.notes):
            self.finished = True  # (an input that ended without a note: nothing to end)
            self.listener.on_finished()

    # --- planning a bar ---------------------------------------------------------------------
    def _plan(self, bar: int) -> None:
        now = self.clock.now_ns()
        self.buffer.forget_before(self.transport.bar_start_ns(max(0, bar - FORGET_WINDOWS
                                                                   * WINDOW)))
        if self.config.midi_clock and bar >= 0:
            send_clock(self.sinks, self.transport, bar, now)
        notes = []
        if bar < 0 or (self.config.metronome and not self.config.follow):
            notes = not_late(click_notes(self.transport, bar, self.config.click_velocity), now)
        self.ending.due(bar, now)
        if self.ending.bar is not None and bar >= self.ending.bar:
            notes += self.ending.final_chord(bar, now) if bar == self.ending.bar else []
        elif bar >= self.first_band_bar and self.follow and self.follow.lost(now) \
                and self.steering.handover is not None:  # lost the beat: no drums either
            notes += self.steering.hand_over(bar, self.follow.held_bar(bar, now), False)
        elif bar >= self.first_band_bar:
            notes += self._band_bar(bar)
            if self.mix.groove and not self.band.resting:  # the drums rest with the band
                notes += self._drum_bar(bar, now)
        elif self.config.intro is not None:
            notes += self.ending.tonic_bar(bar, self.config.intro, now)
        self.stage.schedule(notes)
        self._dirty = True

    def _band_bar(self, bar: int) -> list[ScheduledNote]:
        started = self.clock.now_ns()
        late = started - self.decision_ns(bar) > self.config.margin_ns // 2
        reused = self.band.reused
        plan = self.band.next_bar(self.steering.request(bar, started), late)
        done = self.clock.now_ns()
        if self.band.reused > reused:
            self.stats.reused_plans += 1
            self.stats.late_provisional += late
        self.steering.chord_decided(bar, self.transport.bar_start_ns(bar), plan.chord)
        notes = band_notes(self.transport, bar, plan.voices, self.stage.channels)
        kept = not_late(notes, done)
        downbeat = self.transport.bar_start_ns(bar)
        if len(kept) < len(notes) or done > downbeat:
            self.stats.misses += 1
            self.stats.dropped_notes += len(notes) - len(kept)
        self.stats.inference_ms.append((done - started) / MS)
        self.stats.margin_ms.append((downbeat - done) / MS)
        self.stats.notes_per_bar.append(len(kept))
        self.stats.bars_planned += 1
        self.listener.on_planned(bar, tuple(kept))
        return self.steering.hand_over(bar, kept)

    def _drum_bar(self, bar: int, now_ns: int) -> list[ScheduledNote]:
        """The groove's hits for ``bar``, recorded as the drum track; in Follow mode handed
        over with the band's, on the player's beats."""
        kept = self.mix.drum_bar(bar, now_ns)
        handover = self.steering.handover
        if self.follow and handover and handover.bar == bar:
            handover.add(kept)  # (recorded with the band's)
            return handover.due(now_ns)
        self.stage.record_band(kept)
        return kept

    def _steer_bars(self, now_ns: int) -> None:
        """Follow mode: the coming bar re-timed to the player's predicted downbeat; a
        fermata's chord held or let go (with sync stop, the tune may end there)."""
        if self.follow is None:
            return
        if self.follow.retime(self.next_bar, self.next_bar == self.first_band_bar, now_ns):
            self._changed(self.next_bar)
        if self.follow.hold_fermata(self.next_bar, now_ns, self.finished):
            self.finished = True
            self.listener.on_finished()

    def _publish(self) -> None:
        started = self.transport.started
        self._snapshot = SessionSnapshot(
            started=started, finished=self.finished, segments=tuple(self.transport.changes()),
            count_in=self.transport.count_in,
            last_bar=self.next_line - 1 if started else None,
            planned_bar=self.next_bar - 1 if started else None,
            next_deadline_ns=self.next_deadline() if started and not self.finished else None,
            figures=self.stats.view(), error=self.error,
            follow=self.follow.tempo.status(self.clock.now_ns()) if self.follow and started
            else None, counting_in=self.follow.counted() if self.follow and not started else None)
        self._dirty = False
