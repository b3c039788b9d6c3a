"""The desktop app through real Qt (offscreen), the real model and real FluidSynth."""

import re
import subprocess
import sys
from pathlib import Path

import mido
from PySide6.QtCore import Qt

from coperformer.gui.panels import QWERTY_LABEL
from tests.gui.conftest import wait_for_band
from tests.midi_helpers import melody_notes, write_midi


def _play_file(window, path, tempo=200):
    window.file_input = str(path)
    window.refresh_inputs()
    window.input_panel.picker.setCurrentText(f"File: {path}")
    window.transport.tempo.setValue(tempo)
    window.transport.count_in.setValue(0)
    window.transport.play.setChecked(True)


def test_window_opens_and_closes_cleanly(window, qtbot):
    assert window.isVisible()
    assert window.input_panel.picker.itemText(0) == QWERTY_LABEL
    window.close()
    assert not window.controller.running


def test_play_with_a_file_draws_band_notes_and_the_planned_bar(window, qtbot, fast_melody):
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    qtbot.waitUntil(lambda: window.roll.band_notes_count() > 0, timeout=10000)
    assert window.roll.planned_bar >= 1
    qtbot.waitUntil(lambda: "late band bar" in window.stats_label.text(), timeout=5000)
    window.transport.play.setChecked(False)
    assert not window.controller.running


def test_record_then_stop_saves_melody_and_band_tracks(window, qtbot, fast_melody, tmp_path,
                                                       monkeypatch):
    target = tmp_path / "take.mid"
    proposed = []
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: proposed.append(a[2]) or (str(target), "MIDI (*.mid)"))
    window.recording.record.setChecked(True)
    _play_file(window, fast_melody)
    qtbot.waitUntil(lambda: window.roll.band_notes_count() > 10, timeout=15000)
    window.transport.play.setChecked(False)
    midi = mido.MidiFile(target)
    names = [t.name for t in midi.tracks]
    assert names == ["Conductor", "Melody", "Alto", "Tenor", "Bass"]
    assert sum(m.type == "note_on" and m.velocity for m in midi.tracks[1]) > 0
    assert sum(m.type == "note_on" and m.velocity for m in midi.tracks[2]) > 0
    assert proposed and re.fullmatch(r"jam-\d{8}-\d{6}\.mid", Path(proposed[0]).name)


def test_device_list_follows_ports_appearing_and_disappearing(window, ports):
    picker = window.input_panel.picker
    assert picker.findText("USB Keyboard MIDI 1") >= 0
    picker.setCurrentText("USB Keyboard MIDI 1")
    assert "connected" in window.input_panel.state.text()
    ports.append("Second Synth")
    window.refresh_inputs()
    assert picker.findText("Second Synth") >= 0
    ports.remove("Second Synth")
    window.refresh_inputs()
    assert picker.findText("Second Synth") < 0  # gone from the list: it was not chosen
    ports.remove("USB Keyboard MIDI 1")
    window.refresh_inputs()  # the chosen one unplugged: still chosen, said so
    assert picker.currentText() == "USB Keyboard MIDI 1"
    assert "unplugged" in window.input_panel.state.text()
    ports.append("USB Keyboard MIDI 1")
    window.refresh_inputs()
    assert picker.findText("USB Keyboard MIDI 1") >= 0
    assert picker.currentText() == "USB Keyboard MIDI 1"
    assert "connected" in window.input_panel.state.text()


def test_settings_survive_a_restart(qtbot, settings, tmp_path, monkeypatch, shipped_model):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    from coperformer.gui.app import make_window

    first = make_window(settings, list_inputs=lambda: ["Keys A"])
    qtbot.addWidget(first)
    wait_for_band(qtbot, first)
    assert [s.label.text() for s in first.strips] == ["Player", "Alto", "Tenor", "Bass"]
    first.transport.tempo.setValue(97)
    first.transport.meter.setCurrentText("2/4")  # (a polka's, a march's)
    first.transport.metronome.setChecked(False)
    first.strips[3].program.setCurrentIndex(32)
    first.strips[1].volume.setValue(64)
    first.input_panel.picker.setCurrentText("Keys A")
    first.band.adventure.setValue(85)
    assert first.options().chords_every == "beat"  # as `play` does
    first.band.rhythm.setCurrentText("a chord a bar")
    first.close()
    second = make_window(settings, list_inputs=lambda: ["Keys A"])
    qtbot.addWidget(second)
    wait_for_band(qtbot, second)
    assert second.transport.tempo.value() == 97
    assert second.transport.meter.currentText() == "2/4"
    assert not second.transport.metronome.isChecked()
    assert second.strips[3].program.currentIndex() == 32
    assert second.strips[1].volume.value() == 64
    assert second.input_panel.picker.currentText() == "Keys A"
    assert second.band.adventure.value() == 85 and second.options().adventure == 0.85
    assert second.band.rhythm.currentText() == "a chord a bar"
    assert second.options().chords_every == "bar"


def test_changing_a_voice_program_changes_what_fluidsynth_plays(window, qtbot, fast_melody):
    _play_file(window, fast_melody)
    synth = window.controller.jam.synth.synth.synth
    qtbot.waitUntil(lambda: synth.program_info(3)[2] == 42, timeout=5000)
    window.strips[3].program.setCurrentIndex(32)  # Bass: acoustic bass (through the inbox)
    qtbot.waitUntil(lambda: synth.program_info(3)[2] == 32, timeout=2000)
    window.strips[1].program.setCurrentIndex(73)  # Alto: flute
    qtbot.waitUntil(lambda: synth.program_info(1)[2] == 73, timeout=2000)


def test_qwerty_keys_make_notes(window, qtbot):
    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    window.transport.count_in.setValue(0)
    window.transport.play.setChecked(True)
    assert window.controller.running, window.banner.text()
    qtbot.keyPress(window, "a")
    qtbot.waitUntil(lambda: any(not n.band for n in window.roll.notes), timeout=3000)
    assert 60 in window.keys.down
    qtbot.keyRelease(window, "a")
    qtbot.waitUntil(lambda: 60 not in window.keys.down, timeout=3000)
    assert window.controller.jam.passthrough.latency_ms


def test_errors_show_in_the_window(window, tmp_path, monkeypatch):
    monkeypatch.setenv("COPERFORMER_SOUNDFONT", str(tmp_path / "missing.sf2"))
    window.transport.play.setChecked(True)
    assert not window.controller.running
    assert not window.transport.play.isChecked()
    assert "soundfont" in window.banner.text() and window.banner.isVisible()


def test_smoke_real_entry_point_offscreen(fast_melody, tmp_path, shipped_model):
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    import os

    env = {**os.environ, **env}
    result = subprocess.run([sys.executable, "-m", "coperformer.cli", "gui", "--input-file",
                             str(fast_melody), "--quit-after", "4"], env=env,
                            capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]


def test_piano_roll_survives_many_frames(window):
    """Thousands of paint calls per second for minutes must not crash (PySide6 6.12 did)."""
    import time as _time

    from coperformer.engine.sinks import ScheduledNote

    now = _time.perf_counter_ns()
    window.roll.band_planned(1, [ScheduledNote(now + i * 10**7, now + i * 10**7 + 10**9, 1,
                                               40 + i % 40, 80) for i in range(300)])
    for _ in range(300):
        window.roll.grab()
    assert window.roll.frames >= 300


def test_an_unsaved_journal_is_offered_for_recovery(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from coperformer.common.paths import recordings_dir
    from coperformer.engine.clock import VirtualClock
    from coperformer.engine.recorder import Recorder
    from coperformer.engine.transport import Transport
    from coperformer.gui.app import offer_recovery

    folder = recordings_dir()
    folder.mkdir(parents=True, exist_ok=True)
    recorder = Recorder(folder / "jam-crash.mid.journal")
    transport = Transport(120)
    transport.start(VirtualClock().now_ns())
    recorder.begin([], transport)
    recorder.player(1_000_000, (0x90, 60, 90))
    recorder.player(500_000_000, (0x80, 60, 0))
    recorder.close()
    monkeypatch.setattr(QMessageBox, "exec", lambda box: box.button(QMessageBox.Yes).click())
    written = offer_recovery(window)
    assert [p.name for p in written] == ["jam-crash-recovered.mid"]
    assert written[0].exists() and not (folder / "jam-crash.mid.journal").exists()


def test_export_wav_renders_with_a_progress_bar(window, qtbot, tmp_path, fast_melody):
    import wave

    target = tmp_path / "take.wav"
    values = []
    window.exporter.progress.connect(values.append)
    window.exporter.export(fast_melody, target, None)
    qtbot.waitUntil(lambda: target.exists() and values and values[-1] == 100, timeout=20000)
    with wave.open(str(target)) as wav:
        assert wav.getnframes() > 44100
    assert values == sorted(values)


def test_shortcuts_space_plays_and_stops_r_arms_recording(window, qtbot):
    from PySide6.QtCore import Qt

    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key_R)
    assert window.recording.record.isChecked()
    qtbot.keyClick(window, Qt.Key_R)
    assert not window.recording.record.isChecked()
    qtbot.keyClick(window, Qt.Key_Space)
    assert window.controller.running, window.banner.text()
    qtbot.keyClick(window, Qt.Key_Escape)  # panic: everything silent, the jam goes on
    assert window.controller.running
    qtbot.keyClick(window, Qt.Key_Space)
    assert not window.controller.running


def test_a_driver_that_cannot_open_falls_back_to_silent_play(window):
    window.sound.driver.addItem("no-such-driver")
    window.sound.driver.setCurrentText("no-such-driver")
    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    window.transport.play.setChecked(True)
    assert window.controller.running
    assert "playing without sound" in window.banner.text()
    assert window.controller.jam.synth.driver is None


def test_a_worker_failure_reaches_the_window(window, qtbot, fast_melody, tmp_path, monkeypatch):
    """The generator raises mid-jam: banner, back to Play, notes silenced, the take kept."""
    import threading

    from coperformer.model.store import load_model
    from coperformer.synth.live_synth import LiveSynth

    model = load_model(window.band.model.currentText())
    real_generate, bars = model.generate, []

    def generate(*args):
        bars.append(1)
        if len(bars) > 15:  # 3 bars: 4 provisional plans (one a beat) and the decision each
            raise RuntimeError("the generator exploded")
        return real_generate(*args)

    monkeypatch.setattr(model, "generate", generate)
    silenced = []
    real_silence = LiveSynth.all_notes_off
    monkeypatch.setattr(LiveSynth, "all_notes_off", lambda synth: (
        silenced.append(threading.current_thread().name), real_silence(synth))[1])
    target = tmp_path / "take.mid"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), "MIDI files (*.mid)"))
    window.recording.record.setChecked(True)
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    qtbot.waitUntil(lambda: not window.transport.play.isChecked(), timeout=20000)
    assert window.banner.isVisible()
    assert "RuntimeError: the generator exploded" in window.banner.text()
    assert window.transport.play.text() == "▶ Play"
    assert not window.controller.running
    assert "coperformer-worker" in silenced, "the failing worker silenced every note"
    midi = mido.MidiFile(target)
    assert [t.name for t in midi.tracks] == ["Conductor", "Melody", "Alto", "Tenor", "Bass"]
    assert sum(m.type == "note_on" and m.velocity for m in midi.tracks[1]) > 0
    band = sum(m.type == "note_on" and m.velocity for t in midi.tracks[2:] for m in t)
    assert band > 0, "the bars planned before the failure are in the take"


def test_the_harmony_slider_steers_the_listening_band_mid_jam(window, qtbot, fast_melody):
    window.band.adventure.setValue(10)
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    planner = window.controller.jam.session.band.planner
    assert planner.adventure == 0.1
    window.band.adventure.setValue(90)  # through the session's inbox, applied by the worker
    qtbot.waitUntil(lambda: planner.adventure == 0.9, timeout=5000)
    assert window.band.adventure.focusPolicy() == Qt.NoFocus  # QWERTY keeps the focus
    window.transport.play.setChecked(False)


def test_the_chord_rhythm_switch_steers_the_listening_band_mid_jam(window, qtbot,
                                                                    fast_melody):
    window.band.rhythm.setCurrentText("a chord a bar")
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    steering = window.controller.jam.session.steering
    assert steering.can_change and steering.every == "bar"
    window.band.rhythm.setCurrentText("a chord a half bar")  # through the session's inbox
    qtbot.waitUntil(lambda: steering.every == "half", timeout=5000)
    window.band.rhythm.setCurrentText("a chord a beat")
    qtbot.waitUntil(lambda: steering.every == "beat", timeout=5000)
    assert steering.stage.band.planner.every == "beat"
    assert window.band.rhythm.focusPolicy() == Qt.NoFocus  # QWERTY keeps the focus
    window.transport.play.setChecked(False)


def test_the_window_says_at_start_when_there_is_no_soundfont(window, monkeypatch, tmp_path):
    import coperformer.synth.soundfont as sf
    from coperformer.gui.app import check_soundfont

    assert check_soundfont(window) and window.banner.isHidden()
    monkeypatch.delenv("COPERFORMER_SOUNDFONT", raising=False)
    monkeypatch.setattr(sf, "SYSTEM_SOUNDFONTS", ())
    monkeypatch.setattr(sf, "soundfonts_dir", lambda: tmp_path)
    monkeypatch.setattr(sf, "user_soundfonts_dir", lambda: tmp_path)
    window.set_soundfont(None)
    assert not check_soundfont(window)
    assert not window.banner.isHidden()
    assert "fluid-soundfont-gm" in window.banner.text()


def test_a_midi_file_brings_its_tempo_and_meter_into_the_window(window, tmp_path):
    path = write_midi(tmp_path / "waltz.mid", [{"channel": 0, "notes": melody_notes(6)}],
                      bpm=84, meter=(3, 4))
    window.use_file(str(path))
    assert window.transport.tempo.value() == 84
    assert window.transport.meter.currentText() == "3/4"
    options = window.options()
    assert options.tempo == 84 and options.meter == "3/4"
    broken = tmp_path / "broken.mid"
    broken.write_bytes(b"MThd nonsense")
    window.use_file(str(broken))
    assert not window.banner.isHidden() and window.transport.tempo.value() == 84


def test_settings_are_saved_when_they_change_not_only_on_close(window, qtbot, settings):
    from PySide6.QtCore import QSettings

    window.transport.tempo.setValue(97)
    window.strips[1].volume.setValue(33)
    channel = window.strips[1].channel

    def saved():
        fresh = QSettings(settings.fileName(), QSettings.IniFormat)
        return (float(fresh.value("tempo", 0)) == 97
                and int(fresh.value(f"voices/{channel}/volume", 0)) == 33)

    qtbot.waitUntil(saved, timeout=5000)  # the window is still open


def test_the_chord_board_shows_the_chord_now_and_the_one_coming(window, qtbot, fast_melody):
    from coperformer.gui.chords import NO_CHORD_SHOWN

    seen = []
    window.bridge.chord.connect(lambda bar, name, provisional: seen.append((bar, provisional)))
    _play_file(window, fast_melody)
    qtbot.waitUntil(lambda: window.chords.now.text() != NO_CHORD_SHOWN, timeout=15000)
    qtbot.waitUntil(lambda: any(p for _, p in seen) and window.chords.next.text() != NO_CHORD_SHOWN,
                    timeout=15000)
    previewed = {bar for bar, p in seen if p}
    decided = [bar for bar, p in seen if not p]
    assert previewed & set(decided), "a bar is previewed, then decided"
    assert window.chords.now.sizeHint().height() >= 40  # large
    window.transport.play.setChecked(False)


def test_qwerty_notes_play_whatever_widget_has_the_focus(window, qtbot):
    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    window.transport.count_in.setValue(0)
    window.transport.tempo.setFocus()  # the focus sits in the tempo box
    qtbot.keyClick(window.transport.tempo, Qt.Key_Space)  # Space plays, the tempo stays
    assert window.controller.running and window.transport.tempo.value() > 0
    for widget in (window.transport.tempo, window.input_panel.picker, window.strips[1].program):
        widget.setFocus()
        qtbot.keyPress(widget, "s")  # D
        qtbot.waitUntil(lambda: 62 in window.keys.down, timeout=3000)
        qtbot.keyRelease(widget, "s")
        qtbot.waitUntil(lambda: 62 not in window.keys.down, timeout=3000)
    assert window.strips[1].program.currentIndex() >= 0
    qtbot.keyPress(window.transport.tempo, "d")  # E held when the window loses the focus
    qtbot.waitUntil(lambda: 64 in window.keys.down, timeout=3000)
    window.release_qwerty()
    qtbot.waitUntil(lambda: 64 not in window.keys.down, timeout=3000)
    qtbot.keyClick(window.transport.tempo, Qt.Key_Space)
    assert not window.controller.running


def test_a_declined_recovery_is_kept_aside_and_not_asked_again(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from coperformer.common.paths import recordings_dir
    from coperformer.gui.app import DECLINED_FOLDER, offer_recovery

    folder = recordings_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jam-old.mid.journal").write_text("{}\n")
    asked = []
    monkeypatch.setattr(QMessageBox, "exec",
                        lambda box: asked.append(1) or box.button(QMessageBox.No).click())
    assert offer_recovery(window) == [] and len(asked) == 1
    assert (folder / DECLINED_FOLDER / "jam-old.mid.journal").exists()
    assert offer_recovery(window) == [] and len(asked) == 1  # not asked again


def test_the_roll_colours_each_voice_and_fades_what_the_mix_silences(window):
    from coperformer.gui.pianoroll import MUTED_ALPHA, VOICE_COLORS

    alto, tenor, bass = window.strips[1:4]
    bass.mute.setChecked(True)
    assert window.roll.silent_channels == {bass.channel}
    alto.solo.setChecked(True)
    assert window.roll.silent_channels == {s.channel for s in window.strips if s is not alto}
    alto.solo.setChecked(False)
    bass.mute.setChecked(False)
    assert window.roll.silent_channels == set()
    assert len({c.name() for c in VOICE_COLORS}) == 3 and MUTED_ALPHA < 255
    window.roll.grab()  # paints with voices and a muted channel without error


def test_clicking_the_on_screen_keyboard_plays(window, qtbot):
    from PySide6.QtCore import QPoint

    window.input_panel.picker.setCurrentText(QWERTY_LABEL)
    window.transport.count_in.setValue(0)
    window.transport.play.setChecked(True)
    keys = window.keys
    keys.resize(700, 60)
    white_w = keys.width() / len(keys._whites())
    assert keys.pitch_at(white_w / 2, 55) == keys.low  # a white key, low on the key
    assert keys.pitch_at(white_w, 10) == keys.low + 1  # the black key between C and D
    qtbot.mousePress(keys, Qt.LeftButton, pos=QPoint(int(white_w / 2), 55))
    qtbot.waitUntil(lambda: keys.low in keys.down, timeout=3000)
    qtbot.mouseRelease(keys, Qt.LeftButton, pos=QPoint(int(white_w / 2), 55))
    qtbot.waitUntil(lambda: keys.low not in keys.down, timeout=3000)
    window.transport.play.setChecked(False)


def test_choosing_another_style_mid_jam_takes_over_with_its_voices(window, qtbot, fast_melody,
                                                                   second_style):
    styles = [window.band.model.itemText(i) for i in range(window.band.model.count())]
    assert {"bach", "palestrina"} <= set(styles)
    tip = window.band.model.itemData(styles.index("palestrina"), Qt.ToolTipRole)
    assert "Palestrina" in tip and "sha256" in tip  # the list shows each style's card
    window.band.model.setCurrentText("bach")
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    jam = window.controller.jam
    synth = jam.synth.synth.synth
    qtbot.waitUntil(lambda: synth.program_info(1)[2] == 48, timeout=5000)
    first = jam.session.band.generator
    window.band.model.setCurrentText("palestrina")  # loaded off the GUI thread, then sent
    qtbot.waitUntil(lambda: jam.session.band.generator is not first, timeout=30000)
    qtbot.waitUntil(lambda: synth.program_info(1)[2] == 52, timeout=5000)
    assert [s.label.text() for s in window.strips[1:]] == ["Altus", "Tenor", "Bassus"]
    qtbot.waitUntil(lambda: jam.snapshot().stats.get("style_changes") == 1, timeout=5000)
    window.transport.play.setChecked(False)
    assert window.controller.last.session.stats.misses == 0


def test_the_drum_groove_is_chosen_in_the_window_and_follows_it_mid_jam(window, qtbot,
                                                                        fast_melody):
    from coperformer.gui.drums import DRUMS_LABEL

    drums = window.band.drums
    assert "not AI" in DRUMS_LABEL and drums.feel.currentText() == "off"
    drums.feel.setCurrentText("swing")
    drums.strip.select_program(8)  # the Room kit
    assert window.options().drums == "swing" and window.options().programs[9] == 8
    _play_file(window, fast_melody)
    assert window.controller.running, window.banner.text()
    session = window.controller.jam.session
    synth = window.controller.jam.synth.synth.synth
    assert session.mix.groove == "swing"
    qtbot.waitUntil(lambda: synth.program_info(9)[1:] == (128, 8), timeout=5000)
    drums.strip.select_program(40)  # Brush, through the session's inbox
    qtbot.waitUntil(lambda: synth.program_info(9)[2] == 40, timeout=5000)
    drums.feel.setCurrentText("off")
    qtbot.waitUntil(lambda: session.mix.groove is None, timeout=5000)
    window.transport.play.setChecked(False)


def test_a_model_file_from_elsewhere_is_played_only_once_trusted(window, tmp_path,
                                                                 shipped_model, monkeypatch):
    from coperformer.model.trust import trusted_hashes

    stranger = str(tmp_path / "downloaded.pt")  # not the shipped bytes: a byte more
    (tmp_path / "downloaded.pt").write_bytes(shipped_model.read_bytes() + b"\0")
    asked = []
    monkeypatch.setattr(window, "ask_trust", lambda path: asked.append(path) or False)
    window.choose_style(stranger)
    assert asked and window.band.model.findText(stranger) < 0 and not trusted_hashes()
    monkeypatch.setattr(window, "ask_trust", lambda path: True)
    window.choose_style(stranger)
    assert window.band.model.currentText() == stranger and len(trusted_hashes()) == 1


def test_the_ending_button_ends_the_tune_on_a_final_chord(window, qtbot, tmp_path):
    long_melody = write_midi(tmp_path / "long.mid", [{"channel": 0, "notes": melody_notes(40)}],
                             bpm=200)
    window.transport.intro.setCurrentText("intro G")
    window.transport.sync_stop.setChecked(True)
    options = window.options()
    assert options.intro == "G" and options.sync_stop
    _play_file(window, long_melody)
    assert window.controller.running, window.banner.text()
    session = window.controller.jam.session
    qtbot.waitUntil(lambda: (session.snapshot().planned_bar or 0) >= 2, timeout=15000)
    window.transport.ending.click()
    qtbot.waitUntil(lambda: not window.transport.play.isChecked(), timeout=15000)
    assert session.ending.bar is not None and session.ending.bar <= 5  # not the file's end
    assert session.config.intro is not None and session.config.sync_stop


def test_a_left_hand_chord_steers_the_band_and_shows_on_the_chord_board(window, qtbot,
                                                                         tmp_path):
    left = [(p, 0.0, 30.0) for p in (45, 48, 52)]  # A minor held below F#3
    source = write_midi(tmp_path / "hands.mid", [
        {"channel": 0, "notes": melody_notes(8, low=67)}, {"channel": 0, "notes": left}],
        bpm=200, midi_type=0)
    window.band.split.setCurrentText("chords below F#3")
    assert window.options().split == "F#3"
    _play_file(window, source)
    assert window.controller.running, window.banner.text()
    qtbot.waitUntil(lambda: window.chords.now.text() == "Am", timeout=20000)
    assert window.controller.jam.session.steering.left_hand.chord.name == "Am"
    window.transport.play.setChecked(False)


def test_the_window_fits_a_1024_by_600_screen(window, qtbot):
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1024, 600), timeout=3000)
    assert window.minimumSizeHint().height() <= 600 and window.minimumSizeHint().width() <= 1024
    assert window.transport.play.isVisible()  # reachable: the rest scrolls
