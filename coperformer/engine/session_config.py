"""How a session runs: its configuration and the defaults the window and the command line
share (pure data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from coperformer.engine.clock import MS
from coperformer.engine.metronome import CLICK_VELOCITY
from coperformer.engine.transport import DEFAULT_BPM
from coperformer.music.chord_chart import Chart
from coperformer.music.harmony import Key
from coperformer.music.listening import CHANGE_EVERY
from coperformer.music.meter import COMMON_TIME, Meter

DEFAULT_MARGIN_MS = 40.0  # a bar's decision this long before its downbeat (see docs/performance.md)
MARGIN_RANGE_MS = (1.0, 500.0)  # the margins a session accepts


DRUMS_TRACK = "Drums"  # the groove's track in takes (written only when it played)


@dataclass
class SessionConfig:
    """How the session runs."""

    bpm: float = DEFAULT_BPM
    meter: Meter = field(default_factory=lambda: COMMON_TIME)
    count_in: int = 1
    metronome: bool = True
    sync_start: bool = False
    margin_ms: float = DEFAULT_MARGIN_MS
    seed: int = 0
    click_velocity: int = CLICK_VELOCITY
    midi_clock: bool = False  # send 24-ppqn clock and Start to sinks that can
    drums: str | None = None  # the drum groove's feel (None: no drums)
    drum_kit: int = 0  # GM kit program on the percussion channel
    phrase_bars: int = 4  # the groove plays a fill before each phrase end
    sync_stop: bool = False  # a bar of the player's silence: the band ends on the tonic
    intro: Key | None = None  # the band plays this key's tonic through the count-in and bar 0
    split: int | None = None  # keys below this MIDI note are a chord the band follows
    chart: Chart | None = None  # the song's chords: the band plays them, not its plan
    follow: bool = False  # the band follows the player's tempo (no click after the count-in)
    chords_every: str = CHANGE_EVERY[0]  # the listening band may change chord at each beat
    # ("beat"), at a bar's half ("half"), each decided from what was heard, or once a bar
    previews: bool = True  # plan the coming bar at each beat of its lead-in (shown ahead; off
    # where no one watches and the melody is known: the decision plans the same)

    @property
    def margin_ns(self) -> int:
        """How long before its downbeat a bar is decided, in ns (any thread)."""
        return round(self.margin_ms * MS)
