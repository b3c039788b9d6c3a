"""A metronome for a MIDI file, as timed note messages (for exports that ask for it; the
take itself never holds the clicks). Any thread."""

from __future__ import annotations

import math

import mido

from coperformer.engine.metronome import CLICK_MS, CLICK_VELOCITY
from coperformer.engine.sinks import CLICK_HIGH, CLICK_LOW, METRONOME_CHANNEL
from coperformer.io.midifile import Song
from coperformer.music.meter import COMMON_TIME

MAX_CLICKS = 400_000  # a metronome for a few hours at most, whatever a file claims


def song_clicks(song: Song, velocity: int = CLICK_VELOCITY) -> list[tuple[float, object]]:
    """A metronome for a song, as timed note messages: one click per counted beat from its
    first bar line to its end, the downbeats higher, following its meter and tempo maps."""
    meters = song.meters or [(0, COMMON_TIME)]
    clicks = []
    for index, (start, meter) in enumerate(meters):
        end = meters[index + 1][0] if index + 1 < len(meters) else song.end_tick
        beat_ticks = meter.bar_quarters * song.ticks_per_beat / meter.beats_per_bar
        beats = max(0, math.ceil((end - start) / beat_ticks)) if beat_ticks > 0 else 0
        for beat in range(min(beats, MAX_CLICKS - len(clicks))):
            at = song.seconds_at(round(start + beat * beat_ticks))
            pitch = CLICK_HIGH if beat % meter.beats_per_bar == 0 else CLICK_LOW
            clicks.append((at, mido.Message("note_on", channel=METRONOME_CHANNEL, note=pitch,
                                            velocity=velocity)))
            clicks.append((at + CLICK_MS / 1000, mido.Message(
                "note_off", channel=METRONOME_CHANNEL, note=pitch)))
    return clicks
