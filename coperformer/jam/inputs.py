"""Where the player's notes come from: a MIDI file played in real time, a MIDI port, or the
computer keyboard (which the window feeds through Jam.key)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coperformer.engine.clock import Clock
from coperformer.engine.events import InputEvent
from coperformer.engine.snapshot import SessionSnapshot
from coperformer.engine.transport import DEFAULT_BPM, check_tempo
from coperformer.jam.options import QWERTY, JamOptions
from coperformer.music.meter import COMMON_TIME, SUPPORTED_METERS, Meter

if TYPE_CHECKING:
    from coperformer.midi.fileplayer import FilePlayer
    from coperformer.midi.ports import KeyboardInput

QUIET_MS = 80.0  # reconnecting a port stalls Python ~15-30 ms: only when no deadline is near


@dataclass
class InputPlan:
    """The input's timing: a file's messages (None for a port) and the transport's start."""

    messages: list[tuple[float, list[int]]] | None
    bpm: float
    meter: Meter

    def waits_for_first_note(self, sync_start: bool) -> bool:
        """Sync start waits for a player's first note; a file's is known, so a file starts at
        the bar of its first note instead, after the count-in, keeping its bar lines."""
        return sync_start and self.messages is None


def plan_input(options: JamOptions) -> InputPlan:
    """Tempo and meter from the options, else from the MIDI file, else the defaults."""
    bpm = DEFAULT_BPM if options.tempo is None else check_tempo(options.tempo)  # 0 is an error
    meter = Meter.parse(options.meter) if options.meter else COMMON_TIME
    if not options.input or not options.input_is_file:
        return InputPlan(None, bpm, meter)
    from coperformer.io.midifile import read_song
    from coperformer.midi.fileplayer import first_bar_seconds, melody_messages

    song = read_song(options.input)
    file_bpm, file_meter = song_timing(song)
    messages = melody_messages(song)
    if options.sync_start:  # leading empty bars are skipped, the bar lines kept
        skip = first_bar_seconds(song)
        messages = [(max(0.0, seconds - skip), raw) for seconds, raw in messages]
    return InputPlan(messages, options.tempo or file_bpm or DEFAULT_BPM,
                     meter if options.meter else (file_meter or meter))


def song_timing(song) -> tuple[float | None, Meter | None]:
    """A read MIDI file's first tempo (BPM) and its first meter when the band supports it."""
    bpm = round(60e6 / song.tempos[0][1], 3) if song.tempos else None
    meter = song.meters[0][1] if song.meters and str(song.meters[0][1]) in SUPPORTED_METERS \
        else None
    return bpm, meter


def file_timing(path: str) -> tuple[float | None, Meter | None]:
    """The tempo and meter a MIDI file brings (None where it says nothing usable)."""
    from coperformer.io.midifile import read_song

    return song_timing(read_song(path))


def open_input(options: JamOptions, plan: InputPlan, clock: Clock,
               feed: Callable[[InputEvent], None], passthrough: Callable[[InputEvent], None],
               snapshot: Callable[[], SessionSnapshot]) -> FilePlayer | KeyboardInput | None:
    """The file player or the opened keyboard port (None for the computer keyboard)."""
    from coperformer.midi.fileplayer import FilePlayer
    from coperformer.midi.ports import KeyboardInput, locate_port

    if plan.messages is not None:
        return FilePlayer(plan.messages, clock, feed, passthrough)
    if not options.input or options.input == QWERTY:
        return None
    name, api = locate_port(options.input, options.midi_api)
    keyboard = KeyboardInput(name, clock, feed, passthrough, api,
                             may_block=lambda: snapshot().quiet_ms(clock.now_ns()) > QUIET_MS)
    keyboard.open(wait=options.wait_for_input)
    return keyboard
