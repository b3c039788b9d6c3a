"""The ending's key and chord (pure): the key whose scale holds the melody and where it came to
rest, the tonic triad under the melody (a floating voice above it)."""

import numpy as np
import pytest

from coperformer.music.endings import ending_key, tonic_chord
from coperformer.music.harmony import Key, estimate_key, pitch_class_histogram

C_DWELLING_ON_E_G_B = [64, 67, 71, 67, 64, 67, 71, 72, 71, 67, 65, 64, 62, 65, 71, 67, 60]
A_MINOR = [69, 72, 76, 72, 69, 71, 72, 74, 76, 74, 72, 71, 69, 68, 69]
ODE = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62,
       64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 62, 60, 60]


def _weights(pitches):
    return pitch_class_histogram(np.array(pitches))


def test_a_c_major_tune_that_a_profile_reads_as_e_minor_ends_in_c():
    weights = _weights(C_DWELLING_ON_E_G_B)
    assert estimate_key(weights) != Key(0, False)  # the profile alone: E minor
    assert ending_key(weights, 60) == Key(0, False)  # F natural rules E minor out; ends on C


@pytest.mark.parametrize("pitches, last, key", [
    (A_MINOR, 69, Key(9, True)),  # comes to rest on A, G# in it: A minor
    (ODE, 62, Key(0, False)),  # a tune stopped on D is still in C (D minor fits far worse)
    (ODE, None, Key(0, False)),
])
def test_the_last_note_decides_only_between_keys_that_fit_as_well(pitches, last, key):
    assert ending_key(_weights(pitches), last) == key


def test_nothing_heard_ends_in_c():
    assert ending_key(np.zeros(12), None) == Key(0, False)


def test_the_tonic_chord_keeps_under_the_melody_and_a_floating_voice_above():
    under = [voice[0].pitch for voice in tonic_chord(Key(0, False), 4.0, 60, 72)]
    assert under == [52, 55, 48]  # E3 G3 C3 under C4
    floating = [voice[0].pitch for voice in tonic_chord(Key(0, False), 4.0, 60, 72,
                                                        frozenset({0}))]
    assert floating == [76, 55, 48]  # the alto's E just above the melody's C5
