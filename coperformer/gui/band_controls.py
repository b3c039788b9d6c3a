"""The band half of the main window: styles (chosen, loaded, trained), the mixer strips of
the style's voices and the drum kit, and the model card (a mixin of MainWindow; GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from coperformer.engine.mixer import Mixer
from coperformer.engine.sinks import BAND_CHANNELS
from coperformer.gui.card_view import card_text
from coperformer.gui.settings import autosave_strip, load_strip
from coperformer.gui.strips import VoiceStrip
from coperformer.gui.train_dialog import TrainDialog


class BandControls:
    """Style list, voice strips and training, for a window that has ``band``, ``controller``,
    ``loader``, ``roll``, ``settings``, ``program_names`` and ``autosave_timer``."""

    def open_training(self) -> TrainDialog:
        """The dialog that trains a style from the player's MIDI folder (kept open across
        a jam; a finished style joins the list)."""
        if self.train_dialog is None:
            self.train_dialog = TrainDialog(self)
            self.train_dialog.trained.connect(self.add_style)
        self.train_dialog.show()
        return self.train_dialog

    def add_style(self, name: str) -> None:
        """A newly trained style: listed with its card, and chosen."""
        if self.band.model.findText(name) < 0:
            self.band.model.addItem(name)
            self.band.model.setItemData(self.band.model.count() - 1, card_text(name),
                                        Qt.ToolTipRole)
        self.band.model.setCurrentText(name)

    def choose_style(self, name: str, trusted: bool = False) -> None:
        """Pick a style by name or model path (added to the list when it is not there); a
        file that is neither shipped nor trained here is loaded only once the player trusts
        it (``trusted``: they did, on the command line)."""
        from coperformer.model.errors import ModelError
        from coperformer.model.store import resolve_model
        from coperformer.model.trust import check_trusted, trust

        try:
            path = resolve_model(name)
            try:
                check_trusted(path)
            except ModelError:
                if not (trusted or self.ask_trust(path)):
                    return
                trust(path)
        except (ModelError, OSError) as exc:
            self.show_error(str(exc))
            return
        if self.band.model.findText(name) < 0:
            self.band.model.addItem(name)
            self.band.model.setItemData(self.band.model.count() - 1, card_text(name),
                                        Qt.ToolTipRole)
        self.band.model.setCurrentText(name)

    def ask_trust(self, path) -> bool:
        """Show a model file's card and hash and ask whether to trust it (a model is code)."""
        from PySide6.QtWidgets import QMessageBox

        from coperformer.model.card import sha256_of

        text = (f"{path}\n\n{card_text(str(path))}\n\nsha256 {sha256_of(path)}\n\nA model "
                "file is code. Load it only if you know where it comes from.")
        answer = QMessageBox.question(self, "Trust this model?", text)
        return answer == QMessageBox.StandardButton.Yes

    def open_model_file(self) -> None:
        """Choose a .pt file as the style (asked to trust it first)."""
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "A coperformer model", "", "Models (*.pt)")
        if path:
            self.choose_style(path)

    def preload_model(self) -> None:
        """Load the chosen model off the GUI thread; its voices then get their strips."""
        self.loader.load(self.band.model.currentText())

    def _on_model_loaded(self, name: str, voices: list[tuple[str, int]]) -> None:
        if name != self.band.model.currentText():
            return  # another style was chosen meanwhile
        self.controller.set_style(name)  # a running jam plays it from the next bar
        wanted = [(n, ch, p) for (n, p), ch in zip(voices, BAND_CHANNELS, strict=False)]
        if ([s.style for s in self.strips[1:]] != [name] * len(wanted)
                or self.band.voices()[1:] != [(n, ch) for n, ch, _ in wanted]):
            self._add_strips(wanted, keep=1, style=name)

    def _add_strips(self, voices: list[tuple[str, int, int]], keep: int = 0,
                    style: str = "") -> None:
        for strip in self.band.show_voices(voices, self.program_names, keep, style):
            load_strip(strip, self.settings)
            if self.autosave_timer is not None:
                autosave_strip(strip, self.autosave_timer)
            self._connect_strip(strip)
            if self.controller.running:  # a jam began before the model was ready
                self._send_strip(strip)

    def _connect_strip(self, strip: VoiceStrip) -> None:
        strip.program_changed.connect(self.controller.set_program)
        strip.volume_changed.connect(self.controller.set_volume)
        strip.mute_changed.connect(self.controller.set_mute)
        strip.solo_changed.connect(self.controller.set_solo)
        strip.float_changed.connect(self.controller.set_floating)
        strip.mute_changed.connect(lambda *_: self._show_mix_on_roll())
        strip.solo_changed.connect(lambda *_: self._show_mix_on_roll())

    def _show_mix_on_roll(self) -> None:
        """The roll draws the voices the mix silences faint (same rule as the mixer)."""
        mix = Mixer()
        for strip in self.mixer_strips:
            _program, _volume, muted, soloed = strip.setting()
            mix.set_mute(strip.channel, muted)
            mix.set_solo(strip.channel, soloed)
        self.roll.silent_channels = {s.channel for s in self.strips if not mix.audible(s.channel)}

    def _send_strip(self, strip: VoiceStrip) -> None:
        program, volume, muted, soloed = strip.setting()
        c = self.controller
        c.set_program(strip.channel, program)
        c.set_volume(strip.channel, volume)
        c.set_mute(strip.channel, muted)
        c.set_solo(strip.channel, soloed)
        if strip.above is not None:
            c.set_floating(strip.channel, strip.floating())

    def show_card(self) -> None:
        """The style's model card: data and measured figures."""
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self, "Model card", card_text(self.band.model.currentText()))
