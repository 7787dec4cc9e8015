"""Unsaved forms kept as drafts: offered again after unlocking, one reopened as it
was left, several waiting in the bar above the caseload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    pass

from ...drafts import is_private, open_drafts

# Forms whose draft key is not a pupil's id: a new school, pupil, pack; the settings.
WITHOUT_A_PUPIL = frozenset({"school", "pupil", "visit", "settings", "pack", "appointment", "conflicts"})
# The record a draft's form writes, where a role may be refused it (desktop/services/role_limits.py).
DRAFT_RECORDS = {
    "school": "school",
    "pack": "work_pack",
    "appointment": "appointment",
    "contact": "contact",
    "move": "stay",
    "action": "action",
    "concern": "concern",
}


class UnsavedForms:
    """Mixed into `Workspace`: the drafts bar and reopening a draft's form."""

    def _offer_drafts(self, drafts: list) -> None:
        """After unlocking (or starting again after a crash): one unsaved form opens again
        as it was left; several wait in the bar, a Reopen and a Discard for each. A private
        form (a concern) never opens by itself: it waits in the bar (see ui/drafts/)."""
        self.drafts_bar.set_drafts(self._not_open(drafts))
        waiting = self.drafts_bar.drafts
        if len(waiting) == 1 and not is_private(waiting[0]):
            self.reopen_draft(waiting[0])
        elif len(waiting) == 1:  # a private form: it waits to be asked for
            self.status_message.emit(f"You have an unsaved {waiting[0].title}: reopen it above the caseload.")
        elif waiting:
            self.status_message.emit(
                f"You have {len(waiting)} unsaved forms: reopen or discard each above the caseload."
            )

    def _not_open(self, drafts: list) -> list:
        opened = open_drafts(self)
        return [d for d in drafts if (d.kind, d.key) not in opened]

    def refresh_drafts(self) -> None:
        """A form closed: offer what is kept now (a form kept for later joins the bar)."""
        if self.closed:
            return
        self.call(self.app.drafts, lambda drafts: self.drafts_bar.set_drafts(self._not_open(drafts)))

    def reopen_draft(self, draft) -> None:
        """Open the form a draft belongs to (the form finds its draft and puts it back),
        once its pupil is known to be on this laptop still. A pupil who has left the
        user's caseload took their record with them: the draft then stays in the bar,
        to be discarded, and the status bar says why nothing opened."""
        pupil_id = draft.context.get("pupil_id") or ("" if draft.kind in WITHOUT_A_PUPIL else draft.key)
        if not pupil_id:
            self._reopen(draft)
            return

        def known(here: bool) -> None:
            if here:
                self._reopen(draft)
            else:
                self.status_message.emit(
                    f"The pupil your unsaved {draft.title} is about is no longer on this laptop "
                    "(they left your caseload), so it cannot be finished here. Discard it above the caseload."
                )

        self.call(lambda: self.app.has_pupil(pupil_id), known)

    def _refused_here(self, draft) -> str:
        """Why a draft's form cannot be finished on this laptop ('' if it can): a school's
        laptop typed it before it knew its role, and the LA's server would refuse it."""
        limits = self.limits
        if limits is None:
            return ""
        if draft.kind == "pupil":
            return "" if limits.may_add_pupils else limits.why_no_pupils
        entity = DRAFT_RECORDS.get(draft.kind)
        return "" if entity is None or limits.may_write(entity) else limits.why_not(entity)

    def _reopen(self, draft) -> QDialog | None:
        refused = self._refused_here(draft)
        if refused:
            self.status_message.emit(f"Your unsaved {draft.title} cannot be finished here. {refused}")
            return None  # it stays in the bar, to be discarded
        self.drafts_bar.remove(draft.kind, draft.key)
        self.status_message.emit(f"You have an unsaved {draft.title}; here it is as you left it.")
        pupil_id = draft.context.get("pupil_id") or ""
        if draft.kind == "school":
            return self.add_school()
        if draft.kind == "pupil":
            return self.add_pupil()
        if draft.kind == "visit":
            return self.log_visit(pupil_id or None, draft_key=draft.key)
        if draft.kind == "settings":
            self.settings_requested.emit()
            return None
        if draft.kind == "conflicts":  # merges typed in File → Sync conflicts
            self.conflicts_requested.emit()
            return None
        if draft.kind == "pack":
            return self.open_packs().add_pack()
        if draft.kind == "appointment" and not pupil_id:
            self.show_appointments()
            return self.appointments.book()
        pupil_id = pupil_id or draft.key
        if pupil_id:
            self.open_pupil(pupil_id)
            return self.pupil_view.open_form(draft.kind, pupil_id)
        return None
