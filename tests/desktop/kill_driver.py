"""Run the real app (real task runner, store thread and all) on a profile, open
Add a school (or Log a visit for the first pupil; or two visits, the first kept for
later and the second still open; or Record a concern for the first pupil), type as a
user would, and say "kept" once the draft has reached the store. Then carry on running
until killed: the draft tests kill it with SIGKILL, as a crash or a flat battery would.

    python -m tests.desktop.kill_driver DATA_DIR SETTINGS_FILE [school|visit|two-visits|concern]
    (the passphrase in WAYMARK_PASSPHRASE)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtTest import QTest

from desktop.app import open_window


def main() -> None:
    data_dir, settings_file = Path(sys.argv[1]), sys.argv[2]
    form = sys.argv[3] if len(sys.argv) > 3 else "school"
    qapp, _runner, window = open_window(data_dir, settings=QSettings(settings_file, QSettings.Format.IniFormat))

    def when_ready(dialog, then) -> None:  # once the form has loaded and the keeper watches
        if dialog.drafts.started:
            then()
        else:
            QTimer.singleShot(50, lambda: when_ready(dialog, then))

    def visit(row: int, text: str, then) -> None:
        window.workspace.table.selectRow(row)
        dialog = window.log_visit()
        dialog.drafts.saved.connect(then)
        when_ready(dialog, lambda: QTest.keyClicks(dialog.work.shared.work_covered, text))

    def opened() -> None:
        needed = {"visit": 1, "two-visits": 2, "concern": 1}.get(form, 0)
        if window.workspace.model.rowCount() < needed:
            QTimer.singleShot(50, opened)  # the caseload is still loading
            return
        if form == "visit":
            visit(0, "Times tables: 3, 4 and 8", lambda: print("kept", flush=True))
            return
        if form == "two-visits":

            def second() -> None:
                first = window.workspace._visit_dialog
                first.drafts.keep()  # "Keep for later"
                first.close()
                visit(1, "Phonics: s, a, t, p", lambda: print("kept", flush=True))

            visit(0, "Times tables: 3, 4 and 8", second)
            return
        if form == "concern":
            window.workspace.table.selectRow(0)
            if window.workspace.pupil_view.view is None:  # the record is still loading
                QTimer.singleShot(50, opened)
                return
            concern = window.workspace.pupil_view.record_concern()
            concern.drafts.saved.connect(lambda: print("kept", flush=True))
            when_ready(concern, lambda: QTest.keyClicks(concern.text, "Said he was hit at the fair"))
            return
        dialog = window.add_school()
        dialog.name.setFocus()
        QTest.keyClicks(dialog.name, "Ysgol Pen y Bryn")
        dialog.drafts.saved.connect(lambda: print("kept", flush=True))

    window.session_opened.connect(lambda: QTimer.singleShot(0, opened))
    window.start()
    window.show()
    window.unlock_page.passphrase.setText(os.environ["WAYMARK_PASSPHRASE"])
    window.unlock_page.unlock_button.click()
    qapp.exec()


if __name__ == "__main__":
    main()
