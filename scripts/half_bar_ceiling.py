"""What a band changing chord only at the half bar can reach at best: the people's own chords,
one per part of each bar (the longest-sounding in it), laid on every step and scored against
the people's per-beat chords on the validation chorales (root agreement, note-in-chord).

    .venv/bin/python scripts/half_bar_ceiling.py
"""

from __future__ import annotations

from coperformer.model.chord_data import LabelledTune, chorale_tunes
from coperformer.music.chord_metrics import ChordTally, Declared
from coperformer.music.chords import chord_pitch_classes, chord_root


def by_part(tune: LabelledTune) -> Declared:
    """The tune's human chords, one per part of each bar."""
    out = Declared.empty(tune.grid.steps)
    for bar, halves in enumerate(tune.halves()):
        span = tune.grid.bar_slice(bar)
        cut = span.stop if halves.half is None else span.start + halves.half
        for steps, chord in ((slice(span.start, cut), halves.first),
                             (slice(cut, span.stop), halves.second)):
            if chord is not None and steps.stop > steps.start:
                out.set(steps, chord_root(chord), chord_pitch_classes(chord))
    return out


def main() -> None:
    """One line: root agreement and note-in-chord."""
    tally = ChordTally()
    for tune in chorale_tunes()["validation"]:
        tally.add(tune.grid, by_part(tune), Declared.from_labels(tune.labels))
    figures = tally.figures()
    print(f"validation chorales, the people's chords one per half bar: root agreement "
          f"{100 * figures['root_agreement']:.1f} %, note-in-chord "
          f"{100 * figures['note_in_chord']:.1f} %")


if __name__ == "__main__":
    main()
