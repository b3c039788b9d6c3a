"""A MIDI file played in real time as if by a player, through the same path as a keyboard."""

from __future__ import annotations

import threading
from collections.abc import Callable

from coperformer.engine.clock import Clock
from coperformer.engine.events import END, PASSTHROUGH_KINDS, InputEvent, parse_midi
from coperformer.io.midifile import Song, choose_melody
from coperformer.music.gm import NOTE_OFF


def melody_messages(song: Song, melody_track: int | None = None) -> list[tuple[float, list[int]]]:
    """(seconds, raw bytes) of the melody track's channel messages, in order; a note the file
    never ends (no note-off, common in the wild) ends where the file does (any thread)."""
    track = song.tracks[choose_melody(song, melody_track)]
    out, sounding = [], {}
    for tick, message in track.events:
        if message.type in ("note_on", "note_off", "control_change"):
            out.append((song.seconds_at(tick), list(message.bytes())))
        if message.type == "note_on" and message.velocity > 0:
            sounding[(message.channel, message.note)] = tick
        elif message.type in ("note_on", "note_off"):
            sounding.pop((message.channel, message.note), None)
    end = song.seconds_at(max([song.end_tick, *(tick + 1 for tick in sounding.values())]))
    return out + [(end, [NOTE_OFF | channel, note, 0]) for channel, note in sorted(sounding)]


def first_bar_seconds(song: Song, melody_track: int | None = None) -> float:
    """Seconds from the file's start to the bar line before its melody's first note (sync
    start begins there, so the file's bar lines stay the jam's; any thread)."""
    track = song.tracks[choose_melody(song, melody_track)]
    if not track.notes:
        return 0.0
    first = min(note[1] for note in track.notes)
    meter_tick, meter = 0, None
    for tick, value in song.meters:
        if tick <= first:
            meter_tick, meter = tick, value
    bar_ticks = max(1, round((meter.bar_quarters if meter else 4.0) * song.ticks_per_beat))
    return song.seconds_at(meter_tick + (first - meter_tick) // bar_ticks * bar_ticks)


class FilePlayer:
    """Plays messages at ``start + t`` (absolute deadlines), like a keyboard's callback.

    Its own thread calls on_event and passthrough; start() and close() belong to the owner.
    """

    def __init__(self, messages: list[tuple[float, list[int]]], clock: Clock,
                 on_event: Callable[[InputEvent], None],
                 passthrough: Callable[[InputEvent], None] | None = None):
        self.messages, self.clock = messages, clock
        self.on_event, self.passthrough = on_event, passthrough
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="file-player", daemon=True)
        self.start_ns = 0

    def start(self, at_ns: int) -> None:
        """Start so that time 0 of the file (its first bar line) falls at ``at_ns`` (owner)."""
        self.start_ns = at_ns
        self._thread.start()

    def _run(self) -> None:
        for seconds, raw in self.messages:
            due = self.start_ns + round(seconds * 1e9)
            while self.clock.now_ns() < due and not self._stop.is_set():
                self._stop.wait(max(0.0, (due - self.clock.now_ns()) / 1e9))
            if self._stop.is_set():
                return
            event = parse_midi(raw, self.clock.now_ns())
            if event is None:
                continue
            if self.passthrough and event.kind in PASSTHROUGH_KINDS:
                self.passthrough(event)
            self.on_event(event)
        self.on_event(InputEvent(self.clock.now_ns(), END))

    def close(self) -> None:
        """Stop playing and wait for the thread (the owner's thread)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)
