"""The chord vocabulary, chord reading from voices and symbols, the key prior, the chord
judge's figures, and the chord model's choice."""

import numpy as np

from coperformer.music.chord_metrics import ChordTally, Declared, phrase_ends, total_variation
from coperformer.music.chord_model import choose
from coperformer.music.chord_type import PITCH_CLASS_NAMES
from coperformer.music.chords import (
    VOCABULARY,
    bar_chord,
    chord_index,
    chord_pitch_classes,
    chord_symbol,
    key_scores,
    label_symbol,
    label_weights,
    likely_key,
    step_labels,
    transpose_chord,
)
from coperformer.music.harmony import Key
from coperformer.music.meter import Meter
from coperformer.music.notes import Note, Piece, bars_for
from coperformer.music.roll import REST, grid_from_piece
from tests.music.tunes import melody_grid


def _weights(*pairs):
    out = np.zeros(12)
    for pc, weight in pairs:
        out[pc] += weight
    return out


def _name(index):
    return chord_symbol(index, PITCH_CLASS_NAMES)


def test_voices_read_as_triads_unless_a_seventh_is_held():
    assert _name(label_weights(_weights((0, 4), (4, 4), (7, 4)), 0)) == "C"
    assert _name(label_weights(_weights((0, 4), (4, 4), (7, 4)), 4)) == "C"  # first inversion
    assert _name(label_weights(_weights((9, 4), (0, 4), (4, 4)), 9)) == "Am"
    g7 = _weights((7, 4), (11, 4), (2, 4), (5, 4))
    assert _name(label_weights(g7, 7)) == "G7"
    passing = _weights((0, 4), (4, 4), (7, 4), (5, 1))  # a passing F, an eighth long
    assert _name(label_weights(passing, 0)) == "C"
    assert label_weights(np.zeros(12), None) is None


def test_written_symbols_map_to_the_vocabulary():
    assert _name(label_symbol(0, [0, 4, 7, 9])) == "C"  # C6
    assert _name(label_symbol(7, [7, 11, 2, 5, 9])) == "G7"  # G9
    assert _name(label_symbol(2, [2, 5, 9, 0])) == "Dm7"
    assert chord_pitch_classes(chord_index(7, "7")) == (7, 11, 2, 5)
    assert transpose_chord(transpose_chord(chord_index(11, "min"), 5), -5) == chord_index(11,
                                                                                         "min")


def _four_voice_grid():
    """A bar of a four-voice C chord, then one of G7 (soprano, alto, tenor, bass)."""
    voices = [(72, 74), (67, 71), (64, 65), (48, 43)]
    parts = [[Note(first, 0, 4), Note(second, 4, 8)] for first, second in voices]
    return grid_from_piece(Piece(parts[0], parts[1:], bars_for(Meter(4, 4), 8)))


def test_a_chorale_grid_is_labelled_per_beat_and_per_bar():
    grid = _four_voice_grid()
    assert (grid.band != REST).any()
    labels = step_labels(grid)
    assert _name(bar_chord(labels[grid.bar_slice(0)])) == "C"
    assert _name(bar_chord(labels[grid.bar_slice(1)])) == "G7"
    assert bar_chord(np.full(4, -1)) is None


def test_the_key_prior_prefers_major_and_common_keys():
    c_major_triad = _weights((0, 1), (4, 1), (7, 1))
    assert likely_key(c_major_triad)[0] == Key(0, False)
    assert likely_key(np.zeros(12)) == (Key(0, False), 0.0)
    scale = _weights(*[(pc, 1) for pc in (0, 2, 4, 5, 7, 9, 11)])
    key, margin = likely_key(scale)
    assert key == Key(0, False) and margin > 0
    c_with_a = _weights((0, 1), (4, 1), (7, 1), (9, 1))  # A minor, second, shares the notes
    key, margin = likely_key(c_with_a)
    top_two = np.sort(key_scores(c_with_a))[-2:]
    assert key == Key(0, False) and margin > top_two[1] - top_two[0]


def test_note_in_chord_counts_the_declared_tones_only():
    grid = melody_grid([[60, 62, 64, 71], [60, 62, 64, 71]])
    declared = Declared.empty(grid.steps)
    declared.set(grid.bar_slice(1), 0, (0, 4, 7))  # C: B is not a tone of it
    tally = ChordTally()
    tally.add(grid, declared, None)
    assert tally.figures()["note_in_chord"] == 0.5  # C and E of C, D and B
    seventh = Declared.empty(grid.steps)
    seventh.set(grid.bar_slice(1), 0, (0, 4, 7, 11))  # named Cmaj7: B counts
    tally = ChordTally()
    tally.add(grid, seventh, None)
    assert tally.figures()["note_in_chord"] == 0.75


def test_agreement_changes_degrees_and_cadence_against_human_chords():
    grid = melody_grid([[60], [65], [67], [60]])
    human = Declared.from_labels(np.repeat([chord_index(r, "maj") for r in (0, 5, 7, 0)], 16))
    band = Declared.from_labels(np.repeat([chord_index(r, "maj") for r in (0, 5, 0, 0)], 16))
    tally = ChordTally()
    tally.add(grid, band, human)
    figures = tally.figures(np.eye(12)[0])
    assert figures["root_agreement"] == 2 / 3  # bars 2-4: F right, C for G wrong, C right
    assert figures["changes_per_bar"] == 2 / 3  # F, then C
    assert figures["v_share"] == 0.0 and figures["final_cadence"] == 1.0  # IV-I
    assert np.isclose(figures["degree_tv"], 1 / 3)
    assert total_variation(np.ones(12), np.ones(12)) == 0.0
    assert np.isnan(ChordTally().figures()["root_agreement"])


def test_phrases_end_on_long_notes_before_rests_and_at_the_last_note():
    notes = [Note(60, 0, 1), Note(62, 1, 2), Note(64, 2, 4),  # a half note: an end
             Note(65, 4, 5), Note(67, 6, 7), Note(65, 7, 7.5),  # a quarter, then a rest: an end
             Note(64, 7.5, 8), Note(60, 8, 9)]  # the last note: an end
    grid = grid_from_piece(Piece(notes, [], bars_for(Meter(4, 4), 12)))
    steps = grid.bar_slice(0).stop // 4  # steps a quarter
    assert phrase_ends(grid.melody, grid.melody_onset) == [2 * steps, 4 * steps, 8 * steps]


def test_a_phrase_cadence_arrives_on_the_tonic_from_iv_or_v():
    grid = melody_grid([[60, 62, 64, 65], [67], [65, 64, 62, 71], [72]])  # ends: bars 2, 4
    chords = {"V-I": (0, 0, 7, 0), "IV-I": (0, 0, 5, 0), "ii-I": (0, 0, 2, 0), "V-V": (0, 0, 7, 7),
              "V-I-I": (0, 7, 0, 0)}  # the tonic came in two bars before the last end
    shares = {}
    for name, roots in chords.items():
        tally = ChordTally()
        tally.add(grid, Declared.from_labels(np.repeat([chord_index(r, "maj") for r in roots],
                                                       16)), None)
        shares[name] = tally.figures()["phrase_cadence"]
    assert shares == {"V-I": 0.5, "IV-I": 0.5, "ii-I": 0.0, "V-V": 0.0, "V-I-I": 0.0}
    # (of the ends in bars 2 and 4; in "V-I-I" the tonic arrives at bar 3, no end)


def test_choose_takes_the_likeliest_or_draws_from_the_nucleus():
    log_probs = np.log(np.array([0.6, 0.3, 0.1] + [1e-9] * (VOCABULARY - 3)))
    assert choose(log_probs, 0.0, 0.9, np.random.default_rng(0)) == 0
    assert choose(log_probs, 1.0, 0.9, None) == 0
    drawn = {choose(log_probs, 1.0, 0.5, np.random.default_rng(s)) for s in range(50)}
    assert drawn == {0}  # 0.6 already holds half the probability
    drawn = {choose(log_probs, 1.0, 0.95, np.random.default_rng(s)) for s in range(200)}
    assert drawn == {0, 1, 2}
    allowed = np.zeros(VOCABULARY, bool)
    allowed[1] = True
    assert choose(log_probs, 0.0, 0.9, None, allowed) == 1


def test_the_first_chords_are_judged_against_the_key_the_tune_ends_in():
    grid = melody_grid([[60, 62, 64, 65], [67, 65, 64, 62], [64, 62, 71, 74], [72]])  # in C
    shares = {}
    for name, roots in {"C G": ((0, "maj"), (7, "maj")), "C#m G": ((1, "min"), (7, "maj")),
                        "C#m Ab": ((1, "min"), (8, "maj"))}.items():
        labels = np.repeat([chord_index(*roots[0]), chord_index(*roots[1]),
                            chord_index(0, "maj"), chord_index(0, "maj")], 16)
        tally = ChordTally()
        tally.add(grid, Declared.from_labels(labels), None, first_bar=0)
        shares[name] = tally.figures()["first_in_key"]
    assert shares == {"C G": 1.0, "C#m G": 0.5, "C#m Ab": 0.0}
