"""Sync in the app: a controller that syncs in the background, the
"Connect to the LA server" dialog and the Conflicts view.

The controller never syncs on the window's thread: it hands the work to the
task runner's network pool and hears back by queued signals. It syncs soon
after an edit, every few minutes, and backs off (30 s, 1 min, 2 min … 15 min)
while the server cannot be reached. Its words go to the status bar.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services import Changes, StoreClosed
from desktop.services.sync import AccessRevoked, ClientTooOld, Offline, SyncError, SyncService, SyncStopped
from desktop.tasks import TaskRunner

from .drafts import DraftedDialog, Fields
from .widgets import Banner

EVERY = 5 * 60_000  # ms between syncs when all is well
SOON = 15_000  # ms after an edit
FIRST_RETRY = 30_000
LONGEST_WAIT = 15 * 60_000
# Every record kind, so each view redraws after a pull that brought something.
PULLED = Changes(
    frozenset({"pupil", "visit", "school", "site", "folder", "progress_entry", "plan", "sync_conflict"}), ("sync",)
)


@dataclass(frozen=True)
class Outcome:
    """What one background sync came to; never an exception across threads."""

    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    error: str = ""
    offline: bool = False
    stop: bool = False  # revoked, disabled or too old: trying again will not help
    not_connected: bool = False
    left: int = 0  # pupils no longer this user's, removed from the laptop
    narrowed: bool = False  # the user's role now holds less; what it may not hold was removed
    refused: int = 0  # changes the server refused, kept aside (File → Changes not sent…)
    locked: str = ""  # the profile locked during the sync, which stopped there: the words to show


def _run_sync(service: SyncService, progress: Callable[[str, int], None]) -> Outcome:
    try:
        if service.account() is None:
            return Outcome(not_connected=True)
        result = service.sync(progress)
    except (SyncStopped, StoreClosed) as exc:  # locked under it: not a failure, nothing to retry now
        return Outcome(locked=str(exc) if isinstance(exc, SyncStopped) else str(SyncStopped()))
    except Offline as exc:
        return Outcome(error=str(exc), offline=True)
    except (AccessRevoked, ClientTooOld) as exc:
        return Outcome(error=str(exc), stop=True)
    except SyncError as exc:
        return Outcome(error=str(exc))
    return Outcome(
        pushed=result.pushed,
        pulled=result.pulled,
        conflicts=result.conflicts,
        left=result.left,
        narrowed=result.narrowed,
        refused=len(result.refused),
    )


def wait_words(ms: int) -> str:
    minutes = round(ms / 60_000)
    if ms < 60_000:
        return f"{ms // 1000} seconds"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


NOT_CONNECTED = "This laptop is not connected to a server: File → Connect to the LA server… first."


class SyncController(QObject):
    """Background sync for one open profile."""

    state_changed = Signal(str)  # words for the status bar
    synced = Signal(object)  # Outcome, on the window's thread
    _progress = Signal(str, int)  # from the network thread

    def __init__(self, runner: TaskRunner, service: SyncService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.service = runner, service
        self.running = False
        self.failures = 0
        self._stopped = False
        self._asked = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may run 5 % long
        self._timer.timeout.connect(self.sync_now)
        self._progress.connect(self._show_progress)

    def start(self) -> None:
        self._stopped = False
        self._schedule(1_000)

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()

    def note_change(self) -> None:
        """An edit was saved here: send it soon (unless a retry is already due sooner)."""
        if not self._stopped and (not self._timer.isActive() or self._timer.remainingTime() > SOON):
            self._schedule(SOON)

    def _schedule(self, ms: int) -> None:
        if not self._stopped:
            self._timer.start(ms)

    @property
    def next_in(self) -> int:
        return self._timer.remainingTime() if self._timer.isActive() else -1

    def sync_now(self, asked: bool = False) -> None:
        """Sync now. `asked`: the user asked (F9), so a laptop with no server is told how to connect."""
        if self.running or self._stopped:
            return
        self.running = True
        self._asked = asked
        self._timer.stop()
        self.state_changed.emit("Syncing…")
        service = self.service
        self.runner.run(
            lambda: _run_sync(service, lambda stage, n: self._progress.emit(stage, n)),
            self._done,
            lambda message: self._done(Outcome(error=message)),
            network=True,
        )

    def _show_progress(self, stage: str, count: int) -> None:
        if self.running:
            verb = "Sending changes" if stage == "push" else "Receiving records"
            self.state_changed.emit(f"{verb}: {count:,} so far…")

    def _done(self, outcome: Outcome) -> None:
        self.running = False
        if self._stopped:
            return
        if outcome.locked:  # quietly: no failure counted, no retry (the next unlock starts afresh)
            self.state_changed.emit(outcome.locked)
            self.synced.emit(outcome)
            return
        if outcome.not_connected:
            self.state_changed.emit(NOT_CONNECTED if self._asked else "")
            self.synced.emit(outcome)
            return  # nothing to do until someone connects (which starts a sync)
        if outcome.error:
            self.failures += 1
            if outcome.stop:
                self.state_changed.emit(outcome.error)
            else:
                wait = min(FIRST_RETRY * 2 ** (self.failures - 1), LONGEST_WAIT)
                lead = "Offline" if outcome.offline else "Sync did not finish"
                self.state_changed.emit(f"{lead}: trying again in {wait_words(wait)}. Your changes are kept.")
                self._schedule(wait)
        else:
            self.failures = 0
            words = "Synced"
            if outcome.conflicts:
                words += f": {outcome.conflicts} conflict{'s' if outcome.conflicts != 1 else ''} to look at (File → Sync conflicts)"
            if outcome.left:
                words += (
                    f". {outcome.left} pupil{'s are' if outcome.left != 1 else ' is'} no longer yours on the LA's "
                    "server and left this laptop"
                )
            elif outcome.narrowed:
                words += ". Your role on the LA's server changed: records it does not hold left this laptop"
            if outcome.refused:
                words += (
                    f". The server refused {outcome.refused} change{'s' if outcome.refused != 1 else ''}: "
                    "see File → Changes not sent…"
                )
            self.state_changed.emit(words)
            self._schedule(EVERY)
            if outcome.pulled or outcome.left or outcome.narrowed:
                self.runner.did_change.emit(PULLED)
        self.synced.emit(outcome)


class ConnectDialog(QDialog):
    """File → Connect to the LA server: registers this laptop as a device."""

    connected = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        service: SyncService,
        parent: QWidget | None = None,
        *,
        after_login: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner, self.service = runner, service
        self.after_login = after_login  # the window's "sync now": runs even if the dialog was closed meanwhile
        self.setWindowTitle("Connect to the LA server")
        form = QFormLayout(self)
        intro = QLabel(
            "Your local authority gives you the server's address, your user name and a password. "
            "This laptop then syncs by itself whenever it is online."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://waymark.example.gov.uk")
        self.server.setAccessibleName("Server address")
        self.user = QLineEdit()
        self.user.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.device_name = QLineEdit(socket.gethostname())
        self.device_name.setAccessibleName("This laptop's name")
        self.insecure = QCheckBox("Allow an unencrypted (http://) address: only on a network you trust")
        form.addRow("&Server:", self.server)
        form.addRow("&User name:", self.user)
        form.addRow("&Password:", self.password)
        form.addRow("&This laptop:", self.device_name)
        form.addRow("", self.insecure)
        self.error = QLabel("")
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Connect")
        self.buttons.accepted.connect(self._connect)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def _connect(self) -> None:
        server, user, password = self.server.text().strip(), self.user.text().strip(), self.password.text()
        device, insecure = self.device_name.text().strip(), self.insecure.isChecked()
        if not server or not user or not password:
            self._fail("Fill in the server's address, your user name and your password.")
            return
        self.buttons.setEnabled(False)
        self.error.hide()
        service = self.service

        def login() -> object:
            return service.login(server, user, password, device_name=device, insecure=insecure)

        after = self.after_login

        def done(account: object) -> None:
            if after is not None:  # whether or not this dialog is still open
                after()
            self._connected(account)

        self.runner.run(login, done, self._fail, network=True)

    def _connected(self, _account: object) -> None:
        if not shiboken6.isValid(self):  # closed (Esc, the lock) while the server answered
            return
        self.password.clear()
        self.connected.emit()
        self.accept()

    def _fail(self, message: str) -> None:
        if not shiboken6.isValid(self):
            return
        self.buttons.setEnabled(True)
        self.error.setText(message)
        self.error.show()
        self.adjustSize()  # a refusal may run to three lines: grow to show all of it


class ConflictsDialog(DraftedDialog):
    """File → Sync conflicts: both versions side by side; keep one, or merge them.

    A merge typed and not yet kept is never lost without asking: each conflict keeps its
    own typed merge while the user moves between them, the merges are kept as one draft
    (kind "conflicts") like any form's, Esc or Close with a merge typed asks Discard /
    Keep for later / Keep editing, and the idle lock keeps them. The draft is private:
    a conflict may hold a professional's words, so it never reopens by itself."""

    resolved = Signal()

    def __init__(self, runner: TaskRunner, service: SyncService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.service, self.app = runner, service, service.app
        self.setWindowTitle("Sync conflicts")
        self.resize(820, 480)
        self.rows: list[tuple] = []
        self.typed: dict[str, str] = {}  # conflict id -> the merge typed for it, not yet kept
        self._current = ""  # the conflict shown
        self._suggested = ""  # the merge offered for it before any typing
        self._showing = False
        outer = QVBoxLayout(self)
        self.banner = Banner(self)
        outer.addWidget(self.banner)
        layout = QHBoxLayout()
        outer.addLayout(layout)
        self.list = QListWidget()
        self.list.setAccessibleName("Conflicts")
        self.list.currentRowChanged.connect(self._show)
        self.list.setWordWrap(True)  # a child's name and the record in full, never cut short
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(2)
        layout.addWidget(self.list, 2)
        right = QVBoxLayout()
        layout.addLayout(right, 3)
        self.heading = QLabel("")
        self.heading.setWordWrap(True)
        right.addWidget(self.heading)
        self.mine = self._text("Mine (this laptop's user)", right)
        self.theirs = self._text("Theirs", right)
        self.merged = self._text("Merged: edit, then Keep merged", right, read_only=False)
        self.merged.textChanged.connect(self._merge_typed)
        buttons = QHBoxLayout()
        self.keep_mine = QPushButton("Keep &mine")
        self.keep_theirs = QPushButton("Keep &theirs")
        self.keep_merged = QPushButton("Keep mer&ged")
        self.close_button = QPushButton("&Close")
        self.keep_mine.clicked.connect(lambda: self._resolve("mine"))
        self.keep_theirs.clicked.connect(lambda: self._resolve("theirs"))
        self.keep_merged.clicked.connect(lambda: self._resolve(self.merged.toPlainText()))
        self.close_button.clicked.connect(self.reject)  # as Esc: a typed merge is asked about
        for button in (self.keep_mine, self.keep_theirs, self.keep_merged, self.close_button):
            # No default button: Enter on the list must never keep a side the user did not choose.
            button.setAutoDefault(False)
            button.setDefault(False)
            buttons.addWidget(button)
        right.addLayout(buttons)
        self.empty = QLabel("No conflicts: every change merged cleanly.")
        right.addWidget(self.empty)
        self.keep_drafts("conflicts", title="merge of sync conflicts", private=True)
        self.reload()

    @staticmethod
    def _text(title: str, layout: QVBoxLayout, *, read_only: bool = True) -> QPlainTextEdit:
        layout.addWidget(QLabel(title))
        box = QPlainTextEdit()
        box.setReadOnly(read_only)
        box.setAccessibleName(title)
        box.setMaximumHeight(90)
        layout.addWidget(box)
        return box

    # --- the draft: every conflict's typed merge ----------------------------------------

    def draft_fields(self) -> Fields:
        return dict(self.typed)

    def restore_draft(self, values: Fields) -> None:
        present = {row[0].id for row in self.rows}  # the conflicts are listed before a draft is put back
        self.typed.update({key: text for key, text in values.items() if isinstance(text, str) and key in present})
        if self._current in self.typed:
            self._set_merged(self.typed[self._current])

    def _merge_typed(self) -> None:
        if self._showing or not self._current:
            return
        text = self.merged.toPlainText()
        if text == self._suggested:  # typed, then put back as offered: nothing to keep
            self.typed.pop(self._current, None)
        else:
            self.typed[self._current] = text
        if self.drafts is not None:
            self.drafts.changed()

    def _set_merged(self, text: str) -> None:
        self._showing = True
        try:
            self.merged.setPlainText(text)
            self.merged.moveCursor(QTextCursor.MoveOperation.End)  # typing goes on where it stopped
        finally:
            self._showing = False

    # --- loading and showing --------------------------------------------------------------

    def reload(self) -> None:
        service = self.service

        def load() -> list[tuple]:
            return [(c, *service.mine_and_theirs(c), service.about(c)) for c in service.conflicts()]

        self.loading_started()  # a kept merge goes back once the conflicts are listed
        self.runner.run(load, self._loaded, self._load_failed)

    def _load_failed(self, message: str) -> None:
        if shiboken6.isValid(self):
            self._error(message)
            self.loading_finished()

    def _loaded(self, rows: list[tuple]) -> None:
        if not shiboken6.isValid(self):  # closed while the conflicts were read
            return
        self.rows = rows
        self._current = ""  # clearing the list must not count as typing
        # A merge for a conflict that is gone (resolved, or its record left) has nothing to go to.
        present = {row[0].id for row in rows}
        for gone in set(self.typed) - present:
            del self.typed[gone]
        self.list.clear()
        for conflict, _mine, _theirs, topic in rows:
            item = QListWidgetItem(topic.title)  # "Lily Smith — details: medical needs"
            item.setToolTip(topic.title)
            item.setData(Qt.ItemDataRole.UserRole, conflict.id)
            self.list.addItem(item)
        has = bool(rows)
        for widget in (self.keep_mine, self.keep_theirs, self.keep_merged, self.mine, self.theirs, self.merged):
            widget.setEnabled(has)
        self.empty.setVisible(not has)
        if has:
            self.list.setCurrentRow(0)
        else:
            for box in (self.mine, self.theirs, self.merged):
                box.clear()
            self.heading.clear()
        self.loading_finished()

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            self._current = ""
            return
        conflict, mine, theirs, topic = self.rows[row]
        if conflict.kind == "deleted":
            self.heading.setText(
                f"<b>{escape(topic.title)}</b><br>Someone deleted this record on another laptop while these "
                "words were written. Keep mine brings it back with them; keep theirs leaves it deleted."
            )
            theirs = "(deleted)"
        else:
            who = conflict.other_by if conflict.other_value == theirs else conflict.kept_by
            self.heading.setText(
                f"<b>{escape(topic.title)}</b><br>Both laptops changed the {escape(topic.field)}"
                + (f" ({escape(who)})." if who else ".")
            )
        self.mine.setPlainText(mine)
        self.theirs.setPlainText(theirs)
        self._current = ""
        self._suggested = f"{mine}\n{theirs}" if conflict.kind == "edit" else mine
        self._set_merged(self.typed.get(conflict.id, self._suggested))  # what was typed for it, if anything
        self._current = conflict.id

    def _resolve(self, keep: str) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.rows):
            return
        conflict_id = self.rows[row][0].id
        if not keep.strip():
            self._error("The merged text is empty: write what should be kept.")
            return
        service = self.service

        def resolve() -> None:
            service.resolve(conflict_id, keep)

        def done(_result: object) -> None:
            if shiboken6.isValid(self):
                self.typed.pop(conflict_id, None)  # kept (or the user chose a side): no longer a draft
                if self.drafts is not None:
                    self.drafts.changed()
                self.resolved.emit()
                self.reload()

        self.runner.run(resolve, done, self._error)

    def _error(self, message: str) -> None:
        if shiboken6.isValid(self):
            self.heading.setText(escape(message))  # the heading is rich text; a message is not
