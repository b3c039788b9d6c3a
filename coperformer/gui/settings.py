"""Every choice of the window persists with QSettings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, QTimer

from coperformer.engine.mixer import DEFAULT_VOLUME
from coperformer.engine.transport import DEFAULT_BPM
from coperformer.gui.drums import NO_DRUMS
from coperformer.gui.panels import DEFAULT_METER
from coperformer.gui.strips import VoiceStrip

PREFERRED_DRIVERS = ("pipewire", "pulseaudio", "coreaudio", "wasapi", "dsound", "alsa", "jack")


def _bool(value, default: bool) -> bool:
    if value is None:
        return default
    return value in (True, "true", "1", 1)


def default_driver(window) -> str:
    """On first start: the first desktop audio driver FluidSynth has that has something to
    play to (a running server, a sound card), else none: never one that cannot open."""
    from coperformer.synth.jack_server import output_present

    combo = window.sound.driver
    have = [combo.itemText(i) for i in range(combo.count())]
    return next((d for d in PREFERRED_DRIVERS if d in have and output_present(d)), "none")


def load_settings(window, settings: QSettings) -> None:
    """Restore devices (by name), tempo, meter, voices, soundfont and geometry."""
    t = window.transport
    t.tempo.setValue(float(settings.value("tempo", DEFAULT_BPM)))
    t.meter.setCurrentText(str(settings.value("meter", DEFAULT_METER)))
    t.count_in.setValue(int(settings.value("count_in", t.count_in.value())))
    t.metronome.setChecked(_bool(settings.value("metronome"), True))
    t.follow.setChecked(_bool(settings.value("follow"), False))
    t.sync_start.setChecked(_bool(settings.value("sync_start"), False))
    t.sync_stop.setChecked(_bool(settings.value("sync_stop"), False))
    t.intro.setCurrentText(str(settings.value("intro", t.intro.currentText())))
    window.band.split.setCurrentText(str(settings.value("split", window.band.split.currentText())))
    window.band.chart.edit.setText(str(settings.value("chords", "")))
    window.band.adventure.setValue(int(settings.value("adventure",
                                                      window.band.adventure.value())))
    window.band.rhythm.setCurrentText(str(settings.value("harmonic_rhythm",
                                                         window.band.rhythm.currentText())))
    window.sound.driver.setCurrentText(str(settings.value("audio_driver", default_driver(window))))
    window.sound.period.setCurrentText(str(settings.value("period_size",
                                                          window.sound.period.currentText())))
    window.sound.margin.setValue(int(float(settings.value("margin_ms",
                                                          window.sound.margin.value()))))
    window.sound.midi_out.choose(str(settings.value("midi_out", "") or ""))
    window.sound.midi_out.clock.setChecked(_bool(settings.value("midi_clock"), False))
    soundfont = settings.value("soundfont", "")
    if soundfont:
        window.set_soundfont(str(soundfont))
    model = settings.value("model", "")
    if model:
        window.band.model.setCurrentText(str(model))
    window.band.drum_feel.setCurrentText(str(settings.value("drums", NO_DRUMS)))
    window.band.phrase.setCurrentText(str(settings.value("phrase",
                                                         window.band.phrase.currentText())))
    for strip in window.mixer_strips:
        load_strip(strip, settings)
    window.file_input = settings.value("file_input", None) or None
    window.wanted_input = str(settings.value("input", ""))
    geometry = settings.value("geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    window.refresh_inputs()
    if window.wanted_input:  # a keyboard not plugged in now stays the input
        window.input_panel.choose(window.wanted_input)


def program_key(strip: VoiceStrip) -> str:
    """Where a strip's program is kept: per channel, and per style for a band voice (another
    style starts on its own sounds)."""
    style = f"styles/{strip.style}/" if strip.style else ""
    return f"{style}voices/{strip.channel}/program"


def load_strip(strip: VoiceStrip, settings: QSettings) -> None:
    """Restore one voice's program, volume, mute and solo (by channel)."""
    key = f"voices/{strip.channel}"
    strip.select_program(int(settings.value(program_key(strip), strip.setting()[0])))
    strip.volume.setValue(int(settings.value(f"{key}/volume", DEFAULT_VOLUME)))
    strip.mute.setChecked(_bool(settings.value(f"{key}/mute"), False))
    strip.solo.setChecked(_bool(settings.value(f"{key}/solo"), False))
    if strip.above is not None:
        strip.above.setChecked(_bool(settings.value(f"{key}/above"), False))


def save_settings(window, settings: QSettings) -> None:
    """Write every choice."""
    t = window.transport
    values = {
        "tempo": t.tempo.value(), "meter": t.meter.currentText(),
        "count_in": t.count_in.value(), "metronome": t.metronome.isChecked(),
        "follow": t.follow.isChecked(),
        "sync_start": t.sync_start.isChecked(), "adventure": window.band.adventure.value(),
        "harmonic_rhythm": window.band.rhythm.currentText(),
        "sync_stop": t.sync_stop.isChecked(), "intro": t.intro.currentText(),
        "split": window.band.split.currentText(), "chords": window.band.chart.edit.text(),
        "audio_driver": window.sound.driver.currentText(),
        "period_size": window.sound.period.currentText(),
        "margin_ms": window.sound.margin.value(),
        "midi_out": window.sound.midi_out.selected() or "",
        "midi_clock": window.sound.midi_out.clock.isChecked(),
        "soundfont": window.soundfont or "", "model": window.band.model.currentText(),
        "drums": window.band.drum_feel.currentText(), "phrase": window.band.phrase.currentText(),
        "input": window.input_panel.picker.currentText(),
        "file_input": window.file_input or "", "geometry": window.saveGeometry(),
    }
    for key, value in values.items():
        settings.setValue(key, value)
    for strip in window.mixer_strips:
        program, volume, muted, soloed = strip.setting()
        key = f"voices/{strip.channel}"
        settings.setValue(program_key(strip), program)
        settings.setValue(f"{key}/volume", volume)
        settings.setValue(f"{key}/mute", muted)
        settings.setValue(f"{key}/solo", soloed)
        if strip.above is not None:
            settings.setValue(f"{key}/above", strip.floating())
    settings.sync()


AUTOSAVE_MS = 500  # settings are written this long after the last change


def autosave(window, settings: QSettings) -> QTimer:
    """Save every choice shortly after it changes, so a crash loses none (GUI thread)."""
    timer = QTimer(window)
    timer.setSingleShot(True)
    timer.setInterval(AUTOSAVE_MS)
    timer.timeout.connect(lambda: save_settings(window, settings))
    t, sound = window.transport, window.sound
    for signal in (t.tempo.valueChanged, t.meter.currentTextChanged, t.count_in.valueChanged,
                   t.metronome.toggled, t.follow.toggled, t.sync_start.toggled, t.sync_stop.toggled,
                   t.intro.currentTextChanged, window.band.split.currentTextChanged,
                   window.band.chart.edit.textChanged,
                   window.band.adventure.valueChanged, window.band.rhythm.currentTextChanged,
                   window.band.model.currentTextChanged, sound.driver.currentTextChanged,
                   sound.period.currentTextChanged, window.input_panel.picker.currentTextChanged,
                   sound.margin.valueChanged, sound.midi_out.port.currentTextChanged,
                   sound.midi_out.clock.toggled,
                   window.band.drum_feel.currentTextChanged, window.band.phrase.currentTextChanged):
        signal.connect(lambda *_: timer.start())
    for strip in window.mixer_strips:
        autosave_strip(strip, timer)
    return timer


def autosave_strip(strip: VoiceStrip, timer: QTimer) -> None:
    """Save when a voice's program, volume, mute, solo or float changes (GUI thread)."""
    for signal in (strip.program_changed, strip.volume_changed, strip.mute_changed,
                   strip.solo_changed, strip.float_changed):
        signal.connect(lambda *_: timer.start())
