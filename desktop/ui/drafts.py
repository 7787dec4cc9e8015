"""Nothing typed is lost: a form keeps a draft in the encrypted store as the user types.

`DraftKeeper` watches a form's fields and, after a pause in typing, saves their
values through the services on the store thread (`Waymark.save_draft`). It finds
the form's draft again when the form opens (after the idle lock, a crash or a
kill), restores it, and throws it away once the record is saved or the user
chooses to discard what they typed.

`DraftedDialog` is the dialog side: Esc or Cancel on a form with typed text asks
before discarding; the idle lock keeps the draft without asking (the window calls
`keep_all_drafts` before it closes the profile, so the last keystrokes are saved
ahead of the close on the same thread).

Fields are found by their accessible names (every form field has one, for screen
readers), so a form needs no code of its own to be kept; a form whose fields are
not plain widgets can override `draft_fields` / `restore_draft`. A field that only
finds things (a search box) is marked with `not_drafted` and never kept.

One draft per form: a form about a pupil keeps one draft per pupil (its key is the
pupil's id), a form for something new that has no pupil keeps one per kind, and
Log a visit keeps one per visit started (its key is made when the form opens), so
a visit begun for Noah and Lily and another for Kai both survive a lock or a kill.
`DraftsBar` offers every kept draft after unlocking; nothing is thrown away unless
the user says so.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date, datetime, time
from enum import Enum
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QDate, QDateTime, QObject, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTextEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import Draft

if TYPE_CHECKING:
    from desktop.services import Waymark
    from desktop.tasks import TaskRunner

SAVE_AFTER_MS = 1500  # a pause in typing this long saves the draft: a crash loses at most this much

Fields = dict[str, Any]


# --- reading and writing a form's fields ------------------------------------------------


def _jsonable(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return _UNSAVED


_UNSAVED = object()


def _inner(widget: QWidget) -> bool:
    """The line edit inside a combo box, spin box or date edit: its owner is what counts."""
    parent = widget.parentWidget()
    return isinstance(parent, (QComboBox, QAbstractSpinBox))


def not_drafted(*widgets: QWidget) -> None:
    """These fields find or filter (a search box): what is typed there is not the form's."""
    for widget in widgets:
        widget.setProperty("drafted", False)


def field_widgets(root: QWidget) -> dict[str, QWidget]:
    """The form's input widgets by accessible name (a repeated name gets "#2", "#3"…).
    Passphrase fields and fields marked `not_drafted` are never included."""
    found: dict[str, QWidget] = {}
    for widget in root.findChildren(QWidget):
        name = widget.accessibleName()
        if not name or _inner(widget) or isinstance(widget, QDialog) or widget.property("drafted") is False:
            continue
        if isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal:
            continue
        if not isinstance(
            widget,
            (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QCheckBox, QRadioButton, QAbstractSpinBox),
        ):
            continue
        if isinstance(widget, QTextEdit) and widget.isReadOnly():
            continue
        key, n = name, 1
        while key in found:
            n += 1
            key = f"{name}#{n}"
        found[key] = widget
    return found


def read_widget(widget: QWidget) -> object:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        if widget.isEditable():
            return {"text": widget.currentText()}
        data = _jsonable(widget.currentData())
        return {"data": data} if data is not _UNSAVED else {"text": widget.currentText()}
    if isinstance(widget, (QCheckBox, QRadioButton)):
        return widget.isChecked()
    if isinstance(widget, QDateTimeEdit):  # QDateEdit and QTimeEdit too
        value = widget.dateTime().toPython()
        if isinstance(widget, QDateEdit):
            return value.date().isoformat()
        if isinstance(widget, QTimeEdit):
            return value.time().strftime("%H:%M")
        return value.replace(second=0, microsecond=0).isoformat(timespec="minutes")
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.value()
    return None


def write_widget(widget: QWidget, value: object) -> None:
    """Put a saved value back; a value the widget no longer offers is left alone."""
    try:
        if isinstance(widget, QLineEdit) and isinstance(value, str):
            widget.setText(value)
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)) and isinstance(value, str):
            widget.setPlainText(value)
        elif isinstance(widget, QComboBox) and isinstance(value, dict):
            if "data" in value:
                for i in range(widget.count()):
                    if _jsonable(widget.itemData(i)) == value["data"]:
                        widget.setCurrentIndex(i)
                        break
            elif widget.isEditable():
                widget.setCurrentText(value.get("text", ""))
            else:
                i = widget.findText(value.get("text", ""))
                if i >= 0:
                    widget.setCurrentIndex(i)
        elif isinstance(widget, (QCheckBox, QRadioButton)) and isinstance(value, bool):
            widget.setChecked(value)
        elif isinstance(widget, QDateEdit) and isinstance(value, str):
            day = date.fromisoformat(value)
            widget.setDate(QDate(day.year, day.month, day.day))
        elif isinstance(widget, QTimeEdit) and isinstance(value, str):
            moment = time.fromisoformat(value)
            widget.setTime(QTime(moment.hour, moment.minute))
        elif isinstance(widget, QDateTimeEdit) and isinstance(value, str):
            moment = datetime.fromisoformat(value)
            widget.setDateTime(
                QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))
            )
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)) and isinstance(value, (int, float)):
            widget.setValue(value)
    except ValueError:
        pass  # a malformed value in an old draft: leave the field as the form set it


def read_fields(root: QWidget) -> Fields:
    return {name: read_widget(widget) for name, widget in field_widgets(root).items()}


def write_fields(root: QWidget, values: Fields) -> None:
    widgets = field_widgets(root)
    # Choices first: a choice can enable or fill other fields (a new site, a place type).
    ordered = sorted(widgets.items(), key=lambda item: not isinstance(item[1], (QComboBox, QAbstractButton)))
    for name, widget in ordered:
        if name in values:
            write_widget(widget, values[name])


def _changed_signal(widget: QWidget):
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.editTextChanged if widget.isEditable() else widget.currentIndexChanged
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    if isinstance(widget, QDateTimeEdit):
        return widget.dateTimeChanged
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.valueChanged
    return None


# --- the keeper -------------------------------------------------------------------------------


def _weak(method: Callable | None) -> Callable[[], Callable | None] | None:
    """A bound method held weakly (the form's own `draft_fields`), so the keeper,
    a child of the form, does not keep the form's Python wrapper alive."""
    if method is None:
        return None
    if hasattr(method, "__self__"):
        return weakref.WeakMethod(method)
    return lambda: method


class DraftKeeper(QObject):
    """Keeps one form's draft. `start()` once the form holds its initial values."""

    saved = Signal()  # a draft reached the store
    restored = Signal(object)  # the Draft put back into the form
    failed = Signal(str)

    def __init__(
        self,
        form: QWidget,
        app: Waymark,
        runner: TaskRunner,
        kind: str,
        key: str = "",
        *,
        title: str,
        context: dict | None = None,
        read: Callable[[], Fields] | None = None,
        write: Callable[[Fields], None] | None = None,
        describe: Callable[[], tuple[str, dict] | None] | None = None,
        delay_ms: int = SAVE_AFTER_MS,
    ) -> None:
        super().__init__(form)  # the form is reached through parent(): no Python reference keeps it alive
        self.app, self.runner = app, runner
        self.kind, self.key, self.title, self.context = kind, key, title, dict(context or {})
        self._read_with = _weak(read)
        self._write_with = _weak(write)
        self._describe_with = _weak(describe)  # a form whose subject changes as it is typed (a visit's pupils)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.save_now)
        self._baseline: Fields | None = None
        self._last_saved: Fields | None = None
        self._stored = False  # a draft of this form is in the store
        self._watched: set[int] = set()
        self._restoring = False
        self.finished = False  # saved as a record, discarded, or kept for the lock: no more drafts
        self.restored_draft: Draft | None = None

    @property
    def form(self) -> QWidget:
        return self.parent()

    def _read(self) -> Fields:
        read = self._read_with() if self._read_with else None
        return read() if read else read_fields(self.form)

    def _write(self, values: Fields) -> None:
        write = self._write_with() if self._write_with else None
        if write:
            write(values)
        else:
            write_fields(self.form, values)

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._baseline is not None

    def start(self) -> None:
        """The form is ready: remember its initial values, watch its fields, and put
        back a draft kept earlier for the same form."""
        if self.started or self.finished:
            return
        self._baseline = self._read()
        self.watch()
        kind, key = self.kind, self.key
        self.runner.run(lambda: self.app.draft(kind, key), self._found)

    def _found(self, draft: Draft | None) -> None:
        if draft is None or self.finished or not shiboken6.isValid(self.form):
            return
        self._restoring = True
        try:
            self._write(draft.fields)
        finally:
            self._restoring = False
        self._stored = True
        self._last_saved = self._read()
        self.restored_draft = draft
        self.restored.emit(draft)

    def watch(self) -> None:
        """Follow changes in the form's fields (call again after adding fields)."""
        for widget in field_widgets(self.form).values():
            if id(widget) in self._watched:
                continue
            signal = _changed_signal(widget)
            if signal is not None:
                signal.connect(self._changed)
                self._watched.add(id(widget))

    def _changed(self, *_args: object) -> None:
        if self.started and not self._restoring and not self.finished:
            self._timer.start()

    def changed(self) -> None:
        """A change the keeper cannot see by itself (a ticked child in a list)."""
        self._changed()

    @property
    def dirty(self) -> bool:
        """The form holds something the user typed (or a draft put back)."""
        return self.started and not self.finished and self._read() != self._baseline

    # --- saving -------------------------------------------------------------------------------

    def save_now(self) -> None:
        """Save the draft now (the store thread does the writing)."""
        self._timer.stop()
        if not self.started or self.finished or not shiboken6.isValid(self.form):
            return
        fields = self._read()
        if fields == self._last_saved:
            return
        self._last_saved = fields
        app, kind, key = self.app, self.kind, self.key
        if fields == self._baseline:  # typed, then rubbed out: nothing to keep
            if self._stored:
                self._stored = False
                self.runner.run(lambda: app.discard_draft(kind, key))
            return
        describe = self._describe_with() if self._describe_with else None
        described = describe() if describe else None
        if described:
            self.title, self.context = described
        draft = Draft(kind=kind, key=key, title=self.title, context=self.context, fields=fields)
        self._stored = True
        self.runner.run(lambda: app.save_draft(draft), lambda _none: self.saved.emit(), self._save_failed)

    def _save_failed(self, message: str) -> None:
        if shiboken6.isValid(self):
            self.failed.emit(f"What you typed could not be kept as a draft: {message}")

    def keep(self) -> None:
        """The app is locking or closing (or the user keeps the form for later): save
        what is typed now, and stop."""
        if self.started and not self.finished:
            self.save_now()
        self._timer.stop()
        self.finished = True

    def stop(self) -> None:
        """Stop keeping, leaving the stored draft as it is: a form whose record is saved
        later, off the form (the settings), discards the draft once that save succeeds."""
        self.save_now()
        self._timer.stop()
        self.finished = True

    def discard(self) -> None:
        """The record was saved, or the user threw the form away: no draft is left."""
        self._timer.stop()
        self.finished = True
        app, kind, key = self.app, self.kind, self.key
        self.runner.run(lambda: app.discard_draft(kind, key))


def keep_all_drafts(root: QWidget) -> None:
    """Save every open form's draft at once (before the app locks or quits)."""
    for keeper in root.findChildren(DraftKeeper):
        keeper.keep()


def open_drafts(root: QWidget) -> set[tuple[str, str]]:
    """The (kind, key) of every form open under `root` that still keeps its draft."""
    return {
        (keeper.kind, keeper.key)
        for keeper in root.findChildren(DraftKeeper)
        if not keeper.finished and shiboken6.isValid(keeper.form) and keeper.form.isVisible()
    }


def is_private(draft: Draft) -> bool:
    """A draft whose form must not open by itself where others may see the screen (a concern)."""
    return bool(draft.context.get("private"))


def when_saved(draft: Draft) -> str:
    """14:32 today, or 21 Nov 2026 at 14:32."""
    saved = draft.saved_at
    if saved is None:
        return "earlier"
    if saved.date() == date.today():
        return f"at {saved:%H:%M}"
    return f"on {saved.day} {saved:%b %Y} at {saved:%H:%M}"


# --- the dialog side ------------------------------------------------------------------------


class DraftedDialog(QDialog):
    """A dialog whose form is kept as a draft. Call `keep_drafts(...)` in `__init__`
    (the dialog has `app` and `runner`); the keeper starts when the dialog is shown
    and its choices have loaded."""

    app: Waymark
    runner: TaskRunner
    drafts: DraftKeeper | None = None
    _loading = 0
    _discard_box: QMessageBox | None = None

    def keep_drafts(
        self, kind: str, key: str = "", *, title: str, context: dict | None = None, private: bool = False
    ) -> DraftKeeper:
        """Keep this form as a draft of `kind` about `key` ("" for something new);
        `title` says what it is ("parent or carer for Lily Smith"); `context` holds
        what reopening it needs. A `private` form (a safeguarding concern) is never
        reopened by itself after unlocking: it waits in the bar until asked for, so it
        cannot appear on a screen a family is looking at; its title must not say
        what it holds either."""
        context = dict(context or {})
        if private:
            context["private"] = True
        self.drafts = DraftKeeper(
            self,
            self.app,
            self.runner,
            kind,
            key,
            title=title,
            context=context,
            read=self.draft_fields,
            write=self.restore_draft,
            describe=self.draft_description,
        )
        self.drafts.restored.connect(self._draft_restored)
        self.drafts.failed.connect(self._draft_failed)  # a bound method: a lambda would keep the dialog alive
        return self.drafts

    def _draft_failed(self, message: str) -> None:
        self.show_draft_notice(message, "warn")

    def draft_fields(self) -> Fields:
        return read_fields(self)

    def restore_draft(self, values: Fields) -> None:
        write_fields(self, values)

    def draft_description(self) -> tuple[str, dict] | None:
        """The draft's title and context as the form now stands, for a form whose subject
        changes while it is typed; None keeps those given to keep_drafts."""
        return None

    def show_draft_notice(self, text: str, kind: str = "info") -> None:
        banner = getattr(self, "banner", None)
        if banner is not None:
            banner.show_message(text, kind)

    def _draft_restored(self, draft: Draft) -> None:
        self.show_draft_notice(
            f"You have an unsaved {draft.title}, kept {when_saved(draft)}: here it is as you left it. "
            "Save it, or Cancel to throw it away."
        )

    # Loading choices holds the keeper back: a draft's choice needs its list filled first.
    def loading_started(self) -> None:
        self._loading += 1

    def loading_finished(self) -> None:
        self._loading = max(0, self._loading - 1)
        self._start_drafts()

    def _start_drafts(self) -> None:
        if self.drafts is not None and not self._loading and self.isVisible():
            self.drafts.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._start_drafts()

    def draft_saved_as_record(self) -> None:
        if self.drafts is not None:
            self.drafts.discard()

    def reject(self) -> None:
        """Esc or Cancel: ask before throwing away what was typed. While the app locks
        the keeper has already kept the draft, and the dialog simply closes."""
        drafts = self.drafts
        if drafts is None or drafts.finished:
            super().reject()
            return
        if drafts.dirty:
            self._ask_before_discarding()
            return
        drafts.discard()
        super().reject()

    def _ask_before_discarding(self) -> None:
        if self._discard_box is not None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Discard what you typed?",
            f"Throw away this {(self.draft_description() or (self.drafts.title,))[0]}? What you typed will be lost.",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        later = box.addButton("Keep for &later", QMessageBox.ButtonRole.ActionRole)
        later.setToolTip("Close the form and keep what you typed: it is offered again above the caseload")
        keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAccessibleName("Discard what you typed?")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._discard_box = box

        def answered() -> None:
            self._discard_box = None
            if self.drafts is None or self.drafts.finished:
                return
            if box.clickedButton() is discard:
                self.drafts.discard()
                QDialog.reject(self)
            elif box.clickedButton() is later:
                self.drafts.keep()
                QDialog.reject(self)

        box.finished.connect(answered)
        box.open()

    @property
    def discard_question(self) -> QMessageBox | None:
        return self._discard_box

    def done(self, result: int) -> None:
        """Closed: whoever offers kept drafts (the workspace's bar) looks again, so a form
        kept for later is offered and one saved or discarded is not."""
        super().done(result)
        owner = self.parentWidget()
        while owner is not None and not hasattr(owner, "refresh_drafts"):
            owner = owner.parentWidget()
        if owner is not None:
            owner.refresh_drafts()


class DraftsBar(QFrame):
    """Above the caseload after unlocking or starting again: every unsaved form kept on
    this device. One: "You have an unsaved visit for Noah and Lily Smith, kept at 14:32."
    with Reopen and Discard. Several: a short list, a Reopen and a Discard for each.
    Nothing leaves the list unless the user reopens it, discards it, or saves it."""

    reopen_requested = Signal(object)  # Draft
    discard_requested = Signal(object)  # Draft

    SHOWN_ROWS = 4  # more than this scroll, so the caseload keeps its room

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftsBar")
        self.setStyleSheet(
            "QFrame#draftsBar { background: #e6eef8; border: 1px solid #bcd0ea; border-radius: 4px; }"
            " QFrame#draftsBar QLabel { color: #1f4f82; }"
        )
        self.setAccessibleName("Unsaved forms")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Unsaved form")
        self.reopen_button = QPushButton("Reopen")
        self.reopen_button.setAccessibleName("Reopen the unsaved form")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setAccessibleName("Discard the unsaved form")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.text, 1)
        top.addWidget(self.reopen_button)
        top.addWidget(self.discard_button)
        self.list = QWidget()
        self.list.setObjectName("draftsList")
        self.list.setAccessibleName("Unsaved forms: reopen or discard each")
        self._rows = QVBoxLayout(self.list)
        self._rows.setContentsMargins(12, 0, 0, 0)
        self._rows.setSpacing(2)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.list)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setStyleSheet("QScrollArea, QWidget#draftsList { background: transparent; }")
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 4)
        column.setSpacing(2)
        column.addLayout(top)
        column.addWidget(self.scroll)
        self.drafts: list[Draft] = []
        self.rows: list[tuple[QLabel, QPushButton, QPushButton]] = []  # label, Reopen, Discard per draft
        self.reopen_button.clicked.connect(lambda: self.drafts and self.reopen_requested.emit(self.drafts[0]))
        self.discard_button.clicked.connect(lambda: self.drafts and self._discard(self.drafts[0]))
        self.hide()

    def set_drafts(self, drafts: list[Draft]) -> None:
        self.drafts = list(drafts)
        self._clear_rows()
        if not self.drafts:
            self.text.clear()
            self.hide()
            return
        one = len(self.drafts) == 1
        self.reopen_button.setVisible(one)
        self.discard_button.setVisible(one)
        self.scroll.setVisible(not one)
        if one:
            first = self.drafts[0]
            self.text.setText(f"You have an unsaved {first.title}, kept {when_saved(first)}.")
        else:
            self.text.setText(f"You have {len(self.drafts)} unsaved forms. Reopen or discard each:")
            for draft in self.drafts:
                self._add_row(draft)
            height = self.reopen_button.sizeHint().height() + 2
            self.scroll.setFixedHeight(min(len(self.drafts), self.SHOWN_ROWS) * height + 2)
        self.show()

    def _add_row(self, draft: Draft) -> None:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        text = QLabel(f"{draft.title[:1].upper()}{draft.title[1:]}, kept {when_saved(draft)}")
        text.setAccessibleName("Unsaved form")
        reopen = QPushButton("Reopen")
        reopen.setAccessibleName(f"Reopen the unsaved {draft.title}")
        discard = QPushButton("Discard")
        discard.setAccessibleName(f"Discard the unsaved {draft.title}")
        reopen.clicked.connect(lambda: self.reopen_requested.emit(draft))
        discard.clicked.connect(lambda: self._discard(draft))
        row.addWidget(text, 1)
        row.addWidget(reopen)
        row.addWidget(discard)
        self._rows.addWidget(holder)
        self.rows.append((text, reopen, discard))

    def _clear_rows(self) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        self.rows = []

    def remove(self, kind: str, key: str) -> None:
        self.set_drafts([d for d in self.drafts if (d.kind, d.key) != (kind, key)])

    def _discard(self, draft: Draft) -> None:
        self.remove(draft.kind, draft.key)
        self.discard_requested.emit(draft)
