"""Run the real app (real task runner, store thread and all) on a profile, open
Add a school (or Log a visit for the first pupil), type as a user would, and say
"kept" once the draft has reached the store. Then carry on running until killed:
the draft tests kill it with SIGKILL, as a crash or a flat battery would.

    python -m tests.desktop.kill_driver DATA_DIR SETTINGS_FILE [school|visit]
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

    def opened() -> None:
        if form == "visit":
            if not window.workspace.model.rowCount():  # the caseload is still loading
                QTimer.singleShot(50, opened)
                return
            window.workspace.table.selectRow(0)
            dialog = window.log_visit()
            dialog.drafts.saved.connect(lambda: print("kept", flush=True))
            typing = dialog.work.shared.work_covered

            def type_once_ready() -> None:  # once the defaults have loaded and the keeper watches
                if dialog.drafts.started:
                    QTest.keyClicks(typing, "Times tables: 3, 4 and 8")
                else:
                    QTimer.singleShot(50, type_once_ready)

            type_once_ready()
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
