"""Helpers for driving the shell as a user would."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from desktop.ui.main_window import MainWindow


class Keyboard:
    """Types into whatever has focus, as a real keyboard does, and counts.

    `interactions` counts what a user does: one shortcut or key, or one field
    typed in. `keys` counts every key press, characters included."""

    def __init__(self) -> None:
        self.interactions = 0
        self.keys = 0
        self.log: list[str] = []

    @staticmethod
    def target() -> QWidget:
        widget = QApplication.activePopupWidget() or QApplication.focusWidget()
        assert widget is not None, "nothing has keyboard focus"
        return widget

    def press(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        QTest.keyClick(self.target(), key, modifiers)
        # No wait: what a key does is done by the time the next key comes, however busy the
        # machine (the visit form's buttons click at once on Alt+letter; see click_at_once).
        QApplication.processEvents()
        self.interactions += 1
        self.keys += 1
        self.log.append(f"{modifiers.name if modifiers else ''}+{key.name}".lstrip("+"))

    def type(self, text: str) -> None:
        target = self.target()
        QTest.keyClicks(target, text)
        QApplication.processEvents()
        self.interactions += 1
        self.keys += len(text)
        self.log.append(f"type {text!r}")


def unlock(window: MainWindow, passphrase: str) -> None:
    window.unlock_page.passphrase.setText(passphrase)
    window.unlock_page.unlock_button.click()


def _item_texts(model: QAbstractItemModel, parent: QModelIndex, depth: int = 0) -> list[str]:
    texts = []
    for row in range(min(model.rowCount(parent), 300)):
        flat = isinstance(model, QAbstractListModel)  # its columnCount and hasChildren are private
        columns = 1 if flat else model.columnCount(parent)
        for column in range(columns):
            index = model.index(row, column, parent)
            if index.data():
                texts.append(str(index.data()))
            if not flat and depth < 2 and column == 0 and model.hasChildren(index):
                texts += _item_texts(model, index, depth + 1)
    return texts


def visible_texts(root: QWidget) -> list[str]:
    """Every piece of text a user could read in a window: labels, fields, text panes and item views."""
    texts = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, (QLabel, QLineEdit, QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            texts += _item_texts(widget.model(), QModelIndex())
    return texts
