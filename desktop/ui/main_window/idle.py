"""Locking by itself: the idle timer, and Ctrl+L (lock) and Ctrl+Q (quit) from every window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    pass


INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """Signals `idle` after a quiet spell. An app-wide event filter restarts the
    timer on any key, click, wheel or pointer movement in any window."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._watching = False

    def start(self, milliseconds: int) -> None:
        self._timer.setInterval(max(1, milliseconds))
        self._timer.start()
        if not self._watching:
            QApplication.instance().installEventFilter(self)
            self._watching = True

    def stop(self) -> None:
        self._timer.stop()
        if self._watching:
            QApplication.instance().removeEventFilter(self)
            self._watching = False

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._timer.start()
        return False


class AppKey(QObject):
    """A key that works from every window while a session is open: a modal form, the
    print preview, the work pack library. Ctrl+L locks and Ctrl+Q quits through these.
    (The main window's own actions only see keys typed in the main window; a modal
    dialog blocks them.)"""

    pressed = Signal()

    def __init__(self, sequence: QKeySequence, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sequence = sequence
        self._watching = False

    def start(self) -> None:
        if not self._watching:
            QApplication.instance().installEventFilter(self)
            self._watching = True

    def stop(self) -> None:
        if self._watching:
            QApplication.instance().removeEventFilter(self)
            self._watching = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            if pressed.matches(self._sequence) == QKeySequence.SequenceMatch.ExactMatch:
                self.pressed.emit()
                return True
        return False


LockKey = AppKey  # the name it had when only Ctrl+L used it
