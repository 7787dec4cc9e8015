"""The work part of Log a visit: one form of subjects, work covered, work set,
work returned and levels (`EntryForm`), used once for every child or once per
child, and the panel that switches between the two (`WorkPanel`).

Every form uses the same mnemonics (Alt+B subjects, Alt+W work covered, Alt+E
work set, Alt+S same as last time, Alt+R returned, Alt+V levels): only one form
is visible at a time, so Alt+letter always reaches the form in front.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import NotSeenReason
from desktop.domain.records import VisitEntry

from ..common import click_at_once, set_tab_order


def split_subjects(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


class SubjectsEdit(QLineEdit):
    """Comma-separated subjects; type-ahead completes the subject being typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self._completer.setWidget(self)
        self._completer.activated.connect(self._insert)
        self.textEdited.connect(self._complete)

    def set_subjects(self, subjects: Sequence[str]) -> None:
        self._model.setStringList(list(subjects))

    def _current_word(self) -> str:
        return self.text()[: self.cursorPosition()].split(",")[-1].strip()

    def _complete(self) -> None:
        word = self._current_word()
        if not word:
            self._completer.popup().hide()
            return
        self._completer.setCompletionPrefix(word)
        if self._completer.completionCount():
            self._completer.complete()
        else:
            self._completer.popup().hide()

    def _insert(self, subject: str) -> None:
        before = self.text()[: self.cursorPosition()]
        after = self.text()[self.cursorPosition() :]
        head = before.rsplit(",", 1)[0] + ", " if "," in before else ""
        self.setText(f"{head}{subject}, {after.lstrip(', ')}".rstrip())
        self.setCursorPosition(len(head) + len(subject) + 2)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self._completer.popup()
        if popup.isVisible() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Enter with nothing highlighted takes the first match, as type-ahead should.
            popup.hide()
            self._insert(self._completer.currentCompletion())
            return
        super().keyPressEvent(event)


def text_box(name: str, lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)  # Tab moves on, as in every other field
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


@dataclass(frozen=True)
class Work:
    """What one form holds."""

    subjects: tuple[str, ...] = ()
    work_covered: str = ""
    work_set: str = ""
    work_returned: str = ""
    levels_and_needs: str = ""


NO_PROFESSIONAL = "Schools are not sent professional-only notes."


class EntryForm(QWidget):
    """The work of one child, or of every child when they all did the same. A child's
    own form (`who` given) also has that child's own notes: on their copies only."""

    def __init__(self, who: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        suffix = f": {who}" if who else ""  # screen readers say whose field it is
        self.subjects = SubjectsEdit()
        self.subjects.setPlaceholderText("English, Maths")
        self.work_covered = text_box(f"Work covered{suffix}", lines=5)
        self.work_set = QLineEdit()
        self.same_as_last = QPushButton("&Same as last time")
        click_at_once(self.same_as_last)  # Alt+S acts before the keys typed after it
        self.work_returned = QLineEdit()
        self.work_returned.setPlaceholderText("What came back, and whether it was marked")
        self.levels = QLineEdit()
        self.levels.setPlaceholderText("Levels reached, learning gaps, help needed")
        for widget, name in (
            (self.subjects, "Subjects"),
            (self.work_set, "Work set"),
            (self.same_as_last, "Same work set as last time"),
            (self.work_returned, "Work returned and marked"),
            (self.levels, "Levels, learning gaps and needs"),
        ):
            widget.setAccessibleName(name + suffix)
        self.not_taught = QLabel()
        self.not_taught.setObjectName("hint")
        self.not_taught.setWordWrap(True)
        self.not_taught.hide()

        self.form = form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.not_taught)
        form.addRow(_buddy("Su&bjects:", self.subjects), self.subjects)
        form.addRow(_buddy("&Work covered:", self.work_covered), self.work_covered)
        work_set_row = QHBoxLayout()
        work_set_row.addWidget(self.work_set, 1)
        work_set_row.addWidget(self.same_as_last)
        form.addRow(_buddy("Work s&et:", self.work_set), work_set_row)
        form.addRow(_buddy("Work &returned:", self.work_returned), self.work_returned)
        form.addRow(_buddy("Le&vels and needs:", self.levels), self.levels)
        self.family_note: QPlainTextEdit | None = None
        self.professional_note: QPlainTextEdit | None = None
        if who:
            self._add_notes(who)
        set_tab_order(*self.fields())

    def _add_notes(self, who: str) -> None:
        """This child's own notes, side by side; who reads each is said in its label."""
        forename = who.split()[0]
        self.family_note = text_box(f"Note for the family about {who}: the family will see this", lines=2)
        self.professional_note = text_box(f"Professionals only, about {who}: not on the parent's copy", lines=2)
        family = _buddy(f"About {forename} — t&he family will see this", self.family_note)
        family.setObjectName("familyNote")
        professional = _buddy(f"About {forename} — professionals onl&y", self.professional_note)
        professional.setObjectName("professionalNote")
        box = QWidget()
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # no gaps in a short tab
        notes = QGridLayout(box)
        notes.setContentsMargins(0, 6, 0, 0)
        notes.setHorizontalSpacing(12)
        notes.addWidget(family, 0, 0)
        notes.addWidget(self.family_note, 1, 0)
        notes.addWidget(professional, 0, 1)
        notes.addWidget(self.professional_note, 1, 1)
        self.form.addRow(box)

    def refuse_professional(self, why: str) -> None:
        """No professional-only note here (a school's laptop): the field says why."""
        if self.professional_note is not None:
            self.professional_note.clear()
            self.professional_note.setEnabled(False)
            self.professional_note.setPlaceholderText(NO_PROFESSIONAL)  # short: the box is two lines high
            self.professional_note.setToolTip(why)

    def fields(self) -> list[QWidget]:
        """In the order Tab visits them."""
        own = [n for n in (self.family_note, self.professional_note) if n is not None]
        return [
            self.subjects,
            self.work_covered,
            self.work_set,
            self.same_as_last,
            self.work_returned,
            self.levels,
            *own,
        ]

    def notes(self) -> tuple[str, str]:
        """This child's own notes: for the family, for professionals only."""
        if self.family_note is None or self.professional_note is None:
            return "", ""
        return self.family_note.toPlainText().strip(), self.professional_note.toPlainText().strip()

    def set_notes(self, family: str, professional: str) -> None:
        if self.family_note is not None and self.professional_note is not None:
            self.family_note.setPlainText(family)
            self.professional_note.setPlainText(professional)

    def work(self) -> Work:
        return Work(
            subjects=tuple(split_subjects(self.subjects.text())),
            work_covered=self.work_covered.toPlainText().strip(),
            work_set=self.work_set.text().strip(),
            work_returned=self.work_returned.text().strip(),
            levels_and_needs=self.levels.text().strip(),
        )

    def set_work(self, work: Work) -> None:
        self.subjects.setText(", ".join(work.subjects))
        self.work_covered.setPlainText(work.work_covered)
        self.work_set.setText(work.work_set)
        self.work_returned.setText(work.work_returned)
        self.levels.setText(work.levels_and_needs)

    def set_taught(self, taught: bool, why: str = "") -> None:
        """A child not taught has no subjects, work covered, returned or levels;
        work may still be left for them. Those rows are hidden, not greyed: text
        copied from the form for all would look as if it were kept. It comes back
        as it was if the child is marked seen again."""
        for widget in (self.subjects, self.work_covered, self.work_returned, self.levels):
            widget.setEnabled(taught)
            self.form.setRowVisible(widget, taught)
        self.not_taught.setText(f"{why}: only work left for them and their notes are kept." if why else "")
        self.not_taught.setVisible(not taught)


def _buddy(text: str, widget: QWidget) -> QLabel:
    buddy = QLabel(text)
    buddy.setBuddy(widget)
    return buddy


class WorkPanel(QWidget):
    """The work of every child on a visit: one form for all while *Same work for
    all* is on, or a tab per child (Alt+1, Alt+2, …), each starting from what was
    typed for all. "Same as last time" gives each child their own last work set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.same_for_all = QCheckBox("Same work for a&ll the children")
        self.same_for_all.setAccessibleName("Same work for all the children")
        self.same_for_all.setChecked(True)
        click_at_once(self.same_for_all)
        self.shared = EntryForm()
        self.no_professional = ""  # why a child's professional-only note may not be written here, if not
        self.child_tabs = QTabWidget()
        self.child_tabs.setDocumentMode(True)
        self.child_tabs.setAccessibleName("Each child's work")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.shared)
        self.stack.addWidget(self.child_tabs)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        switch = QHBoxLayout()
        switch.addWidget(self.same_for_all)
        switch.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(switch)
        layout.addWidget(self.stack)
        layout.addStretch(1)

        self.children: list[str] = []  # the ticked children, in `order`
        self.order: Callable[[str], Any] | None = None  # a child's sort key (the dialog's: by surname)
        self.names: dict[str, str] = {}
        self.subjects: list[str] = []  # for type-ahead
        self.last: dict[str, VisitEntry] = {}  # each child's own last entry
        self.not_seen: dict[str, NotSeenReason] = {}
        self.forms: dict[str, EntryForm] = {}  # each child's own, kept as typed
        self._quiet = False
        self.shared.same_as_last.clicked.connect(self.same_as_last)
        self.same_for_all.toggled.connect(self._toggled)
        self.child_tabs.currentChanged.connect(self._tab_shown)

    # --- what the dialog tells it ---------------------------------------------------------

    def start(self, children: list[str], usual: dict[str, Work], last: dict[str, VisitEntry]) -> None:
        """A fresh visit: one form for all while the children's usual subjects agree, else a tab each."""
        for form in self.forms.values():
            form.deleteLater()
        self.forms.clear()
        self.not_seen.clear()
        self.last = dict(last)
        self.shared.subjects.set_subjects(self.subjects)
        agree = len(set(usual.values())) <= 1
        self._quiet = True
        self.same_for_all.setChecked(agree)
        self.shared.set_work(next(iter(usual.values()), Work()) if agree else Work())
        self._quiet = False
        self.set_children(children, start_from=usual)

    def set_children(self, children: list[str], start_from: dict[str, Work] | None = None) -> None:
        """One tab per ticked child, the switch shown when there are several; the tabs
        in `order` (by surname, as the report's copies), not the order they were ticked."""
        children = sorted(children, key=self.order) if self.order else list(children)
        self.children = list(children)
        quiet, self._quiet = self._quiet, True
        for pupil_id in list(self.forms):
            if pupil_id not in children:
                self.forms.pop(pupil_id).deleteLater()
        for pupil_id in children:
            if pupil_id not in self.forms:
                self.forms[pupil_id] = self._new_form(pupil_id, (start_from or {}).get(pupil_id))
        current = self.child_tabs.currentWidget()
        self.child_tabs.clear()
        for i, pupil_id in enumerate(children):
            self.child_tabs.addTab(self.forms[pupil_id], self._tab_text(i, pupil_id))
        if current is not None and self.child_tabs.indexOf(current) >= 0:
            self.child_tabs.setCurrentWidget(current)
        several, shared = len(children) > 1, self.same_for_all.isChecked()
        self.same_for_all.setVisible(several)
        self.hint.setVisible(several)
        self.hint.setText("one form for every child ticked" if shared else "each child's own: Alt+1, Alt+2, … to move")
        self.stack.setCurrentWidget(self.shared if shared else self.child_tabs)
        for pupil_id, form in self.forms.items():
            reason = self.not_seen.get(pupil_id)
            form.set_taught(reason is None, f"Not seen: {reason.label.lower()}" if reason else "")
        self._update_same_as_last()
        self._quiet = quiet

    def set_not_seen(self, pupil_id: str, reason: NotSeenReason | None) -> None:
        if reason is None:
            self.not_seen.pop(pupil_id, None)
        else:
            self.not_seen[pupil_id] = reason
        self.set_children(self.children)

    def add_last(self, found: dict[str, VisitEntry]) -> None:
        self.last.update(found)
        self._update_same_as_last()

    # --- reading it -------------------------------------------------------------------------

    def form_for(self, pupil_id: str) -> EntryForm:
        """The form that holds this child's work now: their own, or the one for all."""
        return self.shared if self.same_for_all.isChecked() else self.forms.get(pupil_id, self.shared)

    def child_notes(self) -> dict[str, tuple[str, str]]:
        """Each ticked child's own notes (family, professionals), when each has a tab;
        none in one form for all, where notes are about the whole visit."""
        if self.same_for_all.isChecked():
            return {}
        notes = {p: self.forms[p].notes() for p in self.children}
        if self.no_professional:
            notes = {p: (family, "") for p, (family, _professional) in notes.items()}
        return {p: both for p, both in notes.items() if any(both)}

    def fields(self) -> list[QWidget]:
        """In the order Tab visits them: only the visible ones are visited."""
        work = [self.same_for_all, *self.shared.fields(), self.child_tabs]
        for pupil_id in self.children:
            work += self.forms[pupil_id].fields()
        return work

    def focus_work(self) -> None:
        """To the work covered of the form in front (or its work set, for a child not taught)."""
        form = self.shared if self.same_for_all.isChecked() else self.child_tabs.currentWidget()
        if isinstance(form, EntryForm):
            (form.work_covered if form.work_covered.isEnabled() else form.work_set).setFocus()

    # --- inside ---------------------------------------------------------------------------------

    def _new_form(self, pupil_id: str, start_from: Work | None) -> EntryForm:
        form = EntryForm(self.names.get(pupil_id) or "Pupil")
        if self.no_professional:
            form.refuse_professional(self.no_professional)
        form.subjects.set_subjects(self.subjects)
        if start_from is not None:
            form.set_work(start_from)
        elif self.same_for_all.isChecked():
            form.set_work(self.shared.work())
        elif pupil_id in self.last:
            form.set_work(Work(subjects=tuple(self.last[pupil_id].subjects)))
        form.same_as_last.clicked.connect(self.same_as_last)
        return form

    def _tab_text(self, index: int, pupil_id: str) -> str:
        forename = (self.names.get(pupil_id) or "Pupil").split()[0]
        tab = f"&{index + 1} {forename}" if index < 9 else forename  # Alt+1, Alt+2, … choose a child
        return tab + (" (not seen)" if pupil_id in self.not_seen else "")

    def _toggled(self, on: bool) -> None:
        if self._quiet:
            return
        forms = [self.forms[p] for p in self.children]
        if on:
            current = self.child_tabs.currentWidget()
            differs = len({f.work() for f in forms}) > 1
            noted = [p for p in self.children if any(self.forms[p].notes())]
            if (differs or noted) and not self._confirm_one_for_all(current, differs, noted):
                self._quiet = True
                self.same_for_all.setChecked(False)
                self._quiet = False
                return
            self.shared.set_work(current.work() if isinstance(current, EntryForm) else Work())
            for form in forms:  # in one form for all, notes are about the whole visit
                form.set_notes("", "")
            self.set_children(self.children)
        else:
            self._split()
        self.focus_work()

    def _split(self) -> None:
        """A tab per child, each starting from what was typed for all."""
        for pupil_id in self.children:
            self.forms[pupil_id].set_work(self.shared.work())
        self.set_children(self.children)

    def _confirm_one_for_all(self, current: QWidget | None, differs: bool, noted: list[str]) -> bool:
        name = next((self.names.get(p, "") for p, f in self.forms.items() if f is current), "") or "this child"
        said = []
        if differs:
            said.append(
                f"The children's work differs. Use {name}'s for every child? What was typed for the others is replaced."
            )
        if noted:
            whose = " and ".join(self.names.get(p, "Pupil").split()[0] for p in noted)
            said.append(f"{whose}'s own notes are dropped: in one form for all, notes are about the whole visit.")
        answer = QMessageBox.question(self, "Same work for all the children", " ".join(said))
        return answer == QMessageBox.StandardButton.Yes

    def _tab_shown(self, index: int) -> None:
        if not self._quiet and index >= 0:
            self.focus_work()

    def _last_sets(self) -> dict[str, str]:
        return {p: self.last[p].work_set for p in self.children if p in self.last and self.last[p].work_set}

    def _update_same_as_last(self) -> None:
        sets = self._last_sets()
        tip = "; ".join(f"{self.names.get(p, '').split(' ')[0]}: {s}" for p, s in sets.items())
        for form in (self.shared, *self.forms.values()):
            form.same_as_last.setEnabled(bool(sets))
            form.same_as_last.setToolTip(tip or "No work was set last time")

    def same_as_last(self) -> None:
        """Each child's work set from their own last visit. When they differ, each
        child gets a tab of their own, so every child keeps theirs."""
        sets = self._last_sets()
        if not sets:
            return
        focus = QApplication.focusWidget()
        if self.same_for_all.isChecked():
            if len(set(sets.values())) == 1 and len(sets) == len(self.children):
                self.shared.work_set.setText(next(iter(sets.values())))
                return
            self._quiet = True
            self.same_for_all.setChecked(False)
            self._quiet = False
            self._split()
        for pupil_id, work_set in sets.items():
            self.forms[pupil_id].work_set.setText(work_set)
        # The focus stays where the user is: only when the form they were in has gone
        # (one for all, now a tab each) does it move, to the work of the child in front.
        if focus is None or not focus.isVisible():
            self.focus_work()
