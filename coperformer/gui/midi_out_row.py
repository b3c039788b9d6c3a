"""The window's MIDI out: the band (and MIDI clock) to a MIDI port, as `play --midi-out` and
`--midi-clock` do. The ports are listed when the list opens; a chosen port that is not there
now stays chosen (a jam then says it cannot open it). GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

NO_MIDI_OUT = "no MIDI out"


class PortList(QComboBox):
    """A drop-down list that asks for the ports each time it opens."""

    def __init__(self, refresh: Callable[[], None]):
        super().__init__()
        self._refresh = refresh

    def showPopup(self) -> None:  # noqa: N802 - Qt's name
        """List the ports as they are now, then open."""
        self._refresh()
        super().showPopup()


class MidiOutRow(QWidget):
    """MIDI out port and MIDI clock (labels as `coperformer devices` and the input list show
    them: "name — API")."""

    def __init__(self, list_outputs: Callable[[], list[str]] | None = None, parent=None):
        super().__init__(parent)
        self.list_outputs = list_outputs
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.port = PortList(self.refresh)
        self.port.addItem(NO_MIDI_OUT)
        self.port.setToolTip("Send the band (its notes, programs and volumes) to a MIDI port "
                             "too: a DAW, a hardware synth")
        self.clock = QCheckBox("MIDI clock")
        self.clock.setToolTip("Send MIDI clock, Start and Stop to that port (a DAW or a drum "
                              "machine follows the tempo)")
        row.addWidget(QLabel("MIDI out"))
        row.addWidget(self.port, 1)
        row.addWidget(self.clock)

    def refresh(self) -> None:
        """List the output ports now, keeping the choice (by name) even when it is gone."""
        try:
            ports = self._lister()()
        except Exception:  # noqa: BLE001 - no MIDI system: no port to offer
            ports = []
        current = self.port.currentText()
        wanted = [NO_MIDI_OUT] + ports + ([current] if current not in (NO_MIDI_OUT, *ports)
                                          else [])
        if [self.port.itemText(i) for i in range(self.port.count())] != wanted:
            self.port.blockSignals(True)  # the choice does not change: nothing to save
            self.port.clear()
            self.port.addItems(wanted)
            self.port.setCurrentText(current)
            self.port.blockSignals(False)

    def _lister(self) -> Callable[[], list[str]]:
        if self.list_outputs is None:
            from coperformer.midi.ports import InputPortLister

            self.list_outputs = InputPortLister("out")
        return self.list_outputs

    def close_lister(self) -> None:
        """Free the port lister's MIDI clients (the window closes)."""
        close = getattr(self.list_outputs, "close", None)
        if close is not None:
            close()

    def choose(self, label: str) -> None:
        """Select this port (a saved choice), listed even when it is not there now."""
        if label and self.port.findText(label) < 0:
            self.port.addItem(label)
        self.port.setCurrentText(label or NO_MIDI_OUT)

    def selected(self) -> str | None:
        """The chosen port's label, or None for no MIDI out."""
        text = self.port.currentText()
        return None if text in ("", NO_MIDI_OUT) else text
