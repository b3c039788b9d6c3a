"""Input events from a keyboard, parsed from raw MIDI bytes (pure: any thread)."""

from __future__ import annotations

from dataclasses import dataclass

from coperformer.music import gm

NOTE_ON, NOTE_OFF, PEDAL, ALL_OFF = "note_on", "note_off", "pedal", "all_off"
PORT_LOST, PORT_BACK, END = "port_lost", "port_back", "end"
PASSTHROUGH_KINDS = (NOTE_ON, NOTE_OFF, PEDAL, ALL_OFF)  # what the callback sounds at once


@dataclass(frozen=True)
class InputEvent:
    """One timestamped thing the player did (or that happened to the input)."""

    time_ns: int
    kind: str
    pitch: int = 0
    velocity: int = 0
    value: int = 0
    channel: int = 0
    raw: tuple[int, ...] = ()


def parse_midi(data: bytes | list[int] | tuple[int, ...], time_ns: int) -> InputEvent | None:
    """Turn a MIDI message into an input event; None for anything the engine ignores."""
    if not data:
        return None
    status = data[0]
    if status >= 0xF0 or len(data) < 2:
        return None  # sysex, clock, active sensing, start/stop, ...
    kind, channel = status & 0xF0, status & 0x0F
    raw = tuple(int(b) for b in data)
    if kind in (gm.NOTE_OFF, gm.NOTE_ON) and len(data) >= 3:
        velocity = int(data[2])
        is_on = kind == gm.NOTE_ON and velocity > 0
        return InputEvent(time_ns, NOTE_ON if is_on else NOTE_OFF, int(data[1]),
                          velocity if is_on else 0, 0, channel, raw)
    if kind == gm.CONTROL_CHANGE and len(data) >= 3:
        control, value = int(data[1]), int(data[2])
        if control == gm.SUSTAIN_CC:
            return InputEvent(time_ns, PEDAL, value=value, channel=channel, raw=raw)
        if control in (gm.ALL_SOUND_OFF_CC, gm.ALL_NOTES_OFF_CC):
            return InputEvent(time_ns, ALL_OFF, channel=channel, raw=raw)
    return None
