"""The keyboard's watcher through a real JACK server and a keyboard in a process of its own:
a keyboard unplugged and plugged back while the watcher was held up (a loaded machine) has the
same port name but nothing connected to it; the watcher connects again, and its notes arrive."""

import threading
import time

import pytest

from coperformer.engine.clock import RealClock
from coperformer.engine.events import NOTE_ON
from coperformer.midi import ports
from coperformer.midi.ports import KeyboardInput, api_by_name
from tests.jack_helpers import VirtualKeyboard, start_jackd, stop_jackd

BLIND_S = ports.BLIND_SECONDS  # the app's own
HELD_UP_S = BLIND_S + 0.2  # how long the watcher is held up


@pytest.fixture(scope="module")
def jack_server():
    process = start_jackd()
    yield process
    stop_jackd(process)


def _held_up_while_replugged(keyboard: VirtualKeyboard, watched: KeyboardInput) -> None:
    """Hold the watcher's next look until the keyboard was unplugged and plugged back, and
    longer than BLIND_SECONDS (HELD_UP_S): it never sees the port gone."""
    look, holding, release = watched._probed, threading.Event(), threading.Event()

    def held_look() -> bool:
        if not release.is_set():
            holding.set()
            release.wait(10)
        return look()

    watched._probed = held_look
    assert holding.wait(5), "the watcher looked"
    keyboard.unplug()
    keyboard.replug()
    time.sleep(HELD_UP_S)
    release.set()


def _heard(keyboard: VirtualKeyboard, events: list, pitch: int, tries: int = 12) -> bool:
    """Play ``pitch`` until it is heard (a rejoin comes within a few looks)."""
    for _ in range(tries):
        keyboard.send([0x90, pitch, 90])
        keyboard.send([0x80, pitch, 0])
        time.sleep(0.25)
        if any(e.kind == NOTE_ON and e.pitch == pitch for e in events):
            return True
    return False


@pytest.mark.parametrize("blind_seconds", [BLIND_S, 3600.0])
def test_a_keyboard_replugged_unseen_is_connected_again(jack_server, monkeypatch, blind_seconds):
    monkeypatch.setattr(ports, "BLIND_SECONDS", blind_seconds)  # 3600 s: the check is off
    keyboard = VirtualKeyboard("watch-keyboard")
    events: list = []
    watched = KeyboardInput("watch-keyboard", RealClock(), events.append,
                            api=api_by_name("jack"))
    try:
        watched.open()
        assert _heard(keyboard, events, 60), "connected at first"
        _held_up_while_replugged(keyboard, watched)
        heard = _heard(keyboard, events, 64)
        if blind_seconds == BLIND_S:
            assert heard and watched.rejoins == 1, f"heard: {heard}, rejoins: {watched.rejoins}"
        else:  # without the check the port stays unconnected: what the test guards against
            assert not heard and watched.rejoins == 0
    finally:
        watched.close()
        keyboard.close()
