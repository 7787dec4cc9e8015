"""Text that does not fit: a label, button, tab or column header showing less than its
text because it was given less room than the text needs (at 1366x768)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QToolBar,
    QToolButton,
    QWidget,
)


def _label_needs(label: QLabel) -> int:
    text = label.text()
    if label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and "<" in text and ">" in text
    ):
        document = QTextDocument()
        document.setDefaultFont(label.font())
        document.setHtml(text)
        document.setDocumentMargin(0)
        return int(document.idealWidth())
    metrics = label.fontMetrics()
    return max(metrics.horizontalAdvance(line) for line in text.replace("&", "").splitlines() or [""])


def _header_needs(header: QHeaderView, section: int) -> int:
    text = str(header.model().headerData(section, header.orientation()) or "")
    font = QFont(header.font())
    font.setBold(True)  # the stylesheet sets headers in bold: measure what is drawn
    return QFontMetrics(font).horizontalAdvance(text) + 12 + (18 if header.isSortIndicatorShown() else 0)


def clipped(window: QWidget) -> list[str]:
    """Descriptions of every visible text in `window` that is cut short."""
    found = []
    for widget in [window, *window.findChildren(QWidget)]:
        if widget.window() is not window or not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.text() and not widget.wordWrap() and widget.pixmap().isNull():
            room = widget.contentsRect().width() - 2 * max(widget.margin(), 0) - max(widget.indent(), 0)
            needs = _label_needs(widget)
            if needs > room + 1:
                found.append(f"label {widget.text()[:60]!r}: needs {needs} px, has {room}")
        elif isinstance(widget, QAbstractButton) and widget.text():
            needs = widget.sizeHint().width()
            if widget.width() + 1 < needs:
                found.append(f"button {widget.text().replace('&', '')!r}: needs {needs} px, has {widget.width()}")
        elif isinstance(widget, QAbstractSpinBox) and widget.width() + 1 < widget.minimumSizeHint().width():
            found.append(f"field {widget.accessibleName()!r}: needs {widget.minimumSizeHint().width()} px")
        elif (
            isinstance(widget, QLineEdit)
            and widget.text()
            and widget.echoMode() == QLineEdit.EchoMode.Normal
            and not isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox))
        ):
            needs = widget.fontMetrics().horizontalAdvance(widget.text()) + 14  # the frame and text margins
            if widget.width() + 1 < needs and not widget.hasFocus():
                found.append(f"field {widget.accessibleName()!r} holding {widget.text()[:40]!r}: needs {needs} px")
        elif isinstance(widget, QToolBar):
            more = widget.findChild(QToolButton, "qt_toolbar_ext_button")
            if more is not None and more.isVisible():  # some of its buttons are hidden behind »
                found.append(f"toolbar {widget.windowTitle()!r}: not every button fits")
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                if not widget.isTabVisible(i):
                    continue
                rect = widget.tabRect(i)
                if rect.width() + 1 < widget.tabSizeHint(i).width():
                    found.append(f"tab {widget.tabText(i)!r}")
                elif rect.right() > widget.width() or rect.left() < 0:  # behind the scroll arrows
                    found.append(f"tab {widget.tabText(i)!r}: off the edge of its bar")
        elif isinstance(widget, QHeaderView) and widget.orientation() == Qt.Orientation.Horizontal:
            for section in range(widget.count()):
                if widget.isSectionHidden(section):
                    continue
                needs, has = _header_needs(widget, section), widget.sectionSize(section)
                visible_part = widget.viewport().width() - widget.sectionViewportPosition(section)
                if needs > min(has, visible_part) + 1:
                    text = widget.model().headerData(section, widget.orientation())
                    found.append(f"header {text!r}: needs {needs} px, has {min(has, visible_part)}")
    return found


def scrolls_sideways(view: QWidget) -> bool:
    bar = view.horizontalScrollBar()
    return bar.isVisible() and bar.maximum() > 0
