"""The drum groove's patterns (pure): per meter and feel, variations, fills, swing."""

import pytest

from coperformer.music.groove import (
    CRASH,
    FEELS,
    KICK,
    PATTERNS,
    GrooveError,
    bar_role,
    check_feel,
    check_phrase,
    groove_bar,
)
from coperformer.music.meter import SUPPORTED_METERS, Meter


@pytest.mark.parametrize("feel", FEELS)
@pytest.mark.parametrize("meter", ["3/4", "4/4", "6/8"])
def test_every_feel_has_three_bars_of_the_right_length_in_every_meter(feel, meter):
    """Patterns of their own; 2/4 plays the first half of 4/4's (below)."""
    steps = Meter.parse(meter).bar_steps
    for pattern in PATTERNS[feel][meter]:
        assert pattern and all(len(line) == steps for line in pattern.values())
        assert set("".join(pattern.values())) <= set("Xxo.")


def test_fills_end_each_phrase_and_a_crash_opens_the_next():
    assert [bar_role(b, 4) for b in range(8)] == ["main", "variation", "main", "fill"] * 2
    assert [bar_role(b, 8) for b in range(8)][-1] == "fill"
    assert bar_role(3, 8) == "variation"
    meter = Meter(4, 4)
    for phrase in (4, 8):
        crashes = [b for b in range(1, 17) if any(h.drum == CRASH
                                                 for h in groove_bar(meter, b, "straight",
                                                                     phrase))]
        assert crashes == list(range(phrase, 17, phrase))
    main, fill = groove_bar(meter, 1, "straight"), groove_bar(meter, 3, "straight")
    assert {h.drum for h in fill} - {h.drum for h in main}  # toms only in the fill


@pytest.mark.parametrize("meter", [*SUPPORTED_METERS, "9/8"])
def test_hits_stay_inside_the_bar_and_the_downbeat_has_a_kick(meter):
    m = Meter.parse(meter)
    for feel in FEELS:
        for bar in range(1, 9):
            hits = groove_bar(m, bar, feel)
            assert hits == sorted(hits, key=lambda h: (h.start, h.drum))
            assert all(0 <= h.start < m.bar_quarters and 1 <= h.velocity <= 127 for h in hits)
            assert any(h.start == 0 and h.drum == KICK for h in hits)


def test_swing_moves_the_off_eighths_onto_the_triplet_but_not_in_six_eight():
    swung = {round(h.start % 1, 3) for h in groove_bar(Meter(4, 4), 1, "swing")}
    straight = {round(h.start % 1, 3) for h in groove_bar(Meter(4, 4), 1, "straight")}
    assert 0.667 in swung and 0.5 not in swung
    assert 0.5 in straight and 0.667 not in straight
    compound = {round(h.start % 0.5, 3) for h in groove_bar(Meter(6, 8), 1, "swing")}
    assert compound == {0.0}  # 6/8 is already in threes: its eighths stay put


def test_velocities_are_humanized_but_the_same_for_the_same_bar():
    a, b = groove_bar(Meter(4, 4), 5, "straight", seed=1), groove_bar(Meter(4, 4), 5,
                                                                     "straight", seed=1)
    assert a == b
    assert len({h.velocity for h in a if h.drum != KICK}) > 2


def test_unknown_feels_and_phrases_are_one_line_errors():
    with pytest.raises(GrooveError, match="choose one of"):
        check_feel("polka")
    with pytest.raises(GrooveError):
        check_phrase(5)
    assert check_feel("swing") == "swing" and check_phrase(8) == 8


@pytest.mark.parametrize(("short", "whole"), [("2/4", "4/4"), ("3/8", "6/8")])
def test_a_short_meter_plays_the_first_half_of_its_whole_bar(short, whole):
    """2/4 is half a 4/4 bar, 3/8 half a 6/8 one (its eighths in threes, never swung)."""
    for feel in FEELS:
        for bar in range(1, 9):
            half = Meter.parse(short).bar_quarters
            first = [(h.start, h.drum) for h in groove_bar(Meter.parse(whole), bar, feel)
                     if h.start < half]  # (velocities humanized apart)
            assert [(h.start, h.drum) for h in groove_bar(Meter.parse(short), bar, feel)] == first
