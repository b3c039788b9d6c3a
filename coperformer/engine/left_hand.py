"""Steering the band with the left hand: keys held below a split point are a chord the band
plays from its next bar (arranger style: the chord stays until another is held), and are not
part of the melody the band listens to. Worker thread only."""

from __future__ import annotations

from coperformer.engine.bar_buffer import BarBuffer
from coperformer.music.chord_names import recognize
from coperformer.music.chord_type import Chord


class LeftHand:
    """The chord declared below ``split`` (a MIDI note number), remembered."""

    def __init__(self, split: int):
        self.split = split
        self.chord: Chord | None = None

    def heard(self, buffer: BarBuffer) -> Chord | None:
        """After a key went down: the chord the keys held below the split spell now, if they
        spell a new one (the chord is then remembered)."""
        chord = recognize([p for p in buffer.held if p < self.split])
        if chord is None or chord == self.chord:
            return None
        self.chord = chord
        return chord

    def melody(self, pitch: int) -> bool:
        """Whether a played pitch belongs to the melody (above the split)."""
        return pitch >= self.split
