"""Walk a window's keyboard map: every Alt+letter mnemonic and every shortcut that a
key press could reach at this moment, so a test can fail on two things sharing one.

Qt only matches a widget's mnemonic while the widget is visible, so the map is of
what is on screen now: a test walks each tab and dialog in turn."""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QMenu,
    QMenuBar,
    QTabBar,
    QWidget,
)

MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    found = MNEMONIC.search(text.replace("&&", ""))
    return f"Alt+{found.group(1).upper()}" if found else None


def _live(widget: QWidget) -> bool:
    """Shown now. A disabled control counts too: it is enabled for another pupil, or
    once a choice is made, and its letter must not clash then."""
    return widget.isVisible()


def _describe(thing: object, text: str) -> str:
    return f"{type(thing).__name__} {text.replace('&', '')!r}"


def keyboard_map(window: QWidget) -> dict[str, list[str]]:
    """What each key reaches in `window` now: mnemonics of visible, enabled labels with
    buddies, buttons, group boxes, tabs and menu-bar titles; shortcuts of its actions
    and QShortcuts; and application-wide shortcuts from any window."""
    keys: dict[str, list[str]] = defaultdict(list)
    widgets = [window, *window.findChildren(QWidget)]
    for widget in widgets:
        if widget.window() is not window or not _live(widget):
            continue
        if isinstance(widget, QMenu):
            continue
        if (isinstance(widget, QLabel) and widget.buddy() is not None) or isinstance(widget, QAbstractButton):
            key = mnemonic(widget.text())
            if key:
                keys[key].append(_describe(widget, widget.text()))
        elif isinstance(widget, QGroupBox):
            key = mnemonic(widget.title())
            if key:
                keys[key].append(_describe(widget, widget.title()))
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                key = mnemonic(widget.tabText(i))
                if key and widget.isTabEnabled(i) and widget.isTabVisible(i):
                    keys[key].append(_describe(widget, widget.tabText(i)))
        elif isinstance(widget, QMenuBar):
            for action in QWidget.actions(widget):
                key = mnemonic(action.text())
                if key and action.isVisible() and action.isEnabled():
                    keys[key].append(f"menu {action.text().replace('&', '')!r}")
    seen_actions: set[int] = set()
    owners = [w for w in widgets if w.window() is window and (w is window or w.isVisible())]
    for owner in owners:
        for action in QWidget.actions(owner):  # unbound: a view may name an attribute "actions"
            if id(action) in seen_actions or not action.isEnabled() or action.menu() is not None:
                continue
            seen_actions.add(id(action))
            for sequence in action.shortcuts():
                keys[sequence.toString()].append(f"action {action.text().replace('&', '')!r}")
    for shortcut in window.findChildren(QShortcut):
        parent = shortcut.parent()
        if isinstance(parent, QWidget) and (parent.window() is not window or not parent.isVisible()):
            continue
        if shortcut.isEnabled() and not shortcut.key().isEmpty():
            keys[shortcut.key().toString()].append(f"shortcut on {type(parent).__name__}")
    # Application-wide actions reach this window from wherever they live.
    for top in QApplication.topLevelWidgets():
        if top is window:
            continue
        for action in top.findChildren(QAction):
            if action.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut and action.isEnabled():
                for sequence in action.shortcuts():
                    keys[sequence.toString()].append(f"app-wide action {action.text().replace('&', '')!r}")
    return dict(keys)


def clashes(window: QWidget) -> dict[str, list[str]]:
    return {key: owners for key, owners in keyboard_map(window).items() if len(owners) > 1}


def menu_clashes(menu_bar: QMenuBar) -> dict[str, list[str]]:
    """Within each menu, its items' letters must differ too."""
    found: dict[str, list[str]] = {}
    for top in menu_bar.actions():
        menu = top.menu()
        if menu is None:
            continue
        letters: dict[str, list[str]] = defaultdict(list)
        for action in menu.actions():
            key = mnemonic(action.text())
            if key and action.isVisible():
                letters[key].append(action.text().replace("&", ""))
        for key, texts in letters.items():
            if len(texts) > 1:
                found[f"{top.text().replace('&', '')} menu {key}"] = texts
    return found
