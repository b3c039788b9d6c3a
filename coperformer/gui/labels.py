"""Labels that never move the layout: a line elided to the space it is given (the whole text
in its tip), and the error banner laid over the top of a widget (GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QWidget

ELIDED_MIN_WIDTH = 60  # what an elided line asks of its row at least
ELIDED_MAX_WIDTH = 320  # and at most, however long its text


class ElidedLabel(QLabel):
    """One line that is cut with '…' where its row has no room; ``text()`` and the tip (when
    it is cut) keep the whole of it, so a long message can never widen a panel."""

    def __init__(self, text: str = "", max_width: int = ELIDED_MAX_WIDTH):
        super().__init__(text)
        self.max_width = max_width
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        self.setTextFormat(Qt.PlainText)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """A narrow minimum: the row, not the text, decides the width."""
        return QSize(min(ELIDED_MIN_WIDTH, super().sizeHint().width()),
                     super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The whole text's width, up to ``max_width``."""
        hint = super().sizeHint()
        return QSize(min(hint.width(), self.max_width), hint.height())

    def shown_text(self) -> str:
        """The text as it fits the label's width now."""
        return self.fontMetrics().elidedText(self.text(), Qt.ElideMiddle,
                                             self.contentsRect().width())

    def tip(self) -> str:
        """What hovering shows: the label's own tip, else the whole text when it is cut."""
        return self.toolTip() or (self.text() if self.shown_text() != self.text() else "")

    def event(self, event) -> bool:
        """A label cut short says the whole of its text when hovered."""
        if event.type() == QEvent.Type.ToolTip and not self.toolTip() and self.tip():
            QToolTip.showText(event.globalPos(), self.tip(), self)
            return True
        return super().event(event)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        """Draw the elided text with the label's palette (its style sheet's colours)."""
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), self.alignment() | Qt.AlignVCenter,
                                  self.palette(), self.isEnabled(), self.shown_text(),
                                  self.foregroundRole())


class Banner(QLabel):
    """The error banner: laid over the top of ``host`` (it never pushes a widget down, so no
    click lands elsewhere than aimed); a click on it hides it."""

    def __init__(self, host: QWidget):
        super().__init__(host)
        self.setObjectName("errorBanner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.PlainText)
        self.setToolTip("Click to hide this message")
        self.hide()
        host.installEventFilter(self)

    def say(self, message: str) -> None:
        """Show this message over the host's top edge."""
        self.setText(message)
        self._fit()
        self.show()
        self.raise_()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        """Follow the host's width."""
        if event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def mousePressEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        """A click puts the message away."""
        self.hide()

    def _fit(self) -> None:
        host = self.parentWidget()
        width = host.width()
        self.setGeometry(0, 0, width, min(self.heightForWidth(width), host.height()))
