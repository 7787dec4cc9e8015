"""Render screenshots of Waymark's main screens from the demo profile.

    python docs/screenshots.py [--out docs/images] [--scale 1.0] [--only sync]

Runs offscreen (no display needed) on a 1366x768 screen, the usual LA laptop:
a demo profile is made in a temporary folder, the real windows are driven as a
user would drive them, and each screen is saved as a PNG. The README shows them;
look at them after any change to the UI.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The tests' screen: one 1366x768 laptop screen at 96 dpi.
os.environ.setdefault(
    "QT_QPA_PLATFORM", f"offscreen:configfile={Path(__file__).resolve().parent.parent / 'tests' / 'laptop-screen.json'}"
)

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop.app import DEMO_PASSPHRASE, make_qapplication
from desktop.services import Waymark
from desktop.services.demo import fill_demo
from desktop.tasks import ImmediateTaskRunner
from desktop.ui.main_window import MainWindow

SIZE = (1366, 768)  # a common laptop screen: everything must fit it


def settle() -> None:
    QTest.qWait(300)  # past the record's wait for typing to pause


def save(widget: QWidget, out: Path, name: str) -> Path:
    settle()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"  {path}")
    return path


def make_demo(folder: Path) -> Path:
    data_dir = folder / "demo"
    app = Waymark.create_profile(
        data_dir,
        DEMO_PASSPHRASE,
        worker_name="Ann Tutor",
        service_name="Lancashire Traveller Education Service",
        scrypt_n=2**10,  # a throwaway profile: no need for the full key-stretching cost
    )
    fill_demo(app)
    app.close()
    return data_dir


def window_for(data_dir: Path, folder: Path, hint: str = "") -> MainWindow:
    settings = QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ImmediateTaskRunner(), data_dir, settings, passphrase_hint=hint, scrypt_n=2**10)
    window.resize(*SIZE)
    window.start()
    window.show()
    return window


def pick(window: MainWindow, name: str) -> str:
    workspace = window.workspace
    for row in workspace.model.rows():
        if row.name == name:
            workspace.select_pupil(row.pupil_id)
            return row.pupil_id
    workspace.table.selectRow(0)
    return workspace.current_pupil_id()


def render(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="waymark-shots-") as tmp:
        folder = Path(tmp)
        print("Making the demo profile…")
        data_dir = make_demo(folder)

        first = window_for(folder / "new", folder)
        first.first_run.worker_name.setText("Ann Tutor")
        first.first_run.passphrase.setText("three unrelated words")
        save(first, out, "first-run")
        first.first_run.again.setText("three unrelated words")
        first.first_run.create_button.click()
        save(first, out, "getting-started")  # a new, empty profile says what to do first
        first.close()

        window = window_for(data_dir, folder, f"This is the demo profile. Its passphrase is: {DEMO_PASSPHRASE}")
        save(window, out, "unlock")
        window.unlock_page.passphrase.setText("not the passphrase")
        window.unlock_page.unlock_button.click()
        save(window, out, "unlock-wrong-passphrase")
        window.unlock_page.passphrase.setText(DEMO_PASSPHRASE)
        window.unlock_page.unlock_button.click()
        workspace = window.workspace

        sean = pick(window, "Seán Ó Súilleabháin")
        workspace.table.setFocus()
        save(window, out, "caseload")

        for tab in ("visits", "provision", "folders", "progress"):
            workspace.pupil_view.show_tab(tab)
            save(window, out, f"pupil-{tab}")
        workspace.pupil_view.show_tab("profile")

        workspace.attention.setChecked(True)
        workspace.table.selectRow(0)
        save(window, out, "caseload-needs-attention")
        workspace.attention.setChecked(False)
        workspace.search.setText("lee")
        save(window, out, "caseload-search")
        workspace.search.clear()

        pick(window, "Seán Ó Súilleabháin")
        dialog = window.log_visit(sean)
        # Siblings at their own stages: a tab each, every child's work set from their own last visit.
        dialog.work_covered.setPlainText("Read 'The Gruffalo' together.")
        dialog.same_as_last.click()
        first, second, *_ = dialog.pupil_ids()
        dialog.entry_form(first).work_covered.setPlainText("Column addition to 1,000; reading journal, chapter 4.")
        dialog.entry_form(second).work_covered.setPlainText("Phonics phase 3: ai, ee, igh.")
        dialog.entry_form(second).levels.setText("Blends confidently; needs practice with 'igh'")
        dialog.family_note.setPlainText("Lovely reading today — keep going with the reading journals.")
        dialog.professional_note.setPlainText("Dad says the family may move on after the fair.")
        dialog.child_tabs.setCurrentIndex(1)
        save(dialog, out, "log-a-visit")
        # The idle lock keeps what was typed; unlocking brings the visit back as it was left.
        window.lock()
        window.unlock_page.passphrase.setText(DEMO_PASSPHRASE)
        window.unlock_page.unlock_button.click()
        workspace = window.workspace
        [dialog] = [d for d in workspace.findChildren(QDialog) if type(d).__name__ == "VisitDialog" and d.isVisible()]
        save(dialog, out, "log-a-visit-after-unlock")
        # Kept for later, and another visit begun: after unlocking both are offered,
        # each with Reopen and Discard.
        dialog.drafts.keep()
        dialog.close()
        other = window.log_visit(pick(window, "Kai Ahmed"))
        other.work_covered.setPlainText("Reading: chapter 3 of 'The Owl Who Was Afraid of the Dark'.")
        window.lock()
        window.unlock_page.passphrase.setText(DEMO_PASSPHRASE)
        window.unlock_page.unlock_button.click()
        workspace = window.workspace
        save(window, out, "unsaved-forms")
        for draft in window.app.drafts():
            window.app.discard_draft(draft.kind, draft.key)
        workspace.refresh_drafts()

        add = window.add_pupil()
        save(add, out, "add-a-pupil")
        add.reject()

        workspace.show_appointments()
        save(window, out, "appointments")
        workspace.show_caseload()

        packs = workspace.open_packs()
        if packs is not None:
            packs.resize(900, 560)
            save(packs, out, "work-packs")
            packs.close()

        visits = window.app.list_visits(sean)
        if visits:
            workspace.print_report("visit", visits[0].id)
            settle()
            previews = [d for d in workspace.findChildren(QDialog) if type(d).__name__ == "PrintPreviewDialog"]
            if previews:
                save(previews[0], out, "print-preview")  # as it opens on a 1366x768 screen
                previews[0].close()

        window.lock()
        save(window, out, "locked")
        window.close()


def render_sync(out: Path) -> None:
    """Connect to the LA server, and Sync conflicts: two laptops of one tutor against a
    server run in-process (embedded SQLite), each child's medical needs and one child's
    work on a shared visit changed on both."""
    from datetime import date, time

    from desktop.domain.records import Pupil, School, Visit
    from desktop.services.sync import SyncService
    from desktop.ui.not_sent import NotSentDialog
    from desktop.ui.sync import ConflictsDialog, ConnectDialog
    from sync.server import admin, auth, db
    from sync.server.app import create_app
    from tests.sync.asgi import InProcess

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="waymark-shots-") as tmp:
        folder = Path(tmp)
        engine = db.make_engine(f"sqlite:///{folder / 'server.db'}")
        db.upgrade(engine)
        auth.set_hash_cost(time_cost=1, memory_cost=1024)
        admin.add_user(engine, "ann.tutor", "tutor", "a long demo password")
        app = create_app(engine)
        transport = InProcess(app)
        laptops = []
        try:
            for name in ("laptop", "other"):
                profile = Waymark.create_profile(
                    folder / name, DEMO_PASSPHRASE, worker_name="Ann Tutor", scrypt_n=2**10
                )
                service = SyncService(profile, transport=transport)
                service.login("http://127.0.0.1:8765", "ann.tutor", "a long demo password", device_name=name)
                laptops.append((profile, service))
            (first, first_sync), (second, second_sync) = laptops
            school = first.add_school(School(urn="119234", la_code="888", estab="3001", name="St Anne's Primary")).id
            born = {"Lily": date(2017, 4, 3), "Sam": date(2019, 9, 12)}
            ids = {
                n: first.add_pupil(Pupil(forename=n, surname="Lovell", dob=d, base_school_id=school)).id
                for n, d in born.items()
            }
            visit = first.log_visit(
                Visit.same_for_all(
                    date=date(2026, 11, 20),
                    start=time(10),
                    end=time(11, 30),
                    pupil_ids=list(ids.values()),
                    work_covered="Phonics phase 3",
                )
            ).id
            first_sync.sync()
            second_sync.sync()
            words = {
                first: ("Asthma: inhaler in the blue bag", "Column addition to 1,000"),
                second: ("Asthma; uses a spacer", "Column addition with carrying"),
            }
            for profile, (needs, work) in words.items():
                profile.edit_pupil(ids["Lily"], medical_needs=needs)
                profile.edit_pupil(ids["Sam"], medical_needs=needs.replace("Asthma", "Eczema"))
                shared = profile.get_visit(visit)
                shared.entries[0].work_covered = work
                profile.edit_visit(shared)
            first_sync.sync()
            second_sync.sync()

            connect = ConnectDialog(ImmediateTaskRunner(), first_sync)
            connect.server.setText("https://waymark.lancashire.example.gov.uk")
            connect.user.setText("ann.tutor")
            connect.password.setText("a long demo password")
            connect.device_name.setText("ANN-LAPTOP")
            connect.resize(560, connect.sizeHint().height())
            connect.show()
            save(connect, out, "sync-connect")
            connect.close()

            conflicts = ConflictsDialog(ImmediateTaskRunner(), second_sync)
            conflicts.resize(900, 500)
            conflicts.show()
            conflicts.list.setCurrentRow(0)
            save(conflicts, out, "sync-conflicts")
            conflicts.close()

            # A base school's laptop sends an address (typed before it knew it may not): the
            # server refuses it, and File → Changes not sent… keeps the words.
            admin.add_user(engine, "st.annes", "school", "a long demo password", school_urn="119234")
            school_laptop = Waymark.create_profile(
                folder / "school", DEMO_PASSPHRASE, worker_name="St Anne's office", scrypt_n=2**10
            )
            laptops.append((school_laptop, None))
            school_sync = SyncService(school_laptop, transport=transport)
            school_sync.login("http://127.0.0.1:8765", "st.annes", "a long demo password", device_name="office")
            school_sync.sync()
            school_laptop.edit_pupil(ids["Lily"], address="12 Mill Lane, Preston", postcode="PR1 2AB")
            school_sync.sync()
            not_sent = NotSentDialog(ImmediateTaskRunner(), school_sync)
            not_sent.resize(760, 380)
            not_sent.show()
            save(not_sent, out, "sync-not-sent")
            not_sent.close()
        finally:
            for profile, _service in laptops:
                profile.close()
            transport.shutdown()
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "images")
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio, e.g. 2 for high-DPI shots")
    parser.add_argument("--only", choices=["sync"], help="render only these screens")
    args = parser.parse_args()
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    make_qapplication()
    QApplication.instance().setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)
    if args.only != "sync":
        render(args.out)
    render_sync(args.out)


if __name__ == "__main__":
    main()
