"""The mix: volume, mute and solo per channel, turned into one CC7 level per channel."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_VOLUME = 100  # what FluidSynth and most GM synths start with


@dataclass
class Mixer:
    """Volumes, mutes and solos; owned by the session's worker thread once the session runs."""

    volumes: dict[int, int] = field(default_factory=dict)
    muted: set[int] = field(default_factory=set)
    soloed: set[int] = field(default_factory=set)

    def audible(self, channel: int) -> bool:
        """Whether a channel sounds under the mutes and solos (the owner's thread)."""
        if channel in self.muted:
            return False
        return not self.soloed or channel in self.soloed

    def level(self, channel: int) -> int:
        """The CC7 value for a channel: its volume, or 0 when it is not audible (owner's thread)."""
        return self.volumes.get(channel, DEFAULT_VOLUME) if self.audible(channel) else 0

    def levels(self, channels: list[int]) -> dict[int, int]:
        """CC7 values for the given channels (the owner's thread)."""
        return {channel: self.level(channel) for channel in channels}

    def is_default(self) -> bool:
        """True when nothing differs from a synth's own start (the owner's thread)."""
        volumes = all(v == DEFAULT_VOLUME for v in self.volumes.values())
        return volumes and not self.muted and not self.soloed

    def set_volume(self, channel: int, volume: int) -> None:
        """Set a channel's volume, clamped to 0-127 (the owner's thread)."""
        self.volumes[channel] = max(0, min(127, int(volume)))

    def set_mute(self, channel: int, muted: bool) -> None:
        """Mute or unmute a channel (the owner's thread)."""
        (self.muted.add if muted else self.muted.discard)(channel)

    def set_solo(self, channel: int, solo: bool) -> None:
        """Solo a channel or take the solo back (the owner's thread)."""
        (self.soloed.add if solo else self.soloed.discard)(channel)
