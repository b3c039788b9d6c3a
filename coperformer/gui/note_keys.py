"""QWERTY notes that never get lost: an application-wide key filter plays the note keys
whatever widget has the focus (a text field keeps its keys while you type in it; an open
drop-down list does not), Space starts and stops from anywhere, and every key still down is
released when the window loses focus."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from coperformer.engine.qwerty import BLACK_KEYS, OCTAVE_DOWN, OCTAVE_UP, WHITE_KEYS

NOTE_KEYS = frozenset(WHITE_KEYS) | frozenset(BLACK_KEYS) | {OCTAVE_DOWN, OCTAVE_UP}
KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride)


class NoteKeys(QObject):
    """Installed on the application by the window; GUI thread only."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        """Take the note keys (and Space) before any widget does."""
        kind = event.type()
        if kind == QEvent.Type.WindowDeactivate and watched is self.window:
            self.window.release_qwerty()
            return False
        if kind not in KEY_EVENTS or not isinstance(watched, QWidget) \
                or owner(watched) is not self.window:  # (dialogs keep their keys)
            return False
        if _typing(QApplication.focusWidget()):
            return False
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            if kind == QEvent.Type.KeyPress:
                self.window.transport.play.toggle()
            return True
        text = event.text().lower()
        if text not in NOTE_KEYS or not self.window.plays_qwerty():
            return False
        if kind == QEvent.Type.KeyPress and not event.isAutoRepeat():
            self.window.qwerty_press(text)
        elif kind == QEvent.Type.KeyRelease and not event.isAutoRepeat():
            self.window.qwerty_release(text)
        return True


def owner(widget: QWidget) -> QWidget:
    """The window a widget's keys belong to: a drop-down list that is open is a popup window
    of its own, yet it belongs to the window of its combo box (its notes must not be lost).
    QWidget's own window(): a dialog may have an attribute of that name."""
    top = QWidget.window(widget)
    while top.windowType() == Qt.WindowType.Popup and top.parentWidget() is not None:
        top = QWidget.window(top.parentWidget())
    return top


def _typing(widget) -> bool:
    """A plain text field (not a number box) keeps every key while it has the focus."""
    return isinstance(widget, QLineEdit) and not widget.objectName().startswith("qt_spinbox")
