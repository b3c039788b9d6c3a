import pytest

from coperformer.music.meter import Meter, model_segments


@pytest.mark.parametrize("text,steps,beats,code", [
    ("4/4", 16, 4, 1), ("3/4", 12, 3, 0), ("6/8", 12, 2, 2), ("2/4", 8, 2, 3), ("3/8", 6, 3, 3),
    ("12/8", 24, 4, 3),
])
def test_meter_geometry(text, steps, beats, code):
    meter = Meter.parse(text)
    assert meter.bar_steps == steps
    assert meter.beats_per_bar == beats
    assert meter.code == code
    assert str(meter) == text


@pytest.mark.parametrize("bad", ["4", "x/4", "3/5", "0/4", ""])
def test_bad_meter_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="meter"):
        Meter.parse(bad)


def test_long_bars_split_into_model_windows():
    assert model_segments(12) == [(0, 12)]
    assert model_segments(24) == [(0, 12), (12, 12)]
    assert sum(length for _, length in model_segments(20)) == 20
