"""Playing a take back through a live synth in real time: its notes, program changes and
controllers at their times, on a thread of its own (started and stopped by the owner)."""

from __future__ import annotations

import threading
from pathlib import Path

from coperformer.engine.clock import Clock
from coperformer.io.midifile import read_song
from coperformer.synth.live_synth import LiveSynth
from coperformer.synth.render import song_events

STOP_WAIT_S = 2.0


class TakePlayback:
    """One take playing through ``synth``; stop() silences it and waits for its thread. The
    synth must outlive the playback (its owner stops the playback before closing it)."""

    def __init__(self, path: str | Path, synth: LiveSynth, clock: Clock):
        song = read_song(path)  # MidiInputError with a reason for a bad file
        self.events = song_events(song)
        self.seconds = self.events[-1][0] if self.events else 0.0
        self.synth, self.clock = synth, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="take-playback", daemon=True)
        self.start_ns = 0

    @property
    def playing(self) -> bool:
        """True until the take has played to its end or was stopped (any thread)."""
        return self._thread.is_alive()

    def start(self) -> None:
        """Begin now (the owner's thread)."""
        self.start_ns = self.clock.now_ns()
        self._thread.start()

    def _run(self) -> None:
        for seconds, message in self.events:
            due = self.start_ns + round(seconds * 1e9)
            while (wait := due - self.clock.now_ns()) > 0:
                if self._stop.wait(wait / 1e9):
                    return
            if self._stop.is_set():
                return
            self._apply(message)

    def _apply(self, message) -> None:
        kind, synth = message.type, self.synth
        if kind == "note_on":
            synth.play_now(message.channel, message.note, message.velocity)
        elif kind == "note_off":
            synth.play_now(message.channel, message.note, 0)
        elif kind == "program_change":
            synth.set_program(message.channel, message.program)
        elif kind == "control_change":
            synth.control_now(message.channel, message.control, message.value)

    def stop(self) -> None:
        """Stop, wait for the thread, and silence what it left sounding (the owner's thread)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(STOP_WAIT_S)
        self.synth.all_notes_off()
