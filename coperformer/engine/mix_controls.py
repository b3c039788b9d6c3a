"""The mix half of a session: programs, volumes, mute and solo, the style and the groove (and
its hits, bar by bar), applied to every sink and kept in the take as they change (a mixin of
Session; worker thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import drum_notes, not_late
from coperformer.engine.clock import MS
from coperformer.engine.intents import SetMute, SetSolo, SetVolume
from coperformer.engine.mixer import DEFAULT_VOLUME
from coperformer.engine.sinks import PLAYER_CHANNEL, ScheduledNote
from coperformer.music.gm import DRUM_CHANNEL, VOLUME_CC

PROGRAM_LEAD_NS = 30 * MS  # a style's programs go out this long before its first bar line:
# the synth renders up to its audio buffer ahead (a few ms, 23 at FluidSynth's defaults), and
# no note of the old style starts that close to the line (a 16th is 62.5 ms at 240 BPM)


class MixControls:
    """For a session with ``tracks``, ``sinks``, ``mixer``, ``recorder``, ``transport``,
    ``clock``, ``band``, ``stats``, ``groove``, ``player_program``, ``config``, ``tempo``
    and ``handover``."""

    _recorded_levels: dict[int, int]
    _style_programs: dict[int, int]  # a new style's programs, waiting for its first bar line
    _style_bar: int  # that bar

    def _set_style(self, generator, programs: tuple[int, ...]) -> None:
        """The next bar decided is the new style's: its generator plays it, and its voices'
        programs go out just before that bar's line, not mid-bar."""
        self.band.set_generator(generator)
        self.stats.style_changes += 1
        self._style_bar = self.next_bar
        for track, program in zip(self.tracks, programs, strict=False):
            self._style_programs[track.channel] = program
        if not self.transport.started:
            self._switch_programs(self.clock.now_ns())
        self._dirty = True

    def _set_program(self, channel: int, program: int) -> None:
        """A channel's program, once: a voice of a style still to come changes with it at its
        bar line; the program a channel already has is not sent again."""
        if channel in self._style_programs:
            self._style_programs[channel] = program
        elif program != self._program_of(channel):
            self._send_program(channel, program, self.clock.now_ns())

    def _program_of(self, channel: int) -> int | None:
        if channel == PLAYER_CHANNEL:
            return self.player_program
        return next((t.program for t in self.tracks if t.channel == channel), None)

    def _style_switch_ns(self) -> int | None:
        """When the waiting style's programs go out (None: none waits)."""
        if not self._style_programs:
            return None
        return self.transport.bar_start_ns(self._style_bar) - PROGRAM_LEAD_NS

    def _switch_programs(self, now_ns: int) -> None:
        """The waiting style's programs, when its bar line is due (recorded on the line)."""
        due = self._style_switch_ns()
        if due is None or (self.transport.started and now_ns < due):
            return
        waiting, self._style_programs = self._style_programs, {}
        at = self.transport.bar_start_ns(self._style_bar) if self.transport.started else now_ns
        for channel, program in waiting.items():
            if program != self._program_of(channel):
                self._send_program(channel, program, at)

    def _send_program(self, channel: int, program: int, at_ns: int) -> None:
        for track in self.tracks:
            if track.channel == channel:
                track.program = program
        for sink in self.sinks:
            sink.set_program(channel, program)
        if channel == PLAYER_CHANNEL:
            self.player_program = program
        if self.recorder and self.transport.started:
            self.recorder.program(at_ns, channel, program)

    def _set_groove(self, feel: str | None) -> None:
        """Drums in or out; the percussion channel's level follows the drum strip only while
        the groove plays (the metronome's clicks share the channel)."""
        self.groove = feel
        if feel is None:
            for sink in self.sinks:
                sink.control_now(DRUM_CHANNEL, VOLUME_CC, DEFAULT_VOLUME)
        self._send_mix()

    def _mix(self, intent: SetVolume | SetMute | SetSolo) -> None:
        """A channel's volume, mute or solo changed: the mix goes to every sink."""
        match intent:
            case SetVolume(channel, volume):
                self.mixer.set_volume(channel, volume)
            case SetMute(channel, muted):
                self.mixer.set_mute(channel, muted)
            case SetSolo(channel, solo):
                self.mixer.set_solo(channel, solo)
        self._send_mix()

    def _send_mix(self) -> None:
        channels = [PLAYER_CHANNEL] + [track.channel for track in self.tracks
                                       if track.channel != DRUM_CHANNEL or self.groove]
        for channel, level in self.mixer.levels(channels).items():
            for sink in self.sinks:
                sink.control_now(channel, VOLUME_CC, level)
            self._record_level(channel, level)

    def _record_level(self, channel: int, level: int, at_ns: int | None = None) -> None:
        """A channel's volume into the take when it changes (mute and solo are levels too)."""
        if not (self.recorder and self.transport.started):
            return
        if self._recorded_levels.get(channel, DEFAULT_VOLUME) != level:
            self._recorded_levels[channel] = level
            self.recorder.level(self.clock.now_ns() if at_ns is None else at_ns, channel,
                                level)

    def _drum_bar(self, bar: int, now_ns: int) -> list[ScheduledNote]:
        """The groove's hits for ``bar``, recorded as the drum track (the last track)."""
        kept = not_late(drum_notes(self.transport, bar, self.groove, self.config.phrase_bars,
                                   self.config.seed, len(self.tracks) - 1), now_ns)
        if self.tempo and self.handover and self.handover.bar == bar:
            self.handover.add(kept)  # on the player's beats with the band (recorded with it)
            return self.handover.due(now_ns)
        if self.recorder:
            self.recorder.band(kept)
        return kept
