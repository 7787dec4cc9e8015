"""The Concerns tab (restricted): a warning and a deliberate step before anything is fetched."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import Concern
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..common import set_tab_order
from ..forms import SaveDialog
from ..widgets import Banner, HtmlPane, badge, esc, fmt_date, from_qdate, para_text, set_available
from .html import plural


class ConcernsPanel(QWidget):
    """Restricted: a warning and a deliberate step before anything is fetched.
    Reading is audited by the service; concerns are never printed."""

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._pupil_id: str | None = None
        self._pupil_name = ""
        self._generation = 0
        self.setAccessibleName("Concerns (restricted)")

        self.warning = QFrame()
        self.warning.setObjectName("restrictedWarning")
        self.warning.setStyleSheet(
            "QFrame#restrictedWarning { background: #fbe4e4; border: 1px solid #e8b4b4; border-radius: 6px; }"
            "QFrame#restrictedWarning QLabel { color: #5c1114; }"
        )
        self.warning_title = QLabel("Restricted: safeguarding concerns")
        self.warning_title.setStyleSheet("font-weight: 600; font-size: 12pt;")
        self.warning_text = QLabel()
        self.warning_text.setWordWrap(True)
        self.warning_text.setAccessibleName("Restricted information warning")
        self.reason = QCheckBox("I need to see these concerns for safeguarding reasons")
        self.reason.setAccessibleName("I need to see these concerns for safeguarding reasons")
        self.show_button = QPushButton("Sho&w concerns")
        self.show_button.setAccessibleName("Show concerns: your access will be recorded")
        self.show_button.setEnabled(False)
        self.add_button = QPushButton("&Record a concern…")
        self.add_button.setAccessibleName("Record a concern")
        self.hide_button = QPushButton("Hi&de concerns")
        self.hide_button.setAccessibleName("Hide concerns")
        self.list = HtmlPane("Concerns")
        self.banner = Banner(self)

        inner = QVBoxLayout(self.warning)
        inner.addWidget(self.warning_title)
        inner.addWidget(self.warning_text)
        row = QHBoxLayout()
        row.addWidget(self.reason)
        row.addStretch(1)
        row.addWidget(self.show_button)
        inner.addLayout(row)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.hide_button)
        bar.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.warning)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addStretch(0)  # takes the space while the list is hidden
        self.warning.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        set_tab_order(self.reason, self.show_button, self.hide_button, self.add_button, self.list)

        self.reason.toggled.connect(self.show_button.setEnabled)
        self.show_button.clicked.connect(self.reveal)
        self.hide_button.clicked.connect(self.conceal)
        self.add_button.clicked.connect(self.record_concern)
        self.clear()

    @property
    def revealed(self) -> bool:
        return self.list.isVisibleTo(self)

    def set_pupil(self, pupil_id: str, name: str, open_count: int) -> None:
        if pupil_id != self._pupil_id:
            self.conceal()
        self._pupil_id, self._pupil_name = pupil_id, name
        self.add_button.setEnabled(True)
        counted = (
            f"{plural(open_count, 'open concern')} recorded for {name}."
            if open_count
            else f"No open concerns are recorded for {name}."
        )
        self.warning_text.setText(
            f"{counted} Concerns are never printed on any report. Opening them is recorded in the audit "
            "trail with your name and the time; share them only as necessary."
        )

    def set_school(self, school: bool) -> None:
        """A base school's laptop is never sent concerns (sync/protocol/serving.py): say so,
        rather than "no open concerns", and do not offer to record one that would not be sent."""
        if not school:
            return
        self.warning_text.setText(
            "The LA's server never sends safeguarding concerns to schools, so none are shown here. "
            "Raise a concern with your designated safeguarding lead and the LA as you always would."
        )
        self.reason.hide()
        self.show_button.hide()
        set_available(
            self.add_button,
            False,
            "Record a concern",
            "Concerns recorded on a school's laptop are not sent to the LA's server.",
        )

    def reveal(self) -> None:
        """Fetch and show the concerns: only after the user has said why (the service audits the read)."""
        if not self._pupil_id or not self.reason.isChecked():
            return
        self._generation += 1
        generation, pupil_id = self._generation, self._pupil_id
        self.banner.clear_message()
        self.runner.run(
            lambda: self.app.list_concerns(pupil_id),
            lambda concerns: self._show(generation, concerns),
            self.banner.show_message,
        )

    def _show(self, generation: int, concerns: list[Concern]) -> None:
        if generation != self._generation:
            return
        if not concerns:
            html = "<p class='muted'>No concerns are recorded.</p>"
        else:
            html = ""
            for c in sorted(concerns, key=lambda c: c.raised_on, reverse=True):
                state = badge("Closed", "plain") if c.closed else badge("Open", "danger")
                html += (
                    f"<p><b>{fmt_date(c.raised_on)}</b> {state} <span class='muted'>raised by {esc(c.raised_by)}"
                    f"{' · escalated to ' + esc(c.escalated_to) if c.escalated_to else ''}</span><br>"
                    f"{para_text(c.text)}</p><hr>"
                )
        self.list.set_body(html)
        self.list.show()
        self.hide_button.show()
        self.reason.hide()
        self.show_button.hide()

    def conceal(self) -> None:
        self._generation += 1
        self.list.clear()
        self.list.hide()
        self.hide_button.hide()
        self.reason.setChecked(False)
        self.reason.show()
        self.show_button.show()

    def clear(self) -> None:
        self.conceal()
        self._pupil_id, self._pupil_name = None, ""
        self.warning_text.setText("")
        self.banner.clear_message()
        self.add_button.setEnabled(False)

    def on_change(self, changes: Changes) -> None:
        """A concern added while the list is open is shown too (another audited read)."""
        if "concern" in changes.entities and self.revealed:
            self.reveal()

    def record_concern(self) -> ConcernDialog | None:
        if not self._pupil_id:
            return None
        dialog = ConcernDialog(self.app, self.runner, self._pupil_id, self._pupil_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class ConcernDialog(SaveDialog):
    """Record a safeguarding concern. Writing needs no reveal; it is never printed."""

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Record a concern: {name}", parent)
        self.pupil_id = pupil_id
        self.raised_on = self.date_edit(app.today())
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("What was seen or said, in the child's words where possible")
        self.escalated_to = QLineEdit()
        self.escalated_to.setPlaceholderText("e.g. Designated Safeguarding Lead")
        self.add_row("Raised &on:", self.raised_on, "Raised on")
        self.add_row("&Concern:", self.text, "Concern")
        self.add_row("&Escalated to:", self.escalated_to, "Escalated to")
        note = QLabel("Concerns are restricted and never printed on any report.")
        note.setObjectName("hint")
        self.form.addRow(note)
        self.resize(520, 340)
        # Kept as a draft like every form (losing a half-typed concern is the worst loss),
        # but private: it never reopens by itself after unlocking, and what the app says
        # of it ("an unsaved form for Lily") names neither a concern nor its text, since a
        # worker often unlocks in the family's home with the family beside the screen.
        first = name.split()[0] if name.split() else "a pupil"
        self.keep_drafts(
            "concern", pupil_id, title=f"form for {first}", context={"pupil_id": pupil_id, "name": name}, private=True
        )

    def task(self) -> Callable[[], Changes]:
        return partial(
            self.app.add_concern,
            Concern(
                pupil_id=self.pupil_id,
                raised_on=from_qdate(self.raised_on.date()),
                text=self.text.toPlainText(),
                escalated_to=self.escalated_to.text().strip(),
            ),
        )
