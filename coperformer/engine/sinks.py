"""What the session plays into: scheduled notes for a synth, a MIDI port, or a recorder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

METRONOME_CHANNEL = 9
CLICK_HIGH, CLICK_LOW = 76, 77  # GM hi / low wood block
PLAYER_CHANNEL = 0
CLOCKS_PER_QUARTER = 24  # MIDI clock resolution


@dataclass(frozen=True, order=True)
class ScheduledNote:
    """A note at absolute times (ns), on a channel."""

    on_ns: int
    off_ns: int
    channel: int
    pitch: int
    velocity: int
    voice: int = -1  # band voice index; -1 for clicks


class NoteSink(Protocol):
    """Anything that can play notes now or at absolute times."""

    def schedule(self, notes: list[ScheduledNote]) -> None:
        """Play these notes at their absolute times."""

    def play_now(self, channel: int, pitch: int, velocity: int) -> None:
        """Start (velocity > 0) or end (velocity 0) a note at once."""

    def control_now(self, channel: int, control: int, value: int) -> None:
        """Send a controller change at once."""

    def set_program(self, channel: int, program: int) -> None:
        """Choose a GM program for a channel."""

    def all_notes_off(self) -> None:
        """End every note now and forget anything scheduled."""


@dataclass
class MemorySink:
    """An in-memory sink for tests: remembers everything it was asked to do."""

    scheduled: list[ScheduledNote] = field(default_factory=list)
    immediate: list[tuple[int, int, int]] = field(default_factory=list)
    controls: list[tuple[int, int, int]] = field(default_factory=list)
    programs: dict[int, int] = field(default_factory=dict)
    panics: int = 0

    def schedule(self, notes: list[ScheduledNote]) -> None:
        """Remember scheduled notes."""
        self.scheduled.extend(notes)

    def play_now(self, channel: int, pitch: int, velocity: int) -> None:
        """Remember an immediate note."""
        self.immediate.append((channel, pitch, velocity))

    def control_now(self, channel: int, control: int, value: int) -> None:
        """Remember a controller change."""
        self.controls.append((channel, control, value))

    def set_program(self, channel: int, program: int) -> None:
        """Remember a program."""
        self.programs[channel] = program

    def all_notes_off(self) -> None:
        """Count the panic."""
        self.panics += 1
