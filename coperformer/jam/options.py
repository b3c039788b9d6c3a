"""What a jam is made of, as typed options: the window and `coperformer play` fill the same
dataclass (the benchmark too), and the jam facade builds a session from it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from coperformer.engine.session_config import DEFAULT_MARGIN_MS
from coperformer.music.chord_chart import ChartError, ChordChart, parse_chart
from coperformer.music.listening import CHANGE_EVERY, DEFAULT_ADVENTURE
from coperformer.synth.fluid import LIVE_PERIOD_SIZE, LIVE_SAMPLE_RATE

QWERTY = "qwerty"  # the computer keyboard as the input
NO_DRIVER = "none"
MIDI_FILE_SUFFIXES = (".mid", ".midi")


@dataclass
class JamOptions:
    """Everything a live session needs to know before it starts (immutable by convention)."""

    input: str = QWERTY  # a MIDI port (name or unique part), a .mid file, or "qwerty"
    model: str | None = None  # a model name or path (None: the default model)
    trust_model: bool = False  # trust the model file first (neither shipped nor trained)
    soundfont: str | None = None  # None: found (see synth/soundfont.py)
    audio_driver: str = NO_DRIVER  # jack, alsa, pulseaudio, ... or "none" (render, no device)
    driver_fallback: bool = False  # a driver that cannot open: play silently, with a warning
    period_size: int = LIVE_PERIOD_SIZE  # audio frames per period
    periods: int = 2
    sample_rate: int = LIVE_SAMPLE_RATE
    midi_api: str | None = None  # rtmidi API name (None: rtmidi's default)
    wait_for_input: bool = False  # a keyboard not plugged in: play, connect it when it comes
    midi_out: str | None = None  # also send the band to this MIDI port
    midi_clock: bool = False  # send MIDI clock, Start and Stop to midi_out
    jack_autoconnect: bool = True  # JACK audio: connect FluidSynth to the system playback ports
    tempo: float | None = None  # BPM (None: a MIDI file's own, else the default)
    meter: str | None = None  # "3/4", "4/4" or "6/8" (None: a MIDI file's own, else 4/4)
    count_in: int = 1
    metronome: bool = True  # False: click in the count-in only
    follow: bool = False  # the band follows the player's tempo (no click after the count-in)
    sync_start: bool = False  # the first note starts bar 1
    sync_stop: bool = False  # a bar of silence from the player: the band ends on the tonic
    intro: str | None = None  # a key ('G', 'Am'): the band plays its tonic before you come in
    split: str | None = None  # a note ('F#3', 'C4', 54): a chord held below it steers the band
    chords: str | None = None  # a chord chart ('C | Am | F G7 | C'): the band plays it
    floating: frozenset[int] = frozenset()  # upper voices (0 = top) kept above the player
    margin_ms: float = DEFAULT_MARGIN_MS  # decide each band bar this long before its downbeat
    seed: int = 0
    adventure: float = DEFAULT_ADVENTURE  # the listening band: safe (0) .. adventurous (1)
    chords_every: str = CHANGE_EVERY[0]  # the listening band may change chord at each beat,
    # a bar's half, or once a bar (listening.CHANGE_EVERY)
    drums: str | None = None  # the drum groove's feel (patterns, not AI); None: no drums
    phrase_bars: int = 4  # the groove's fill ends each phrase of 4 or 8 bars
    record: Path | None = None  # journal the take beside this .mid file
    save_take: bool = True  # write the take to `record` when the jam ends (else save_take())
    wav: Path | None = None  # write the jam's audio here (rendered from the take at the end)
    wav_click: bool = False  # with the metronome in that audio
    programs: dict[int, int] = field(default_factory=dict)  # channel -> GM program override
    volumes: dict[int, int] = field(default_factory=dict)  # channel -> CC7 volume
    muted: frozenset[int] = frozenset()
    soloed: frozenset[int] = frozenset()

    @property
    def driver(self) -> str | None:
        """The audio driver to open, or None for no audio device."""
        return None if self.audio_driver in ("", NO_DRIVER) else self.audio_driver

    def chart(self) -> ChordChart | None:
        """The chord chart the band plays (None without one); a chart and a split point
        exclude each other: both would declare the band's chord."""
        if not self.chords:
            return None
        chart = parse_chart(self.chords)
        if self.split:
            raise ChartError("a chord chart and a split point cannot both steer the band: "
                             "choose one")
        return chart

    @property
    def input_is_file(self) -> bool:
        """True when the input names a MIDI file rather than a port or the computer keyboard."""
        return self.input.lower().endswith(MIDI_FILE_SUFFIXES) or os.path.isfile(self.input)
