"""File → Changes not sent: what the LA's server refused (or could not take because
its record left this laptop), each with the pupil, the kind of record, the words
typed, the server's reason and when. The words can be copied or saved as text
before an item is discarded, so nothing typed is lost without the user's say."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.files import why_not_written, write_private
from desktop.services.sync import SyncService
from desktop.tasks import TaskRunner

from .widgets import Banner, set_available


def when_words(at: str) -> str:
    """'30 Nov 2026 10:15' in local time, from the stored ISO time."""
    try:
        moment = datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return at or ""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{moment.day} {moment:%b %Y %H:%M}"


def title(row: dict) -> str:
    """'Lily Smith — details', or the record alone for one about no child."""
    return row["about"]


def fields_text(row: dict) -> str:
    """Each field refused, one a line: 'address: 1 Mill Lane'."""
    lines = []
    for name, value in row["values"].items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
        lines.append(f"{name.replace('_', ' ')}: {shown}" if shown else name.replace("_", " "))
    return "\n".join(lines)


def as_text(rows: list[dict]) -> str:
    """Every change as plain text, to keep or send on: what, the words, why, when."""
    parts = []
    for row in rows:
        fields = "\n".join(f"  {line}" for line in fields_text(row).splitlines())
        parts.append(
            f"{title(row)}\nNot sent: {when_words(row['at'])}\nWhy: {row['reason']}\nWhat was typed:\n{fields}"
        )
    return "\n\n".join(parts) + ("\n" if parts else "")


class NotSentDialog(QDialog):
    """The changes kept aside: copy or save their words, or discard one (after asking)."""

    discarded = Signal()

    def __init__(self, runner: TaskRunner, service: SyncService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.service = runner, service
        self.rows: list[dict] = []
        self.setWindowTitle("Changes not sent")
        self.setAccessibleName("Changes not sent")
        self.resize(860, 500)
        intro = QLabel(
            "The LA's server did not take these changes. They stay on this laptop until you discard them: "
            "copy or save the words first if you still need them, and ask your LA if the reason is unclear."
        )
        intro.setWordWrap(True)
        self.banner = Banner(self)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # a message may hold the server's words
        self.list = QListWidget()
        self.list.setAccessibleName("Changes not sent")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(2)
        self.list.currentRowChanged.connect(self._show)
        self.heading = QLabel("")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setAccessibleName("The change")
        self.reason = QLabel("")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)  # the server's words, shown as they are
        self.reason.setAccessibleName("Why it was not sent")
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fields_label = QLabel("&What was typed:")
        self.fields = QPlainTextEdit()
        self.fields.setReadOnly(True)
        self.fields.setAccessibleName("What was typed")
        fields_label.setBuddy(self.fields)
        self.copy_button = QPushButton("C&opy to clipboard")
        self.copy_button.setAccessibleName("Copy every change to the clipboard")
        self.save_button = QPushButton("&Save as text…")
        self.save_button.setAccessibleName("Save every change as a text file")
        self.discard_button = QPushButton("&Discard…")
        self.discard_button.setAccessibleName("Discard the selected change")
        close = QPushButton("&Close")
        close.setAccessibleName("Close")
        self.empty = QLabel("Nothing is waiting here: every change was sent or is waiting to be sent.")
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)

        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addWidget(self.reason)
        right.addWidget(fields_label)
        right.addWidget(self.fields, 1)
        right.addWidget(self.empty)
        columns = QHBoxLayout()
        columns.addWidget(self.list, 2)
        columns.addLayout(right, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.banner)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)

        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self.choose_file)
        self.discard_button.clicked.connect(self.confirm_discard)
        close.clicked.connect(self.accept)
        self.reload()

    # --- loading --------------------------------------------------------------------

    def reload(self) -> None:
        self.runner.run(self.service.not_sent, self._loaded, self._error)

    def _loaded(self, rows: list[dict]) -> None:
        if not shiboken6.isValid(self):
            return
        self.rows = rows
        self.list.clear()
        for row in rows:
            item = QListWidgetItem(f"{title(row)}\n{when_words(row['at'])}")
            item.setToolTip(title(row))
            item.setData(Qt.ItemDataRole.UserRole, row["op_id"])
            self.list.addItem(item)
        has = bool(rows)
        for button, what, why in (
            (self.copy_button, "Copy every change's words to the clipboard", "There is nothing to copy."),
            (self.save_button, "Save every change's words as a text file", "There is nothing to save."),
            (self.discard_button, "Discard the selected change for good", "There is nothing to discard."),
        ):
            set_available(button, has, what, why)
        self.empty.setVisible(not has)
        self.fields.setVisible(has)
        if has:
            self.list.setCurrentRow(0)
        else:
            self.heading.clear()
            self.reason.clear()
            self.fields.clear()

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        kept = self.rows[row]
        self.heading.setText(f"<b>{escape(title(kept))}</b> · not sent {escape(when_words(kept['at']))}")
        self.reason.setText(f"Why: {kept['reason']}")
        self.fields.setPlainText(fields_text(kept))

    def _error(self, message: str) -> None:
        if shiboken6.isValid(self):
            self.banner.show_message(message)

    # --- keeping the words ------------------------------------------------------------

    def text(self) -> str:
        return as_text(self.rows)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.banner.show_message(
            f"Copied {len(self.rows)} change{'s' if len(self.rows) != 1 else ''} to the clipboard.", "info"
        )

    def choose_file(self) -> QFileDialog:
        """Non-blocking, so the idle lock is never stuck behind it."""
        chooser = QFileDialog(
            self, "Save the changes not sent", str(Path.home() / "changes-not-sent.txt"), "Text (*.txt)"
        )
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.setDefaultSuffix("txt")
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(self.save_as)
        chooser.open()
        return chooser

    def save_as(self, path: str) -> None:
        text, target = self.text(), Path(path)

        def write() -> Path | str:
            try:
                write_private(target, text.encode("utf-8"))  # the words typed may be about a child: owner only
            except OSError as exc:  # an answer in words, not an error's own
                return f"{target.name} was not saved because {why_not_written(exc)}; nothing was left there."
            return target

        def written(saved: Path | str) -> None:
            if not shiboken6.isValid(self):
                return
            if isinstance(saved, str):
                self._error(saved)
            else:
                self.banner.show_message(f"Saved in {saved}.", "info")

        self.runner.run(write, written, lambda _m: self._error(f"Could not save {target.name} there."))

    # --- discarding -------------------------------------------------------------------

    def confirm_discard(self) -> QMessageBox | None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.rows):
            return None
        kept = self.rows[row]
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Discard a change",
            f"Discard the change to {title(kept)}?\n"
            "What was typed will be gone from this laptop. Copy or save it first if you still need it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Discard it")
        box.button(QMessageBox.StandardButton.No).setText("Keep it")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the record's name may have come from another laptop
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        op_id = kept["op_id"]
        box.accepted.connect(lambda: self.discard(op_id))
        box.open()
        return box

    def discard(self, op_id: str) -> None:
        service = self.service

        def done(_result: object) -> None:
            self.discarded.emit()
            if shiboken6.isValid(self):
                self.reload()

        self.runner.run(lambda: service.discard_not_sent(op_id), done, self._error)
