import pytest

from coperformer.engine.clock import NS_PER_S, RealClock, VirtualClock
from coperformer.engine.transport import Transport, TransportError
from coperformer.music.meter import Meter


def test_bars_are_absolute_and_drift_free():
    transport = Transport(120, Meter(4, 4), count_in=1)
    transport.start(1_000)
    assert transport.bar_start_ns(-1) == 1_000
    assert transport.bar_start_ns(0) == 1_000 + 2 * NS_PER_S
    assert transport.bar_start_ns(1000) == 1_000 + 1001 * 2 * NS_PER_S
    assert transport.bar_at(1_000 + 2 * NS_PER_S - 1) == -1
    assert transport.position(1_000 + 2 * NS_PER_S + NS_PER_S // 2 + 1) == (1, 2)


@pytest.mark.parametrize("meter,bar_s,beats", [("3/4", 1.5, 3), ("6/8", 1.5, 2), ("4/4", 2.0, 4),
                                               ("2/4", 1.0, 2), ("3/8", 0.75, 3)])
def test_meters(meter, bar_s, beats):
    transport = Transport(120, Meter.parse(meter))
    transport.start(0)
    assert transport.bar_start_ns(1) == round(bar_s * NS_PER_S)
    assert transport.position(transport.bar_start_ns(1) - 1) == (1, beats)


def test_tempo_change_takes_effect_at_the_next_bar_line():
    transport = Transport(120, Meter(4, 4))
    transport.start(0)
    bar = transport.set_tempo(60, NS_PER_S // 2)
    assert bar == 1
    assert transport.bar_start_ns(1) == 2 * NS_PER_S
    assert transport.bar_start_ns(2) == 6 * NS_PER_S
    assert transport.quarters_at(4 * NS_PER_S) == pytest.approx(6.0)
    assert transport.bpm_at(0) == 120 and transport.bpm_at(5) == 60


def test_limits_and_meters_are_checked():
    with pytest.raises(TransportError):
        Transport(300)
    with pytest.raises(TransportError):
        Transport(39)
    with pytest.raises(TransportError):
        Transport(100, Meter(5, 4))
    Transport(40)
    Transport(240)


def test_sync_start_puts_bar_zero_at_the_first_note():
    transport = Transport(100, Meter(3, 4), count_in=2)
    transport.start_at_bar_zero(5 * NS_PER_S)
    assert transport.bar_start_ns(0) == 5 * NS_PER_S
    assert transport.quarters_at(5 * NS_PER_S) == 0.0


def test_virtual_clock_waits_instantly_and_real_clock_wakes():
    clock = VirtualClock()
    clock.wait_until(10 * NS_PER_S)
    assert clock.now_ns() == 10 * NS_PER_S
    real = RealClock()
    real.wake()
    assert real.wait_until(real.now_ns() + 10 * NS_PER_S) is True


def test_quarters_follow_meter_changes_and_stay_cheap_in_long_jams():
    transport = Transport(120, Meter(4, 4), count_in=2)
    transport.start(0)
    transport.set_meter(Meter(3, 4), transport.bar_start_ns(9), earliest_bar=10)
    assert transport.quarters_of_bar(-2) == -8.0
    assert transport.quarters_of_bar(10) == 40.0
    assert transport.quarters_of_bar(12) == 46.0
    assert transport.quarters_of_bar(100_000) == 40.0 + 3.0 * (100_000 - 10)
    ns = transport.bar_start_ns(11) + NS_PER_S // 2
    assert transport.quarters_at(ns) == pytest.approx(43.0 + 1.0)
