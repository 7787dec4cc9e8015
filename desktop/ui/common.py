"""Small helpers every window uses: error boxes, headings, the shared style."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QMessageBox, QWidget

# A light touch over Fusion: calm greys, one accent colour, clear focus rings.
STYLE = """
QMainWindow, QStackedWidget#pages { background: #f4f5f7; }
QFrame#card { background: white; border: 1px solid #d9dce1; border-radius: 8px; }
QLabel#heading { font-size: 15pt; font-weight: 600; color: #1d2733; }
QLabel#subheading { color: #4a5562; }
QLabel#hint { color: #5b6470; }
QLabel#error { color: #a4161a; font-weight: 600; }
QLabel#familyNote { color: #0b5d3b; font-weight: 600; }
QLabel#professionalNote { color: #7a1f1f; font-weight: 600; }
QLabel#sectionTitle { font-weight: 600; color: #1d2733; }
QLabel#syncError { color: #a4161a; }
QLineEdit, QPlainTextEdit, QComboBox, QDateEdit, QTimeEdit, QDateTimeEdit { padding: 3px 4px; }
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QListWidget:focus, QTableView:focus,
QDateEdit:focus, QTimeEdit:focus, QDateTimeEdit:focus { border: 2px solid #2f6fb3; border-radius: 3px; }
QPushButton { padding: 5px 14px; }
QPushButton#primary { background: #2f6fb3; color: white; border: 1px solid #245a93; border-radius: 4px;
                      font-weight: 600; }
QPushButton#primary:disabled { background: #9db8d6; }
QPushButton#primary:focus { border: 2px solid #133d66; }
QTableView { background: white; alternate-background-color: #f7f9fb; gridline-color: #e3e6ea; }
QHeaderView::section { background: #eceff3; padding: 4px 6px; border: none; border-right: 1px solid #d9dce1;
                       border-bottom: 1px solid #d9dce1; font-weight: 600; }
QTabWidget::pane { border: 1px solid #d9dce1; background: white; }
QToolBar { spacing: 6px; padding: 3px; border-bottom: 1px solid #d9dce1; background: #eef0f3; }
QToolButton { padding: 4px 10px; }
QStatusBar { background: #eef0f3; border-top: 1px solid #d9dce1; }
"""


def report_error(parent: QWidget | None, message: str, title: str = "Waymark") -> QMessageBox:
    """Tell the user in one sentence; never a traceback. Non-blocking, so tests and
    the idle lock are never stuck behind a modal loop."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setAccessibleName(title)
    box.open()
    return box


def label(text: str, name: str = "", *, wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget


def set_tab_order(*widgets: QWidget) -> None:
    """Tab visits the widgets in the order given."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


class _ClickAtOnce(QObject):
    """Turns a button's Alt+letter into an immediate click (see `click_at_once`)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Shortcut or not isinstance(watched, QAbstractButton):
            return False
        if event.isAmbiguous() or not watched.isEnabled():
            return False  # Qt's own handling: an ambiguous mnemonic only moves the focus
        if watched.isCheckable() and watched.focusPolicy() & Qt.FocusPolicy.ClickFocus:
            watched.setFocus(Qt.FocusReason.ShortcutFocusReason)  # as Qt does for a check box
        watched.click()
        return True


_click_at_once: _ClickAtOnce | None = None


def click_at_once(*buttons: QAbstractButton) -> None:
    """Alt+letter clicks these buttons at once, in step with the keys typed after it.

    Qt "animates" a mnemonic's click and clicks only 100 ms later. On a busy
    laptop the keys typed next (Alt+F, then a note) are handled first, and a
    click that moves the focus (Same as last time, Same work for all) then
    lands the rest of the typing in another field."""
    global _click_at_once
    if _click_at_once is None:
        _click_at_once = _ClickAtOnce()
    for button in buttons:
        button.installEventFilter(_click_at_once)
