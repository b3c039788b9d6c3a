"""The mix half of a session: programs, volumes, mute and solo, the style and the groove (and
its hits, bar by bar), applied to every sink and kept in the take as they change (worker thread)."""

from __future__ import annotations

from coperformer.engine.bar_notes import drum_notes, not_late
from coperformer.engine.clock import MS
from coperformer.engine.intents import SetMute, SetSolo, SetVolume
from coperformer.engine.mixer import DEFAULT_VOLUME, Mixer
from coperformer.engine.sinks import PLAYER_CHANNEL, ScheduledNote
from coperformer.engine.stage import Stage
from coperformer.music.gm import DRUM_CHANNEL, VOLUME_CC

PROGRAM_LEAD_NS = 30 * MS  # a style's programs go out this long before its first bar line:
# the synth renders up to its audio buffer ahead (a few ms, 23 at FluidSynth's defaults), and
# no note of the old style starts that close to the line (a 16th is 62.5 ms at 240 BPM)


class SessionMix:
    """The mix of ``stage``'s tracks and the player's channel through ``mixer``; the groove
    (a drum feel, None: no drums) and the style's programs waiting for their bar line."""

    def __init__(self, stage: Stage, mixer: Mixer, groove: str | None) -> None:
        self.stage, self.mixer, self.groove = stage, mixer, groove
        self.player_program: int | None = None  # the player's, once chosen
        self._recorded_levels: dict[int, int] = {}  # channel volumes the take holds
        self._style_programs: dict[int, int] = {}  # a new style's, waiting for its bar line
        self._style_bar = 0  # that bar

    def set_style(self, generator, programs: tuple[int, ...], next_bar: int) -> None:
        """The next bar decided (``next_bar``) is the new style's: its generator plays it, and
        its voices' programs go out just before that bar's line, not mid-bar."""
        stage = self.stage
        stage.band.set_generator(generator)
        stage.stats.style_changes += 1
        self._style_bar = next_bar
        for track, program in zip(stage.tracks, programs, strict=False):
            self._style_programs[track.channel] = program
        if not stage.transport.started:
            self.switch_programs(stage.clock.now_ns())

    def set_program(self, channel: int, program: int) -> None:
        """A channel's program, once: a voice of a style still to come changes with it at its
        bar line; the program a channel already has is not sent again."""
        if channel in self._style_programs:
            self._style_programs[channel] = program
        elif program != self._program_of(channel):
            self._send_program(channel, program, self.stage.clock.now_ns())

    def _program_of(self, channel: int) -> int | None:
        if channel == PLAYER_CHANNEL:
            return self.player_program
        return next((t.program for t in self.stage.tracks if t.channel == channel), None)

    def style_switch_ns(self) -> int | None:
        """When the waiting style's programs go out (None: none waits)."""
        if not self._style_programs:
            return None
        return self.stage.transport.bar_start_ns(self._style_bar) - PROGRAM_LEAD_NS

    def switch_programs(self, now_ns: int) -> None:
        """The waiting style's programs, when its bar line is due (recorded on the line)."""
        due, transport = self.style_switch_ns(), self.stage.transport
        if due is None or (transport.started and now_ns < due):
            return
        waiting, self._style_programs = self._style_programs, {}
        at = transport.bar_start_ns(self._style_bar) if transport.started else now_ns
        for channel, program in waiting.items():
            if program != self._program_of(channel):
                self._send_program(channel, program, at)

    def _send_program(self, channel: int, program: int, at_ns: int) -> None:
        stage = self.stage
        for track in stage.tracks:
            if track.channel == channel:
                track.program = program
        for sink in stage.sinks:
            sink.set_program(channel, program)
        if channel == PLAYER_CHANNEL:
            self.player_program = program
        if stage.recorder and stage.transport.started:
            stage.recorder.program(at_ns, channel, program)

    def set_groove(self, feel: str | None) -> None:
        """Drums in or out; the percussion channel's level follows the drum strip only while
        the groove plays (the metronome's clicks share the channel)."""
        self.groove = feel
        if feel is None:
            for sink in self.stage.sinks:
                sink.control_now(DRUM_CHANNEL, VOLUME_CC, DEFAULT_VOLUME)
        self.send()

    def change(self, intent: SetVolume | SetMute | SetSolo) -> None:
        """A channel's volume, mute or solo changed: the mix goes to every sink."""
        match intent:
            case SetVolume(channel, volume):
                self.mixer.set_volume(channel, volume)
            case SetMute(channel, muted):
                self.mixer.set_mute(channel, muted)
            case SetSolo(channel, solo):
                self.mixer.set_solo(channel, solo)
        self.send()

    def send(self) -> None:
        """The mix's levels to every sink (the drums' only while the groove plays)."""
        channels = [PLAYER_CHANNEL] + [track.channel for track in self.stage.tracks
                                       if track.channel != DRUM_CHANNEL or self.groove]
        for channel, level in self.mixer.levels(channels).items():
            for sink in self.stage.sinks:
                sink.control_now(channel, VOLUME_CC, level)
            self.record_level(channel, level)

    def record_levels(self, at_ns: int) -> None:
        """The take begins at ``at_ns``: every channel's level into it."""
        for channel, level in self.mixer.levels(
                [PLAYER_CHANNEL] + self.stage.channels).items():
            self.record_level(channel, level, at_ns)

    def record_level(self, channel: int, level: int, at_ns: int | None = None) -> None:
        """A channel's volume into the take when it changes (mute and solo are levels too)."""
        stage = self.stage
        if not (stage.recorder and stage.transport.started):
            return
        if self._recorded_levels.get(channel, DEFAULT_VOLUME) != level:
            self._recorded_levels[channel] = level
            stage.recorder.level(stage.clock.now_ns() if at_ns is None else at_ns, channel,
                                 level)

    def drum_bar(self, bar: int, now_ns: int) -> list[ScheduledNote]:
        """The groove's hits for ``bar``, not yet late (the drum track is the last track)."""
        config = self.stage.config
        return not_late(drum_notes(self.stage.transport, bar, self.groove, config.phrase_bars,
                                   config.seed, len(self.stage.tracks) - 1), now_ns)
