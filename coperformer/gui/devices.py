"""The chosen MIDI keyboard between jams and through them: it sounds (the idle synth) and
lights the on-screen keys as soon as it is chosen, not only from Play; unplugged, the window
says so, keeps it chosen (and saved: never the computer keyboard instead) and hears it again
when it comes back, stopped or playing (a jam's own port reconnects by itself).

GUI thread, but for the keyboard's rtmidi callback: it timestamps, plays the note through the
idle synth and enqueues it here (a queued signal); only the slot touches widgets."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from coperformer.common.errors import first_line
from coperformer.engine.events import NOTE_OFF, NOTE_ON, PORT_LOST, InputEvent
from coperformer.engine.sinks import PLAYER_CHANNEL
from coperformer.gui.panels import is_port
from coperformer.music.gm import ALL_NOTES_OFF_CC, SUSTAIN_CC

SAID_MS = 15000  # how long the status bar says a keyboard went or came back


class Devices(QObject):
    """Follows the input choice, the device list and the transport (GUI thread)."""

    heard = Signal(object)  # an InputEvent, emitted on rtmidi's thread, handled on the GUI's

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.missing: str | None = None  # the chosen port last said to be unplugged
        self.failed: tuple[str, tuple[str, ...]] | None = None  # (label, ports) that failed
        self.heard.connect(self._show, Qt.ConnectionType.QueuedConnection)
        window.input_panel.picker.currentIndexChanged.connect(lambda _i: self.follow())
        window.transport.play.toggled.connect(lambda _on: QTimer.singleShot(0, self, self.follow))
        window.device_timer.timeout.connect(self.follow)  # after the list is refreshed
        QTimer.singleShot(0, self, self.follow)  # once the window shows: opening a synth takes time

    def follow(self) -> None:
        """Hear the chosen keyboard while stopped (or stop hearing it); say when it goes
        and comes back."""
        window, idle = self.window, self.window.controller.idle
        self._say_plugging(window.input_panel.unplugged())
        if window.controller.running:
            return  # the jam listens to its own port (Play closed the idle one)
        label = window.input_panel.picker.currentText()
        if not window.isVisible() or not is_port(label):
            idle.stop_listening()
        elif idle.listening != label and not window.input_panel.unplugged():
            self._listen(label)

    def _listen(self, label: str) -> None:
        """Open the keyboard's port for the idle synth; a failure is said once per choice
        and device list, not every second."""
        attempt = (label, tuple(self.window.input_panel.ports or ()))
        if attempt == self.failed:
            return
        try:
            self.window.controller.idle.listen(label, self.heard.emit)
        except Exception as exc:  # noqa: BLE001 - rtmidi's own errors too: said, not raised
            self.failed = attempt
            self.window.statusBar().showMessage(f"cannot listen to {label}: {first_line(exc)}",
                                                SAID_MS)
            return
        self.failed = None

    def _say_plugging(self, missing: str | None) -> None:
        """A keyboard that went away or came back is said once, in the status bar."""
        if missing == self.missing:
            return
        if missing:
            self.window.statusBar().showMessage(
                f"{missing} is unplugged: waiting for it to come back (it stays your input)",
                SAID_MS)
        elif self.missing == self.window.input_panel.picker.currentText():
            self.window.statusBar().showMessage(f"{self.missing} is back", SAID_MS)
        self.missing = missing

    def _show(self, event: InputEvent) -> None:
        """A note the keyboard played while stopped: light its key (it sounded already). The
        keyboard unplugged: what it held can never end, so it ends now."""
        keys = self.window.keys
        if self.window.controller.running:
            return  # a last note from before Play: the jam shows its own
        if event.kind == NOTE_ON:
            keys.press(event.pitch)
        elif event.kind == NOTE_OFF:
            keys.release(event.pitch)
        elif event.kind == PORT_LOST:
            for control in (SUSTAIN_CC, ALL_NOTES_OFF_CC):
                self.window.controller.idle.control_now(PLAYER_CHANNEL, control, 0)
            for pitch in list(keys.down):
                keys.release(pitch)
