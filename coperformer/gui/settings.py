"""Every choice of the window persists with QSettings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings


def _bool(value, default: bool) -> bool:
    if value is None:
        return default
    return value in (True, "true", "1", 1)


PREFERRED_DRIVERS = ("pipewire", "pulseaudio", "coreaudio", "wasapi", "dsound", "alsa", "jack")


def default_driver(window) -> str:
    """On first start: the first desktop audio driver FluidSynth has (else none)."""
    combo = window.sound.driver
    have = [combo.itemText(i) for i in range(combo.count())]
    return next((d for d in PREFERRED_DRIVERS if d in have), "none")


def load_settings(window, settings: QSettings) -> None:
    """Restore devices (by name), tempo, meter, voices, soundfont and geometry."""
    t = window.transport
    t.tempo.setValue(float(settings.value("tempo", 120.0)))
    t.meter.setCurrentText(str(settings.value("meter", "4/4")))
    t.count_in.setValue(int(settings.value("count_in", 1)))
    t.metronome.setChecked(_bool(settings.value("metronome"), True))
    t.sync_start.setChecked(_bool(settings.value("sync_start"), False))
    window.sound.driver.setCurrentText(str(settings.value("audio_driver", default_driver(window))))
    window.sound.period.setCurrentText(str(settings.value("period_size", "128")))
    soundfont = settings.value("soundfont", "")
    if soundfont:
        window.set_soundfont(str(soundfont))
    model = settings.value("model", "")
    if model:
        window.band.model.setCurrentText(str(model))
    for strip in window.strips:
        key = f"voices/{strip.channel}"
        strip.program.setCurrentIndex(int(settings.value(f"{key}/program",
                                                         strip.program.currentIndex())))
        strip.volume.setValue(int(settings.value(f"{key}/volume", 100)))
        strip.mute.setChecked(_bool(settings.value(f"{key}/mute"), False))
        strip.solo.setChecked(_bool(settings.value(f"{key}/solo"), False))
    window.file_input = settings.value("file_input", None) or None
    window.wanted_input = str(settings.value("input", ""))
    geometry = settings.value("geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    window.refresh_inputs()
    if window.wanted_input:
        window.input_panel.picker.setCurrentText(window.wanted_input)


def save_settings(window, settings: QSettings) -> None:
    """Write every choice."""
    t = window.transport
    values = {
        "tempo": t.tempo.value(), "meter": t.meter.currentText(),
        "count_in": t.count_in.value(), "metronome": t.metronome.isChecked(),
        "sync_start": t.sync_start.isChecked(),
        "audio_driver": window.sound.driver.currentText(),
        "period_size": window.sound.period.currentText(),
        "soundfont": window.soundfont or "", "model": window.band.model.currentText(),
        "input": window.input_panel.picker.currentText(),
        "file_input": window.file_input or "", "geometry": window.saveGeometry(),
    }
    for key, value in values.items():
        settings.setValue(key, value)
    for strip in window.strips:
        key = f"voices/{strip.channel}"
        settings.setValue(f"{key}/program", strip.program.currentIndex())
        settings.setValue(f"{key}/volume", strip.volume.value())
        settings.setValue(f"{key}/mute", strip.mute.isChecked())
        settings.setValue(f"{key}/solo", strip.solo.isChecked())
    settings.sync()
