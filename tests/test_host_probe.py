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
