"""The window's actions, menus and toolbar, and the commands they run."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox, QSizePolicy, QToolBar, QWidget

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    pass

from ..calendar_dialog import CalendarDialog
from ..common import label
from ..pupil_dialog import AddPupilDialog
from ..visit_dialog import VisitDialog
from ..widgets import set_available


class WindowActions:
    """Mixed into `MainWindow`: menus, toolbar, shortcuts and what they open."""

    def _action(self, text: str, slot: Callable[[], Any], shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work with the menu bar hidden, too
        return action

    def _build_actions(self) -> None:
        self.log_visit_action = self._action("&Log a visit…", self.log_visit, QKeySequence.StandardKey.New)
        # Ctrl+N from anywhere in the app, dialogs included (modal dialogs still block it).
        self.log_visit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.add_pupil_action = self._action("&Add a pupil…", self._add_pupil, "Ctrl+Shift+N")
        self.add_school_action = self._action("Add a &school…", self._add_school)
        self.find_action = self._action("&Find a pupil", self._focus_search, QKeySequence.StandardKey.Find)
        self.refresh_action = self._action("&Refresh", self._refresh, QKeySequence.StandardKey.Refresh)
        self.caseload_action = self._action("&Caseload", self._show_caseload, "Ctrl+1")
        self.appointments_action = self._action("&Appointments", self._show_appointments, "Ctrl+2")
        self.packs_action = self._action("&Work packs…", self._open_packs, "Ctrl+Shift+P")
        self.settings_action = self._action("&Settings…", self._open_settings, QKeySequence.StandardKey.Preferences)
        self.summary_action = self._action("Print the caseload s&ummary…", self._print_summary, "Ctrl+Shift+S")
        self.backup_action = self._action("&Back up…", lambda: self.backups.choose_and_back_up())
        self.calendar_action = self._action("School term &dates…", self.open_calendar)
        self.audit_action = self._action("Audit &trail…", self.open_audit_trail)
        self.sync_now_action = self._action("S&ync now", self.sync_now, "F9")
        self.connect_action = self._action("Connect to the LA ser&ver…", self.open_connect)
        self.conflicts_action = self._action("Sync co&nflicts…", self.open_conflicts)
        self.not_sent_action = self._action("Changes not s&ent…", self.open_not_sent)
        self.lock_action = self._action("Loc&k", self.lock, "Ctrl+L")
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")  # not StandardKey.Quit: Windows has none
        self.shortcuts_action = self._action(
            "&Keyboard shortcuts", self._show_shortcuts, QKeySequence.StandardKey.HelpContents
        )
        self.about_action = self._action("&About Waymark", self._show_about)
        self.log_visit_action.setToolTip("Log a visit (Ctrl+N)")
        self.lock_action.setToolTip("Lock Waymark now (Ctrl+L)")

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.setToolTipsVisible(True)  # a disabled item says why
        file_menu.addAction(self.summary_action)
        file_menu.addAction(self.audit_action)
        file_menu.addSeparator()
        file_menu.addAction(self.sync_now_action)
        file_menu.addAction(self.connect_action)
        file_menu.addAction(self.conflicts_action)
        file_menu.addAction(self.not_sent_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.calendar_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.quit_action)
        pupil_menu = self.pupil_menu = menus.addMenu("&Pupils")
        pupil_menu.addAction(self.log_visit_action)
        pupil_menu.addAction(self.add_pupil_action)
        pupil_menu.addAction(self.add_school_action)
        pupil_menu.addSeparator()
        pupil_menu.addAction(self.packs_action)
        view_menu = self.view_menu = menus.addMenu("&View")
        view_menu.addAction(self.caseload_action)
        view_menu.addAction(self.appointments_action)
        view_menu.addAction(self.find_action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

        self.toolbar = QToolBar("Main toolbar")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.log_visit_action)
        self.toolbar.addAction(self.add_pupil_action)
        self.toolbar.addAction(self.packs_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.who_label = label("", "hint")
        self.toolbar.addWidget(self.who_label)
        self.toolbar.addAction(self.lock_action)
        self.addToolBar(self.toolbar)

    def _set_session_actions(self, unlocked: bool) -> None:
        for action in (
            self.log_visit_action,
            self.add_pupil_action,
            self.add_school_action,
            self.find_action,
            self.refresh_action,
            self.caseload_action,
            self.appointments_action,
            self.packs_action,
            self.summary_action,
            self.audit_action,
            self.sync_now_action,
            self.connect_action,
            self.conflicts_action,
            self.settings_action,
            self.backup_action,
            self.calendar_action,
            self.lock_action,
        ):
            action.setEnabled(unlocked)
        self.not_sent_action.setEnabled(False)  # until the sync status says some were refused
        self.toolbar.setVisible(unlocked)
        for menu in (self.pupil_menu, self.view_menu):
            menu.menuAction().setVisible(unlocked)

    # --- commands -------------------------------------------------------------------------------

    def log_visit(self, pupil_id: str | None = None) -> VisitDialog | None:
        return self.workspace.log_visit(pupil_id) if self.workspace else None

    def add_pupil(self) -> AddPupilDialog | None:
        return self.workspace.add_pupil() if self.workspace else None

    def _add_pupil(self) -> None:
        self.add_pupil()

    def add_school(self) -> QDialog | None:
        return self.workspace.add_school() if self.workspace else None

    def _add_school(self) -> None:
        self.add_school()

    def _focus_search(self) -> None:
        if self.workspace:
            self.workspace.focus_search()

    def _refresh(self) -> None:
        if self.workspace:
            self.workspace.reload()
            self.refresh_sync_status()

    def _show_caseload(self) -> None:
        if self.workspace:
            self.workspace.show_caseload()

    def _show_appointments(self) -> None:
        if self.workspace:
            self.workspace.show_appointments()

    def _open_packs(self) -> None:
        if self.workspace:
            self.workspace.open_packs()

    def _print_summary(self) -> None:
        if self.workspace:
            self.workspace.print_report("summary", "")

    def open_audit_trail(self, pupil_id: str | None = None) -> QDialog | None:
        """File → Audit trail: filtered by pupil and date, with a check of the chain."""
        if self.app is None or self.workspace is None:
            return None
        from ..audit_view import AuditDialog

        dialog = AuditDialog(self.app, self.runner, self.workspace, pupil_id=pupil_id)  # wall-clock days
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # nothing of it outlives a lock
        dialog.open()
        return dialog

    def apply_limits(self, role: str) -> None:
        """What this laptop's user may change on the LA's server: a school's laptop does
        not offer what the server would refuse, and says why (desktop/services/role_limits.py)."""
        from desktop.services.role_limits import limits_for

        limits = self.limits = limits_for(role)
        set_available(self.add_pupil_action, limits.may_add_pupils, "Add a pupil (Ctrl+Shift+N)", limits.why_no_pupils)
        set_available(self.add_school_action, limits.may_write("school"), "Add a school", limits.why_not("school"))
        if self.workspace is not None:
            self.workspace.set_limits(role)

    def open_calendar(self) -> CalendarDialog | None:
        """The school term dates every rule counts school days on; import an LA's."""
        if self.app is None:
            return None
        limits = self.limits
        why_not = "" if limits is None or limits.may_write("calendar_entry") else limits.why_not("calendar_entry")
        dialog = CalendarDialog(self.app, self.runner, self.workspace, why_not=why_not)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _show_shortcuts(self) -> None:
        rows = [
            ("Ctrl+N", "Log a visit (from anywhere)"),
            ("Ctrl+Return", "Save the visit"),
            ("Ctrl+Shift+N", "Add a pupil"),
            ("Ctrl+F", "Search the caseload"),
            ("Ctrl+1 / Ctrl+2", "Caseload / Appointments"),
            ("Ctrl+Shift+P", "Work pack library"),
            ("F5", "Refresh"),
            ("F9", "Sync with the LA server now"),
            ("Ctrl+L", "Lock now"),
            ("Ctrl+Q", "Quit"),
            ("Alt+letter", "Jump to the field with that letter underlined"),
        ]
        table = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", f"<table>{table}</table>", parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _show_about(self) -> None:
        from desktop import __version__

        text = (
            f"<b>Waymark {__version__}</b><p>Records and visit reports for teachers of children "
            "out of school. Your records are stored encrypted on this computer.</p>"
        )
        box = QMessageBox(QMessageBox.Icon.Information, "About Waymark", text, parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
