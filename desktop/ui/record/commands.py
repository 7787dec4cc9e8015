"""What the pupil record opens: its forms (by name, or by the kind of draft they
keep), a report's period, printing, and completing an action."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.domain.records import PlannedTravel
from desktop.services.role_limits import limits_for

from ..appointments import BookAppointmentDialog
from ..places import MoveDialog
from ..pupil_details import ContactDialog, EditPupilDialog
from ..subject_access import SubjectAccessDialog
from ..widgets import set_available
from .exclusions import ExclusionDialog
from .plans import ActionDialog, PlanDialog, ReviewDialog
from .profile import ConsentDialog
from .progress import ProgressDialog
from .provision import AbsenceDialog, EpisodeDialog
from .reports import ReportPeriodDialog
from .stays import AgreeTravelDialog, TravelDialog
from .visits import visits_html


class RecordCommands:
    """Mixed into `PupilView`: the forms and reports it opens for the pupil shown."""

    def book(self) -> BookAppointmentDialog | None:
        if not self.pupil_id:
            return None
        dialog = BookAppointmentDialog(self.app, self.runner, self, pupil_id=self.pupil_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def add_action(self) -> ActionDialog | None:
        return self._open(ActionDialog)

    def record_concern(self) -> QDialog | None:
        return self.concerns.record_concern() if self.view else None

    def issue_folder(self) -> QDialog | None:
        return self.folders.issue() if self.view else None

    def add_episode(self) -> EpisodeDialog | None:
        return self._open(EpisodeDialog)

    def record_exclusion(self) -> ExclusionDialog | None:
        return self._open(ExclusionDialog)

    def record_move(self) -> MoveDialog | None:
        return self._open(MoveDialog)

    def record_travel(self) -> TravelDialog | None:
        if not self.view:
            return None
        limits = limits_for(self.view.role)
        return self._open(
            lambda app, runner, pid, name, parent: TravelDialog(app, runner, pid, name, parent, limits=limits)
        )

    def agree_travel(self) -> AgreeTravelDialog | None:
        trips = self._unagreed_travel()
        if not trips:
            return None
        return self._open(lambda app, runner, _pid, name, parent: AgreeTravelDialog(app, runner, trips, name, parent))

    def _unagreed_travel(self) -> list[PlannedTravel]:
        travel = self.view.record.travel if self.view else []
        return sorted((t for t in travel if t.agreed_with_school_on is None), key=lambda t: t.leaves)

    def add_plan(self) -> PlanDialog | None:
        return self._open(PlanDialog)

    def record_review(self) -> ReviewDialog | None:
        if not self.view:
            return None
        open_plans = [p for p in self.view.record.plans if not p.closed]
        if not open_plans:
            self.banner.show_message("There is no open plan to review. Add a plan first.")
            return None
        return self._open(lambda app, runner, _pid, name, parent: ReviewDialog(app, runner, open_plans, name, parent))

    def add_contact(self) -> ContactDialog | None:
        return self._open(ContactDialog)

    def add_consent(self) -> ConsentDialog | None:
        if not self.view:
            return None
        carers = [c.name for c in self.view.record.contacts]
        return self._open(lambda app, runner, pid, name, parent: ConsentDialog(app, runner, pid, name, carers, parent))

    def add_absence(self) -> AbsenceDialog | None:
        return self._open(AbsenceDialog)

    def open_form(self, kind: str, pupil_id: str) -> QDialog | None:
        """Open one of the record's forms for a pupil, now if their record is shown, else
        as soon as it is (a draft being reopened after unlocking)."""
        if kind not in self.FORMS:
            return None
        if self.view is not None and self.view.record.pupil.id == pupil_id:
            self._pending_form = None
            return getattr(self, self.FORMS[kind])()
        self._pending_form = (kind, pupil_id)
        return None

    def choose_period(self, kind: str) -> ReportPeriodDialog | None:
        """Print a progress record or an hours statement: first choose the weeks it covers."""
        if not self.view:
            return None
        view = self.view
        dialog = ReportPeriodDialog(kind, view, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen() -> None:
            start, end = dialog.chosen_period()
            self.print_period_requested.emit(kind, view.record.pupil.id, start, end)

        dialog.accepted.connect(chosen)
        dialog.open()
        return dialog

    def edit_details(self) -> EditPupilDialog | None:
        if not self.view:
            return None
        pupil = self.view.record.pupil
        limits = limits_for(self.view.role)
        return self._open(
            lambda app, runner, _pid, _name, parent: EditPupilDialog(app, runner, pupil, parent, limits=limits)
        )

    def subject_access(self) -> SubjectAccessDialog | None:
        """Everything held about the pupil, as JSON and PDF (UK GDPR article 15)."""
        dialog = self._open(SubjectAccessDialog)
        if dialog is not None:
            dialog.saved.connect(
                lambda _pid: self.banner.show_message(
                    f"Saved the subject access copy ({', '.join(p.name for p in dialog.written)}) "
                    f"in {dialog.written[0].parent}."
                )
            )
        return dialog

    def record_progress(self) -> ProgressDialog | None:
        if not self.view:
            return None
        subjects = [e.subject for e in self.view.record.progress]
        return self._open(
            lambda app, runner, pid, name, parent: ProgressDialog(app, runner, pid, name, subjects, parent)
        )

    def _open(self, make) -> QDialog | None:
        """Open one of the record's small forms for the pupil shown."""
        if not self.view:
            return None
        pupil = self.view.record.pupil
        dialog = make(self.app, self.runner, pupil.id, pupil.display_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- printing and the plans' actions ----------------------------------------------------

    def _print(self, kind: str) -> None:
        if self.pupil_id:
            self.choose_period(kind)

    def _print_latest_visit(self) -> None:
        if self.view and self.view.record.visits:
            self.print_requested.emit("visit", self.view.record.visits[0].id)

    def _visits_link(self, path: str) -> None:
        if path.startswith("print/visit/"):
            self.print_requested.emit("visit", path.removeprefix("print/visit/"))
        elif path == "visits/all" and self.view:
            self._show_all_visits = True
            self._set(self.visits, visits_html(self.view, True), True)

    def _selected_action(self) -> str | None:
        items = self.actions.selectedItems()
        if len(items) != 1 or items[0].text(3) == "Done":
            return None
        return items[0].data(0, Qt.ItemDataRole.UserRole)

    def _action_selection(self) -> None:
        limits = limits_for(self.view.role if self.view is not None else "")
        if not limits.may_write("action"):  # a school's laptop: actions stay with the service
            set_available(self.done_button, False, "", limits.why_not("action"))
            set_available(self.add_action_button, False, "", limits.why_not("action"))
            return
        set_available(
            self.done_button,
            self._selected_action() is not None,
            "Mark the selected action done",
            "Select an open action in the list to mark it done.",
        )
        self.add_action_button.setEnabled(self.pupil_id is not None)

    def _complete_action(self) -> None:
        action_id = self._selected_action()
        if action_id:
            self.runner.run(lambda: self.app.complete_action(action_id), None, self.banner.show_message)
