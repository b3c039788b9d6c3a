"""User intents: what the window or the command line asks of a running session.

Intents enter the session's inbox like MIDI events; only the worker thread applies them, so
only the worker ever changes session state. They are immutable: any thread may build one.
"""

from __future__ import annotations

from dataclasses import dataclass

from coperformer.music.chord_chart import ChordChart
from coperformer.music.features import BarGenerator
from coperformer.music.meter import Meter


@dataclass(frozen=True)
class SetTempo:
    """Change the tempo from the first bar not planned yet."""

    bpm: float


@dataclass(frozen=True)
class SetMeter:
    """Change the meter from the first bar not planned yet (a bar line)."""

    meter: Meter


@dataclass(frozen=True)
class SetFloating:
    """An upper band voice (0 = the top one) keeps above the player, or under (the default)."""

    voice: int
    floating: bool


@dataclass(frozen=True)
class SetProgram:
    """Choose a GM program for a channel (the player's or a band voice's)."""

    channel: int
    program: int


@dataclass(frozen=True)
class SetVolume:
    """Set a channel's volume (0-127)."""

    channel: int
    volume: int


@dataclass(frozen=True)
class SetMute:
    """Mute or unmute a channel."""

    channel: int
    muted: bool


@dataclass(frozen=True)
class SetSolo:
    """Solo a channel (the others fall silent) or take the solo back."""

    channel: int
    solo: bool


@dataclass(frozen=True)
class SetAdventure:
    """Trade the listening band's harmonic safety (0) for variety (1), from the next bar."""

    value: float


@dataclass(frozen=True)
class SetChordRhythm:
    """How often the listening band may change chord: at every beat, at a bar's half, or once
    a bar (listening.CHANGE_EVERY; more changes from the next bar, fewer at once: a part not
    decided yet keeps the chord sounding)."""

    every: str


@dataclass(frozen=True)
class SetChart:
    """Play this chord chart from the next bar decided (None: the band plans its own chords
    again); ignored while a split point declares the chord."""

    chart: ChordChart | None


@dataclass(frozen=True)
class SetStyle:
    """Play another style (a loaded, warmed-up model) from the next bar decided; the band's
    voices take the style's programs at once (sounding notes keep theirs)."""

    generator: BarGenerator
    programs: tuple[int, ...]


@dataclass(frozen=True)
class SetGroove:
    """Play the drum groove in this feel from the next bar planned (None: drums out)."""

    feel: str | None


@dataclass(frozen=True)
class End:
    """End the tune: the next bar planned is the band's final chord, then the session ends."""


@dataclass(frozen=True)
class Panic:
    """Silence every sink now; the band comes back at the next bar it plans."""


@dataclass(frozen=True)
class Stop:
    """End the session: stop planning, silence everything, close the recording."""


Intent = (SetTempo | SetProgram | SetVolume | SetMute | SetSolo | SetAdventure | SetChordRhythm
          | SetStyle | SetGroove | SetChart | End | Panic | Stop)
