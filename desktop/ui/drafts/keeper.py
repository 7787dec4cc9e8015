"""`DraftKeeper`: one form's draft, saved through the services on the store thread
after a pause in typing, found again when the form opens, discarded once saved."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktop.domain.records import Draft

from .fields import Fields, changed_signal, field_widgets, read_fields, write_fields

if TYPE_CHECKING:
    from desktop.services import Waymark
    from desktop.tasks import TaskRunner

SAVE_AFTER_MS = 1500  # a pause in typing this long saves the draft: a crash loses at most this much
OPENED = "opened"  # in an edit form's draft context: what its changed fields showed when the form opened


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
        edits: bool = False,
        rebase: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(form)  # the form is reached through parent(): no Python reference keeps it alive
        self.app, self.runner = app, runner
        self.kind, self.key, self.title, self.context = kind, key, title, dict(context or {})
        self._read_with = _weak(read)
        self._write_with = _weak(write)
        self._describe_with = _weak(describe)  # a form whose subject changes as it is typed (a visit's pupils)
        # A form that edits a stored record keeps only the fields changed, each with what it showed
        # when the form opened: put back days later, it must not write the rest back over changes
        # made meanwhile (a pull), and a field changed both here and meanwhile is saved as the race
        # it is. `rebase` tells the form that its fields show the record as the draft's form opened.
        self.edits = edits
        self._rebase_with = _weak(rebase)
        self._opened: Fields = {}
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
        self._opened = dict(self._baseline)
        self.watch()
        kind, key = self.kind, self.key
        self.runner.run(lambda: self.app.draft(kind, key), self._found)

    def _found(self, draft: Draft | None) -> None:
        if draft is None or self.finished or not shiboken6.isValid(self.form):
            return
        opened = draft.context.get(OPENED) if self.edits else None
        self._restoring = True
        try:
            if isinstance(opened, dict):  # the record as the draft's form showed it, then the changes typed
                self._write(opened)
                self._opened |= opened
                rebase = self._rebase_with() if self._rebase_with else None
                if rebase:
                    rebase()
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
            signal = changed_signal(widget)
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
        context = self.context
        if self.edits:
            fields = {name: value for name, value in fields.items() if value != self._opened.get(name)}
            context = context | {OPENED: {name: self._opened.get(name) for name in fields}}
        draft = Draft(kind=kind, key=key, title=self.title, context=context, fields=fields)
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
