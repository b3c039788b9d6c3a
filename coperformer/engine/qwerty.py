"""The computer keyboard as an instrument: two rows of keys, octave down and up (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Lower row: white keys from C (a s d f ...), upper row: the black keys between them.
WHITE_KEYS = "asdfghjkl;'"
WHITE_STEPS = (0, 2, 4, 5, 7, 9, 11, 12, 14, 16, 17)
BLACK_KEYS = {"w": 1, "e": 3, "t": 6, "y": 8, "u": 10, "o": 13, "p": 15}
OCTAVE_DOWN, OCTAVE_UP = "z", "x"
LOWEST_BASE, HIGHEST_BASE = 24, 96


@dataclass
class QwertyKeyboard:
    """Maps key presses to (pitch, velocity) note events; remembers what each key started.

    Lives on the window's thread (the GUI thread); every method belongs to it.
    """

    base: int = 60
    velocity: int = 90
    _down: dict[str, int] = field(default_factory=dict)

    def key_for(self, key: str) -> int | None:
        """The pitch a key plays now, None for keys that are not notes (GUI thread)."""
        key = key.lower()
        if key in WHITE_KEYS:
            return self.base + WHITE_STEPS[WHITE_KEYS.index(key)]
        if key in BLACK_KEYS:
            return self.base + BLACK_KEYS[key]
        return None

    def press(self, key: str) -> tuple[int, int] | None:
        """A key went down: (pitch, velocity) to start, or None for octave keys and repeats
        (GUI thread)."""
        key = key.lower()
        if key == OCTAVE_DOWN:
            self.base = max(LOWEST_BASE, self.base - 12)
            return None
        if key == OCTAVE_UP:
            self.base = min(HIGHEST_BASE, self.base + 12)
            return None
        pitch = self.key_for(key)
        if pitch is None or key in self._down:
            return None
        self._down[key] = pitch
        return pitch, self.velocity

    def release(self, key: str) -> int | None:
        """A key went up: the pitch to end, the one it started even after an octave shift
        (GUI thread)."""
        return self._down.pop(key.lower(), None)

    def release_all(self) -> list[int]:
        """Focus lost: end every note still down (GUI thread)."""
        pitches = list(self._down.values())
        self._down.clear()
        return pitches
