"""The left hand's chords: every quality the arranger keyboards read, in any inversion."""

import pytest

from coperformer.music.chord_names import SplitError, parse_note, recognize


@pytest.mark.parametrize("pitches,name,classes", [
    ([57, 60, 64], "Am", (9, 0, 4)),
    ([60, 64, 69], "Am/C", (9, 0, 4)),
    ([52, 55, 60], "C/E", (0, 4, 7)),
    ([55, 59, 62, 65], "G7", (7, 11, 2, 5)),
    ([53, 55, 59, 62], "G7/F", (7, 11, 2, 5)),
    ([48, 52, 55, 59], "Cmaj7", (0, 4, 7, 11)),
    ([50, 53, 57, 60], "Dm7", (2, 5, 9, 0)),
    ([48, 51, 54], "Cdim", (0, 3, 6)),
    ([47, 50, 53, 56], "Bdim7", (11, 2, 5, 8)),
    ([48, 52, 56], "Caug", (0, 4, 8)),
    ([48, 53, 55], "Csus4", (0, 5, 7)),
    ([48, 50, 55], "Csus2", (0, 2, 7)),
    ([43, 53, 59], "G7", (7, 11, 5)),  # a seventh without its fifth
])
def test_chords_are_named_with_root_and_bass(pitches, name, classes):
    chord = recognize(pitches)
    assert chord is not None and chord.name == name
    assert chord.pitch_classes == classes and chord.bass == min(pitches) % 12


def test_too_few_notes_or_a_cluster_is_no_chord():
    assert recognize([60, 64]) is None and recognize([60, 61, 62]) is None
    assert recognize([]) is None


def test_split_points_are_notes_or_numbers():
    assert parse_note("F#3") == 54 and parse_note("C4") == 60 and parse_note("55") == 55
    with pytest.raises(SplitError):
        parse_note("H2")
