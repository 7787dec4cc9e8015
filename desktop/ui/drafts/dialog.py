"""`DraftedDialog`: a dialog whose form is kept as a draft; Esc or Cancel with typed
text asks first (Discard, Keep for later, Keep editing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from desktop.domain.records import Draft

from .fields import Fields, read_fields, write_fields
from .keeper import DraftKeeper, when_saved

if TYPE_CHECKING:
    from desktop.services import Waymark
    from desktop.tasks import TaskRunner


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
        self,
        kind: str,
        key: str = "",
        *,
        title: str,
        context: dict | None = None,
        private: bool = False,
        edits: bool = False,
    ) -> DraftKeeper:
        """Keep this form as a draft of `kind` about `key` ("" for something new);
        `title` says what it is ("parent or carer for Lily Smith"); `context` holds
        what reopening it needs. A `private` form (a safeguarding concern) is never
        reopened by itself after unlocking: it waits in the bar until asked for, so it
        cannot appear on a screen a family is looking at; its title must not say
        what it holds either. An `edits` form changes a stored record: its draft keeps only
        the fields changed, with what they showed as it opened (`remember_opened`)."""
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
            edits=edits,
            rebase=self.remember_opened,
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

    def remember_opened(self) -> None:
        """An edit form: its fields now show the record as it was read (overridden)."""

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
            f"You have an unsaved {draft.title}, kept {when_saved(draft)}: here it is as you left it."
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
