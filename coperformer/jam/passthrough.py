"""The pass-through: the player's own note to the synth at once, from the input's thread."""

from __future__ import annotations

from coperformer.engine.clock import Clock
from coperformer.engine.events import ALL_OFF, NOTE_ON, PEDAL, InputEvent
from coperformer.engine.sinks import PLAYER_CHANNEL, NoteSink
from coperformer.music.gm import ALL_NOTES_OFF_CC, SUSTAIN_CC


class Passthrough:
    """Plays input events on the player's channel and measures how long that took.

    Called on the input's thread (the MIDI callback, the file player, the GUI for QWERTY);
    ``latency_ms`` is read once the inputs have stopped.
    """

    def __init__(self, sink: NoteSink, clock: Clock):
        self.sink, self.clock = sink, clock
        self.latency_ms: list[float] = []  # input timestamp -> the synth's note-on

    def __call__(self, event: InputEvent) -> None:
        """Sound one input event now (the input's thread)."""
        if event.kind == PEDAL:
            self.sink.control_now(PLAYER_CHANNEL, SUSTAIN_CC, event.value)
            return
        if event.kind == ALL_OFF:
            self.sink.control_now(PLAYER_CHANNEL, ALL_NOTES_OFF_CC, 0)
            return
        self.sink.play_now(PLAYER_CHANNEL, event.pitch,
                           event.velocity if event.kind == NOTE_ON else 0)
        if event.kind == NOTE_ON:
            self.latency_ms.append((self.clock.now_ns() - event.time_ns) / 1e6)
