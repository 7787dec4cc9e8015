"""A subject access copy from the pupil's record: everything held about them,
as JSON and a readable PDF, saved to a folder the worker chooses (the files
readable by the worker only). Concerns only when ticked; the copy is audited."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from desktop.services.files import why_not_written, write_private_all

from .forms import SaveDialog

if TYPE_CHECKING:
    from desktop.services import Waymark
    from desktop.tasks import TaskRunner

FILES = ("subject-access.json", "subject-access.pdf")


class SubjectAccessDialog(SaveDialog):
    def __init__(
        self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(app, runner, f"Subject access copy: {name}", parent)
        self.pupil_id = pupil_id
        self.save_button.setText("&Save the copy")
        self.folder = QLineEdit(str(Path.home()))
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose a folder")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        holder = QWidget()
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.add_row("&Folder:", holder, "Folder for the copy")
        self.folder.setAccessibleName("Folder for the copy")
        self.include_restricted = QCheckBox("Include safeguarding &concerns (restricted: the read is recorded)")
        self.add_row("", self.include_restricted, "Include safeguarding concerns")
        self.written: list[Path] = []
        self.keep_drafts(
            "subject-access",
            pupil_id,
            title=f"subject access copy for {name}",
            context={"pupil_id": pupil_id, "name": name},
        )

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Save the subject access copy in", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def submit(self) -> None:
        folder = Path(self.folder.text().strip()).expanduser()
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            self.banner.show_message(f"Choose a folder you can write to; {folder} is not one.")
            return
        include = self.include_restricted.isChecked()
        app, pupil_id = self.app, self.pupil_id
        self.save_button.setEnabled(False)

        def done(copy: object) -> None:
            if not shiboken6.isValid(self):
                return
            try:
                paths = [folder / name for name in FILES]
                write_private_all([(paths[0], copy.json_bytes), (paths[1], copy.pdf_bytes)])  # both or neither
            except OSError as exc:
                self.save_button.setEnabled(True)
                self.banner.show_message(
                    f"The copy was not saved in {folder} because {why_not_written(exc)}; neither file was left there."
                )
                return
            self.written = paths
            self.draft_saved_as_record()
            self.saved.emit(pupil_id)
            self.accept()

        def failed(message: str) -> None:
            if shiboken6.isValid(self):
                self.save_button.setEnabled(True)
                self.banner.show_message(message)

        self.runner.run(lambda: app.subject_access(pupil_id, include), done, failed)
