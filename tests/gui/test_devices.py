"""The window's devices through real parts: a JACK server started here (under a name of its
own), JACK MIDI ports in processes of their own, real Qt (offscreen), FluidSynth, the model."""

import os
import time

import pytest
from PySide6.QtWidgets import QApplication

from coperformer.gui.panels import QWERTY_LABEL
from coperformer.gui.settings import save_settings
from tests.gui.conftest import wait_for_band
from tests.jack_helpers import MidiMonitor, VirtualKeyboard, start_jackd, stop_jackd

NOTE_ON, NOTE_OFF = 0x90, 0x80
# A port gone and back within the watcher's blind time (midi/ports.BLIND_SECONDS, 1 s) could
# pass unseen; a USB keyboard takes longer than that to be plugged back and enumerated
UNPLUGGED_S = 1.5


@pytest.fixture(scope="module")
def jack_server():
    """A JACK server of this module's own: clients find it by JACK_DEFAULT_SERVER."""
    before = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = f"coperformer-devices-{os.getpid()}"
    process = start_jackd()
    yield process
    stop_jackd(process)
    if before is None:
        os.environ.pop("JACK_DEFAULT_SERVER", None)
    else:
        os.environ["JACK_DEFAULT_SERVER"] = before


@pytest.fixture
def keyboard(jack_server):
    device = VirtualKeyboard("devices-keyboard")
    yield device
    device.close()


@pytest.fixture
def jack_window(qtbot, settings, jack_server, shipped_model):
    """The window with the real MIDI port lister (FluidSynth without an audio device)."""
    from coperformer.gui.app import make_window

    settings.setValue("audio_driver", "none")
    win = make_window(settings)
    qtbot.addWidget(win)
    win.show()
    wait_for_band(qtbot, win)
    yield win
    win.close()


def _listed(qtbot, window, port: str) -> str:
    """The label under which the window lists a port, once it does."""
    picker = window.input_panel.picker

    def label() -> str | None:
        window.refresh_inputs()
        return next((picker.itemText(i) for i in range(picker.count())
                     if port in picker.itemText(i)), None)

    qtbot.waitUntil(lambda: label() is not None, timeout=5000)
    return label()


def _voices(window) -> int:
    synth = window.controller.idle.synth
    return synth.synth.synth.get_active_voice_count() if synth is not None else 0


def _unplugged(qtbot, window, keyboard) -> None:
    """Unplug the keyboard, as long as a player takes to plug a USB cable back at least
    (UNPLUGGED_S), and until the window says so."""
    gone = time.monotonic()
    keyboard.unplug()
    qtbot.waitUntil(lambda: "unplugged" in window.input_panel.state.text(), timeout=5000)
    qtbot.wait(max(0, round(1000 * (gone + UNPLUGGED_S - time.monotonic()))))


def _heard(qtbot, window, keyboard, pitch: int, tries: int = 20) -> None:
    """Play a note until the window shows it (a port that just came back reconnects within
    the watcher's period), then end it."""
    for _ in range(tries):
        keyboard.send([NOTE_ON, pitch, 100])
        qtbot.wait(250)
        if pitch in window.keys.down:
            break
        keyboard.send([NOTE_OFF, pitch, 0])
    assert pitch in window.keys.down, "the keyboard's note never lit its key"


def test_a_keyboard_chosen_while_stopped_sounds_and_lights_its_keys(jack_window, keyboard,
                                                                   qtbot):
    window = jack_window
    label = _listed(qtbot, window, keyboard.port)
    window.input_panel.picker.setCurrentText(label)
    qtbot.waitUntil(lambda: window.controller.idle.listening == label, timeout=3000)
    assert not window.controller.running
    keyboard.send([NOTE_ON, 64, 100])
    qtbot.waitUntil(lambda: 64 in window.keys.down, timeout=3000)
    assert _voices(window) > 0  # FluidSynth sounds it (played in the MIDI callback)
    keyboard.send([NOTE_OFF, 64, 0])
    qtbot.waitUntil(lambda: 64 not in window.keys.down, timeout=3000)
    window.input_panel.picker.setCurrentText(QWERTY_LABEL)  # another input: the port closes
    assert window.controller.idle.listening is None


def test_unplugged_while_stopped_the_keyboard_stays_chosen_and_comes_back(jack_window, keyboard,
                                                                          qtbot, settings):
    window = jack_window
    label = _listed(qtbot, window, keyboard.port)
    window.input_panel.picker.setCurrentText(label)
    _heard(qtbot, window, keyboard, 60)  # and held
    _unplugged(qtbot, window, keyboard)
    qtbot.waitUntil(lambda: 60 not in window.keys.down, timeout=3000)  # it can never end: ended
    assert "unplugged" in window.statusBar().currentMessage()
    assert window.input_panel.picker.currentText() == label and window.selected_input() == label
    qtbot.keyPress(window, "d")  # the computer keyboard does not take over
    qtbot.keyRelease(window, "d")
    assert 62 not in window.keys.down
    save_settings(window, settings)
    assert settings.value("input") == label
    keyboard.replug()
    qtbot.waitUntil(lambda: window.input_panel.state.text() == "● connected", timeout=5000)
    assert "is back" in window.statusBar().currentMessage()
    _heard(qtbot, window, keyboard, 67)
    assert window.input_panel.picker.currentText() == label


def test_a_keyboard_unplugged_at_start_stays_the_saved_input(qtbot, settings, jack_server,
                                                             shipped_model):
    from coperformer.gui.app import make_window

    settings.setValue("audio_driver", "none")
    settings.setValue("input", "devices-away — JACK")
    window = make_window(settings)
    qtbot.addWidget(window)
    assert window.input_panel.picker.currentText() == "devices-away — JACK"
    assert "unplugged" in window.input_panel.state.text()
    window.close()
    assert settings.value("input") == "devices-away — JACK"


def test_unplugged_mid_jam_the_choice_is_kept_and_the_jam_hears_it_again(jack_window, keyboard,
                                                                         qtbot, settings):
    window = jack_window
    label = _listed(qtbot, window, keyboard.port)
    window.input_panel.picker.setCurrentText(label)
    window.transport.count_in.setValue(0)
    window.transport.play.setChecked(True)
    assert window.controller.running, window.banner.text()
    assert window.controller.idle.listening is None  # the jam has the port now
    _unplugged(qtbot, window, keyboard)
    qtbot.keyPress(window, "a")  # the computer keyboard does not play into the take
    qtbot.keyRelease(window, "a")
    assert window.selected_input() == label and not window.plays_qwerty()
    keyboard.replug()
    qtbot.waitUntil(lambda: "connected" in window.input_panel.state.text(), timeout=8000)
    _heard(qtbot, window, keyboard, 72)  # through the jam: the bridge lights the key
    keyboard.send([NOTE_OFF, 72, 0])
    qtbot.waitUntil(lambda: any(not n.band and n.pitch == 72 for n in window.roll.notes),
                    timeout=3000)
    assert not any(not n.band and n.pitch == 60 for n in window.roll.notes)  # no 'a'
    assert window.controller.running
    window.transport.play.setChecked(False)
    save_settings(window, settings)
    assert settings.value("input") == label
    qtbot.waitUntil(lambda: window.controller.idle.listening == label, timeout=3000)


def test_play_with_the_keyboard_unplugged_starts_and_hears_it_when_it_comes(jack_window,
                                                                            keyboard, qtbot):
    window = jack_window
    label = _listed(qtbot, window, keyboard.port)
    window.input_panel.picker.setCurrentText(label)
    _unplugged(qtbot, window, keyboard)
    window.transport.count_in.setValue(0)
    window.transport.play.setChecked(True)
    assert window.controller.running, window.banner.text()  # not refused: it waits for it
    qtbot.waitUntil(lambda: window.roll.planned_bar >= 1, timeout=10000)
    keyboard.replug()
    _heard(qtbot, window, keyboard, 65)
    keyboard.send([NOTE_OFF, 65, 0])
    qtbot.waitUntil(lambda: any(not n.band and n.pitch == 65 for n in window.roll.notes),
                    timeout=3000)
    assert window.controller.jam.snapshot().stats["port_returns"] >= 1
    window.transport.play.setChecked(False)


def test_the_window_sends_the_band_and_its_clock_to_a_midi_port(jack_window, jack_server, qtbot,
                                                                fast_melody):
    window = jack_window
    monitor = MidiMonitor("devices-monitor")
    try:
        row = window.sound.midi_out
        row.refresh()
        labels = [row.port.itemText(i) for i in range(row.port.count())]
        label = next(text for text in labels if "devices-monitor" in text)
        row.port.setCurrentText(label)
        row.clock.setChecked(True)
        assert window.options().midi_out == label and window.options().midi_clock
        window.file_input = str(fast_melody)
        window.refresh_inputs()
        window.input_panel.choose_file(str(fast_melody))
        window.transport.count_in.setValue(0)
        window.transport.play.setChecked(True)
        assert window.controller.running, window.banner.text()
        qtbot.waitUntil(lambda: window.roll.planned_bar >= 3, timeout=20000)
        window.transport.play.setChecked(False)
    finally:
        monitor.close()
    band = [m for _, m in monitor.messages if m[0] & 0xF0 == NOTE_ON and m[0] & 0x0F in (1, 2, 3)
            and m[2] > 0]
    statuses = {m[0] for _, m in monitor.messages}
    assert len(band) >= 6, f"the band's notes did not arrive: {monitor.messages[:20]}"
    assert 0xFA in statuses and 0xF8 in statuses and 0xFC in statuses  # Start, clock, Stop
    assert not monitor.stuck_notes()


def test_the_margin_is_chosen_in_the_window_saved_and_played(window, qtbot, settings,
                                                             fast_melody):
    window.sound.margin.setValue(120)
    assert window.options().margin_ms == 120
    window.file_input = str(fast_melody)
    window.refresh_inputs()
    window.input_panel.choose_file(str(fast_melody))
    window.transport.play.setChecked(True)
    assert window.controller.running, window.banner.text()
    assert window.controller.jam.session.config.margin_ms == 120
    window.transport.play.setChecked(False)
    window.sound.midi_out.choose("Synth In — JACK")  # a port not there now: kept all the same
    window.sound.midi_out.clock.setChecked(True)
    save_settings(window, settings)
    assert int(float(settings.value("margin_ms"))) == 120
    from coperformer.gui.app import make_window

    again = make_window(settings, list_inputs=lambda: [])
    qtbot.addWidget(again)
    assert again.sound.margin.value() == 120
    assert again.options().midi_out == "Synth In — JACK" and again.options().midi_clock
    again.close()


def test_notes_played_while_a_drop_down_list_is_open_reach_the_jam(window, qtbot):
    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    window.transport.count_in.setValue(0)
    window.transport.play.setChecked(True)
    assert window.controller.running, window.banner.text()
    qtbot.waitUntil(lambda: window.roll.planned_bar >= 1, timeout=10000)
    meter = window.transport.meter
    meter.showPopup()
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=2000)
    target = QApplication.focusWidget()  # where a key pressed now goes: the open list
    assert target is not None and target.window() is not window
    planned = window.roll.planned_bar
    qtbot.keyPress(target, "a")
    qtbot.waitUntil(lambda: 60 in window.keys.down, timeout=3000)
    qtbot.wait(300)
    qtbot.keyRelease(target, "a")
    qtbot.waitUntil(lambda: 60 not in window.keys.down, timeout=3000)
    assert any(not n.band and n.pitch == 60 for n in window.roll.notes)  # in the jam
    assert QApplication.activePopupWidget() is not None  # the list stayed open
    assert meter.currentText() == "4/4"
    started = time.monotonic()
    qtbot.waitUntil(lambda: window.roll.planned_bar >= planned + 2, timeout=10000)
    assert window.controller.running and time.monotonic() - started < 10
    meter.hidePopup()


def test_a_speed_warning_names_the_margin_not_the_audio_driver(window, qtbot, fast_melody,
                                                               shipped_model):
    from coperformer.model.store import load_model
    from tests.jam.test_model_speed import BusyMoment

    model = load_model(str(shipped_model))
    real = model._backend
    model._backend = BusyMoment(real, 22, 0.03)  # both measurements: ~30 ms of CPU a bar
    try:
        window.sound.margin.setValue(50)
        window.file_input = str(fast_melody)
        window.refresh_inputs()
        window.input_panel.choose_file(str(fast_melody))
        window.transport.play.setChecked(True)
        assert window.controller.running, window.banner.text()
        window.transport.play.setChecked(False)
    finally:
        model._backend = real
    assert "close to the 50 ms decision margin" in window.statusBar().currentMessage() \
        or "close to the 50 ms decision margin" in window.banner.text()
    assert "Margin in the window's Sound panel" in window.banner.text()
    assert "driver" not in window.banner.text()
