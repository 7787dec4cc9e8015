"""What the workspace opens: Log a visit, Add a pupil or a school, the work pack
library, and reports rendered off the UI thread into the print preview."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    pass

from ...common import report_error
from ...pupil_dialog import AddPupilDialog
from ...visit_dialog import VisitDialog


class WorkspaceCommands:
    """Mixed into `Workspace`: the forms and previews it opens."""

    def log_visit(self, pupil_id: str | None = None, *, draft_key: str | None = None) -> VisitDialog:
        """Open Log a visit for a pupil (the selected one by default); `draft_key`
        reopens a visit kept as a draft."""
        if self._visit_dialog is not None and self._visit_dialog.isVisible():
            self._visit_dialog.raise_()
            self._visit_dialog.activateWindow()
            return self._visit_dialog
        pupil_id = pupil_id or self.current_pupil_id()
        dialog = VisitDialog(self.app, self.runner, self.model.rows(), self, draft_key=draft_key)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _changes: self.status_message.emit(dialog.summary()))
        dialog.destroyed.connect(lambda: setattr(self, "_visit_dialog", None))
        self._visit_dialog = dialog
        dialog.open()
        dialog.start_for(pupil_id)
        return dialog

    def add_pupil(self) -> AddPupilDialog:
        dialog = AddPupilDialog(self.app, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._pupil_added)
        dialog.open()
        dialog.start()
        return dialog

    def add_school(self) -> QDialog:
        from ...places import SchoolDialog

        dialog = SchoolDialog(self.app, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _id: self.status_message.emit("School added."))
        dialog.open()
        return dialog

    def _pupil_added(self, pupil_id: str) -> None:
        self.search.clear()  # the new pupil must not be hidden by an old search
        if not self.select_pupil(pupil_id):  # not loaded yet: select it when the reload lands
            self._select_next = pupil_id
        self.status_message.emit("Pupil added.")

    def open_packs(self) -> QDialog:
        from ...packs import PackLibraryDialog

        limits = self.limits
        why_not = "" if limits is None or limits.may_write("work_pack") else limits.why_not("work_pack")
        dialog = PackLibraryDialog(self.app, self.runner, self, why_not=why_not)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def print_report(self, kind: str, record_id: str, **options: object) -> None:
        """Render a report off the UI thread, then preview it exactly as it will print.
        A long one (the summary of a big caseload) shows progress and can be cancelled.
        A visit report whose family has someone who needs help reading offers large print."""
        from ...print_preview import PrintPreviewDialog
        from ...progress import LongWork

        self.status_message.emit("Preparing the report…")
        work = LongWork("Preparing the report…", self)
        app = self.app

        def render() -> tuple[bytes, str, list[str]]:
            pdf, title = app.report_pdf(kind, record_id, progress=work.tick, **options)
            readers = app.needs_reading_help(record_id) if kind == "visit" else []
            return pdf, title, readers

        def show(result: tuple[bytes, str, list[str]]) -> None:
            work.close()
            pdf, title, readers = result
            offer = ""
            if readers:
                who = " and ".join([", ".join(readers[:-1]), readers[-1]] if len(readers) > 1 else readers)
                offer = f"{who} {'needs' if len(readers) == 1 else 'need'} help reading."
            dialog = PrintPreviewDialog(
                pdf,
                title,
                self,
                large_print_offer=offer,
                rerender=lambda large: self._rerender(dialog, record_id, large),
            )
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()
            self.status_message.emit("")

        def failed(message: str) -> None:
            work.close()
            self.status_message.emit("")
            report_error(self, message)

        work.stopped.connect(lambda: self.status_message.emit("Report cancelled."))
        self.call(render, show, failed)

    def _rerender(self, dialog: QDialog, visit_id: str, large_print: bool) -> None:
        """The visit report again, its parent's copy in large print or not, into the same preview."""

        def done(result: tuple[bytes, str]) -> None:
            if shiboken6.isValid(dialog):
                dialog.replace_pdf(result[0])

        def failed(message: str) -> None:
            if shiboken6.isValid(dialog):
                dialog.large_print_action.setEnabled(True)
                dialog.banner.show_message(message)

        self.call(lambda: self.app.report_pdf("visit", visit_id, large_print=large_print), done, failed)
