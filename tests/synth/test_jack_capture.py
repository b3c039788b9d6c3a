"""The JACK capture client that the audio tests listen with: it must follow a client that
closes and comes back under the same name (the window's idle synth, then the jam's)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from coperformer.synth.jack_server import DummyJackServer

SCRIPT = textwrap.dedent("""
    import ctypes
    import time
    from coperformer.synth.jack_capture import Capture, AUDIO_TYPE, PORT_IS_OUTPUT, NO_START_SERVER

    capture = Capture("ears", max_seconds=1)
    lib = capture.lib
    lib.jack_port_register.restype = ctypes.c_void_p

    def synth():
        client = lib.jack_client_open(b"fluidsynth", NO_START_SERVER, None)
        for side in (b"left", b"right"):
            lib.jack_port_register(client, side, AUDIO_TYPE, PORT_IS_OUTPUT, 0)
        lib.jack_activate(client)
        return client

    def heard():  # the graph a client reads shows a new connection from the next cycle on:
        for _ in range(200):  # up to 2 s for it (a busy host's server runs late)
            now = [bool(lib.jack_port_connected_to(port, name)) for port, name in
                   zip(capture.ports, (b"fluidsynth:left", b"fluidsynth:right"))]
            if all(now):
                break
            time.sleep(0.01)
        return now

    first = synth()
    print("first", capture.connect_clients("fluidsynth"), heard(), flush=True)
    print("again", capture.connect_clients("fluidsynth"), flush=True)
    lib.jack_client_close(first)
    second = synth()  # the same name, between two polls
    print("second", capture.connect_clients("fluidsynth"), heard(), flush=True)
    lib.jack_client_close(second)
    lib.jack_client_close(capture.client)
""")


@pytest.fixture(scope="module")
def server():
    with DummyJackServer(f"coperformer-test-capture-{os.getpid()}") as running:
        yield running


def test_a_client_that_comes_back_under_the_same_name_is_connected_again(server):
    """Connected once per port, and again after the client closed and a new one took its name:
    the capture asks JACK what is connected, it does not remember names."""
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=server.env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == ["first 2 [True, True]", "again 0", "second 2 [True, True]"], done.stdout
