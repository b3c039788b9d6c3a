"""The mix half of a session: programs, volumes, mute and solo, the style and the groove,
applied to every sink and kept in the take as they change (a mixin of Session; worker thread)."""

from __future__ import annotations

from coperformer.engine.mixer import DEFAULT_VOLUME
from coperformer.engine.sinks import PLAYER_CHANNEL
from coperformer.music.gm import DRUM_CHANNEL, VOLUME_CC


class MixControls:
    """For a session with ``tracks``, ``sinks``, ``mixer``, ``recorder``, ``transport``,
    ``clock``, ``band``, ``stats``, ``groove`` and ``player_program``."""

    _recorded_levels: dict[int, int]

    def _set_style(self, generator, programs: tuple[int, ...]) -> None:
        self.band.generator = generator
        self.stats.style_changes += 1
        for track, program in zip(self.tracks, programs, strict=False):
            self._set_program(track.channel, program)
        self._dirty = True

    def _set_program(self, channel: int, program: int) -> None:
        for track in self.tracks:
            if track.channel == channel:
                track.program = program
        for sink in self.sinks:
            sink.set_program(channel, program)
        if channel == PLAYER_CHANNEL:
            self.player_program = program
        if self.recorder and self.transport.started:
            self.recorder.program(self.clock.now_ns(), channel, program)

    def _set_groove(self, feel: str | None) -> None:
        """Drums in or out; the percussion channel's level follows the drum strip only while
        the groove plays (the metronome's clicks share the channel)."""
        self.groove = feel
        if feel is None:
            for sink in self.sinks:
                sink.control_now(DRUM_CHANNEL, VOLUME_CC, DEFAULT_VOLUME)
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
