"""Play, Stop, Panic, Esc, the record button, notes and driver changes hammered in random order
through the real window (offscreen), real FluidSynth and a real JACK server: no crash, no hang,
and every take saved whole."""

import os
import random
import time

import pytest
from PySide6.QtCore import Qt

from coperformer.io.take_check import note_balance
from tests.jack_helpers import start_jackd, stop_jackd

STRESS_SECONDS = float(os.environ.get("COPERFORMER_STRESS_SECONDS", "60"))
ACTION_LIMIT_S = 10.0  # one click may take this long (a JACK client opening), never more


@pytest.fixture(scope="module")
def jack_server():
    process = start_jackd()
    yield process
    stop_jackd(process)


def _actions(window, qtbot, rng):
    t, r = window.transport, window.recording
    drivers = [window.sound.driver.itemText(i) for i in range(window.sound.driver.count())]
    return {
        "play/stop": lambda: t.play.toggle(),
        "panic": lambda: r.panic.click(),
        "esc": lambda: qtbot.keyClick(window, Qt.Key_Escape),
        "record": lambda: r.record.toggle(),
        "note": lambda: (window.qwerty_press("a"), qtbot.wait(rng.randint(0, 80)),
                         window.qwerty_release("a")),
        "driver": lambda: window.sound.driver.setCurrentText(rng.choice(drivers)),
        "drums": lambda: window.band.drum_feel.setCurrentIndex(
            rng.randrange(window.band.drum_feel.count())),
    }


def test_play_stop_and_panic_in_any_order_for_a_minute(window, qtbot, jack_server, tmp_path,
                                                       monkeypatch):
    saved = []
    monkeypatch.setattr(window, "save_recording",
                        lambda: saved.append(window.controller.save_recording(
                            tmp_path / f"saved-{len(saved)}.mid")))
    rng = random.Random(20261122)
    actions = _actions(window, qtbot, rng)
    done: dict[str, int] = dict.fromkeys(actions, 0)
    deadline = time.monotonic() + STRESS_SECONDS
    while time.monotonic() < deadline:
        name = rng.choice(list(actions))
        started = time.monotonic()
        actions[name]()
        took = time.monotonic() - started
        assert took < ACTION_LIMIT_S, f"{name} took {took:.1f} s"
        done[name] += 1
        qtbot.wait(rng.choice((0, 5, 40, 250, 900)))
        assert t_consistent(window), f"after {name}: button and jam disagree"
    window.transport.play.setChecked(False)
    assert not window.controller.running
    assert all(count > 3 for count in done.values()), done
    print(f"stress: {done}, {len(saved)} takes saved")
    assert saved, "some jams were recorded and saved"
    for take in saved:  # every take saved during the storm has every note ended
        for track in range(1, 5):
            assert note_balance(take, track)[1] == 0, (take, track)


def t_consistent(window) -> bool:
    """The play button says what the controller does."""
    return window.transport.play.isChecked() == window.controller.running
