"""The host probe that excuses a real-time test's missed deadline only for a measured stall."""

import os
import signal
import time

import pytest

from tests.host_probe import HostProbe, assert_on_time


def test_a_host_that_holds_the_probe_back_is_seen_and_excuses_one_miss():
    with HostProbe() as host:
        time.sleep(0.1)
        os.kill(host.pid, signal.SIGSTOP)  # the host takes the probe's core away
        time.sleep(0.08)
        os.kill(host.pid, signal.SIGCONT)
        time.sleep(0.1)
    assert host.longer_than(50) == 1, host.stalls
    with pytest.warns(UserWarning, match="1 excused"):
        assert_on_time(1, host, 40.0)
    with pytest.raises(AssertionError), pytest.warns(UserWarning):
        assert_on_time(2, host, 40.0)


def test_a_steady_host_excuses_nothing():
    with HostProbe() as host:
        time.sleep(0.3)
    assert_on_time(0, host, 40.0)
    if not host.stalls:
        with pytest.raises(AssertionError):
            assert_on_time(1, host, 40.0)


def test_a_host_that_holds_the_probe_back_a_quarter_of_the_time_is_starved():
    """Held back 0.3 s of about 1.2 s (SIGSTOP, five times): starved, and said so; a steady
    second is not."""
    with HostProbe() as host:
        for _ in range(5):
            time.sleep(0.12)
            os.kill(host.pid, signal.SIGSTOP)
            time.sleep(0.06)
            os.kill(host.pid, signal.SIGCONT)
        time.sleep(0.12)
    assert 0.15 < host.stalled_share() < 0.5, host.stalls
    with pytest.warns(UserWarning, match="stalled"):
        assert host.starved()
    with HostProbe() as steady:
        time.sleep(1.0)
    assert not steady.starved(), steady.stalls


def test_a_server_late_in_a_fifth_of_its_cycles_is_starved_on_a_steady_host():
    """A steady host, but a JACK server late for 200 of 1000 cycles: starved, and said so; 10
    late of 1000 is not."""
    with HostProbe() as host:
        time.sleep(0.5)
    assert not host.starved((10, 1000)), host.stalls
    with pytest.warns(UserWarning, match="200 of 1000 cycles"):
        assert host.starved((200, 1000))
