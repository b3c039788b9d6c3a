"""Measurement (no model, nothing tuned): how far a band that plays one chord per bar can get
on the labelled held-out tunes (the test chorales and the lead sheets), even knowing the
people's chords. Declared chords only; the evaluation's measure and its bars (from the
second). Rows: the human chords per step (the evaluation's "human labels"), the human chord of
each half bar or each bar (the one sounding longest) held through it, and the previous bar's
human chord held (a band a bar late). Prints note-in-chord and root agreement, in %.

    .venv/bin/python scripts/chord_ceiling.py
"""

from __future__ import annotations

from coperformer.model.chord_data import LEAD_SHEETS, LabelledTune, labelled_sets
from coperformer.music.chord_metrics import ChordTally, Declared
from coperformer.music.chords import bar_chord, chord_pitch_classes, chord_root


def held_by_bar(tune: LabelledTune, late_bars: int) -> Declared:
    """Each bar declares the human chord of the bar ``late_bars`` before it, held."""
    out = Declared.empty(tune.grid.steps)
    chords = tune.bar_chords()
    for bar in range(late_bars, tune.grid.bars):
        chord = chords[bar - late_bars]
        if chord is not None:
            out.set(tune.grid.bar_slice(bar), chord_root(chord), chord_pitch_classes(chord))
    return out


def held_by_half_bar(tune: LabelledTune) -> Declared:
    """Each half bar declares its own longest human chord, held (from the second bar)."""
    out = Declared.empty(tune.grid.steps)
    for bar in range(1, tune.grid.bars):
        span = tune.grid.bar_slice(bar)
        middle = span.start + (span.stop - span.start) // 2
        for half in (slice(span.start, middle), slice(middle, span.stop)):
            chord = bar_chord(tune.labels[half])
            if chord is not None:
                out.set(half, chord_root(chord), chord_pitch_classes(chord))
    return out


ROWS = {"human chords per step": lambda tune: Declared.from_labels(tune.labels),
        "human half-bar chords, held": held_by_half_bar,
        "human bar chord, held": lambda tune: held_by_bar(tune, 0),
        "previous bar's human chord": lambda tune: held_by_bar(tune, 1)}


def main() -> None:
    """Print each row's figures on the test chorales and on the lead sheets."""
    test = labelled_sets()["test"]
    lead = [t for t in test if t.name.split("#")[0] in LEAD_SHEETS]
    groups = {"test chorales": [t for t in test if t not in lead], "lead sheets": lead}
    for group, tunes in groups.items():
        for row, declare in ROWS.items():
            tally = ChordTally()
            for tune in tunes:
                tally.add(tune.grid, declare(tune), Declared.from_labels(tune.labels))
            figures = tally.figures()
            print(f"{group:>14} ({len(tunes)} tunes)  {row:<28} note-in-chord "
                  f"{100 * figures['note_in_chord']:5.1f} %  root agreement "
                  f"{100 * figures['root_agreement']:5.1f} %")


if __name__ == "__main__":
    main()
