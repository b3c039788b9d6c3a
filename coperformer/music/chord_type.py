"""The chord (pure): the type every part passes around (its pitch classes, its bass and the
player's register), and the one table of chord qualities by which harmony, chord names, charts,
the chord model's vocabulary and the planner name, read and recognize chords."""

from __future__ import annotations

from dataclasses import dataclass

PITCH_CLASS_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@dataclass(frozen=True)
class Quality:
    """A chord quality: its name, its intervals over the root, its suffix after the root."""

    name: str
    intervals: tuple[int, ...]
    suffix: str


QUALITY_TABLE = (  # the order is the preference when held keys spell two chords
    Quality("maj", (0, 4, 7), ""), Quality("min", (0, 3, 7), "m"),
    Quality("7", (0, 4, 7, 10), "7"), Quality("maj7", (0, 4, 7, 11), "maj7"),
    Quality("m7", (0, 3, 7, 10), "m7"), Quality("dim", (0, 3, 6), "dim"),
    Quality("dim7", (0, 3, 6, 9), "dim7"), Quality("m7b5", (0, 3, 6, 10), "m7b5"),
    Quality("aug", (0, 4, 8), "aug"), Quality("sus4", (0, 5, 7), "sus4"),
    Quality("sus2", (0, 2, 7), "sus2"), Quality("7sus4", (0, 5, 7, 10), "7sus4"),
    # sevenths without their fifth, as a left hand often plays them
    Quality("7no5", (0, 4, 10), "7"), Quality("m7no5", (0, 3, 10), "m7"),
    Quality("maj7no5", (0, 4, 11), "maj7"),
)
QUALITY = {quality.name: quality for quality in QUALITY_TABLE}
SUFFIX_OF = {quality.intervals: quality.suffix for quality in QUALITY_TABLE}
# the chord model's qualities (triads and sevenths), in the order of its indices
VOCABULARY_QUALITIES = ("maj", "min", "dim", "aug", "7", "maj7", "m7", "m7b5", "dim7")


def triad_name(pitch_classes: tuple[int, ...], bass: int | None = None) -> str:
    """A triad's lead-sheet name from its (root, third, fifth) pitch classes: C, Am, Bdim,
    G/B (the bass after a slash when it is not the root)."""
    root = pitch_classes[0]
    intervals = (0, *((pc - root) % 12 for pc in pitch_classes[1:3]))
    name = PITCH_CLASS_NAMES[root] + SUFFIX_OF.get(intervals, "?")
    return name if bass is None or bass == root else f"{name}/{PITCH_CLASS_NAMES[bass]}"


@dataclass(frozen=True)
class Chord:
    """A planned chord: its pitch classes (root, third, fifth), the bass pitch class, and the
    player's register: the upper voices keep under ``ceiling`` (None: no limit), except the
    ``floating`` ones (0 = the top voice), which keep above ``top``."""

    pitch_classes: tuple[int, ...]
    bass: int
    ceiling: int | None = None
    label: str | None = None  # a declared chord's own name (7ths, sus ...)
    top: int | None = None  # the player's highest note lately
    floating: frozenset[int] = frozenset()

    @property
    def root(self) -> int:
        """The chord's root pitch class."""
        return self.pitch_classes[0]

    @property
    def name(self) -> str:
        """The lead-sheet name: C, Am, G/B."""
        return self.label or triad_name(self.pitch_classes, self.bass)

    @property
    def rests(self) -> bool:
        """True for "no chord" (a chart's N.C.): the band is silent."""
        return not self.pitch_classes


NO_CHORD = Chord((), -1, label="N.C.")  # a chart's N.C.: the band rests
