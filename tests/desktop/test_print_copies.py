"""Print preview for the field: previous and next page, print one copy or every
parent's copy of a sibling visit, and the large-print parent's copy offered when a
parent or carer needs help reading."""

from __future__ import annotations

import io
from datetime import date, time
from pathlib import Path

import shiboken6
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from desktop.domain.enums import ContactRelationship, PlaceType, SiteType
from desktop.domain.records import Contact, Pupil, Site, Stay, Visit
from desktop.services import Waymark
from desktop.ui.print_preview import PrintPreviewDialog, report_copies
from tests.conftest import FAST_SCRYPT, PASSPHRASE, TODAY
from tests.desktop.shell_helpers import unlock


def sibling_visit(folder: Path, *, reading_help: bool) -> str:
    app = Waymark.create_profile(folder, PASSPHRASE, worker_name="Ann Tutor", scrypt_n=FAST_SCRYPT)
    app.today = lambda: TODAY
    site = Site(name="Walton Summit", site_type=SiteType.TRANSIT_SITE)
    app.add_site(site)
    kids = []
    for forename in ("Levi", "Esme"):
        pupil = Pupil(forename=forename, surname="Lee", dob=date(2016, 3, 1))
        app.add_pupil(pupil)
        app.record_stay(Stay(pupil_id=pupil.id, site_id=site.id, arrived=date(2026, 10, 1)))
        kids.append(pupil)
    app.add_contact(
        Contact(
            pupil_id=kids[0].id,
            name="Shanti Lee",
            relationship=ContactRelationship.MOTHER,
            needs_reading_help=reading_help,
        )
    )
    visit = app.log_visit(
        Visit.same_for_all(
            date=date(2026, 11, 20),
            start=time(10),
            end=time(11, 30),
            place_type=PlaceType.SITE,
            site_id=site.id,
            pupil_ids=[k.id for k in kids],
            subjects=["English"],
        )
    )
    app.close()
    return visit.id


def open_preview(make_window, folder: Path, visit_id: str) -> PrintPreviewDialog:
    window = make_window(folder)
    unlock(window, PASSPHRASE)
    window.workspace.print_report("visit", visit_id)
    [dialog] = [d for d in window.findChildren(PrintPreviewDialog) if shiboken6.isValid(d) and d.isVisible()]
    return dialog


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_previous_and_next_page(make_window, tmp_path):
    dialog = open_preview(make_window, tmp_path / "p", sibling_visit(tmp_path / "p", reading_help=False))
    assert dialog.page_count == 6  # three copies for each of two children
    assert not dialog.previous_action.isEnabled() and dialog.next_action.isEnabled()
    dialog.next_action.trigger()
    assert dialog.current_page == 1 and dialog.page_label.text() == "Page 2 of 6"
    for _ in range(10):
        dialog.next_action.trigger()
    assert dialog.current_page == 5 and not dialog.next_action.isEnabled()
    dialog.previous_action.trigger()
    assert dialog.page_label.text() == "Page 5 of 6"
    assert not dialog.large_print_action.isVisible()  # nobody on this visit needs help reading


def test_print_only_the_parents_copies_or_one_copy(make_window, tmp_path):
    dialog = open_preview(make_window, tmp_path / "p", sibling_visit(tmp_path / "p", reading_help=False))
    copies = report_copies(dialog.document)
    assert [c.title for c in copies][:3] == [  # Esme before Levi: by first name, as ticked or not
        "Parent / carer copy — Esme Lee",
        "Traveller Education Service copy — Esme Lee",
        "Base school copy — Esme Lee",
    ]
    menu = [a.text() for a in dialog.copies_menu.actions() if a.text()]
    assert menu[0] == "Every parent / carer copy (2)"
    assert "Base school copy — Levi Lee" in menu
    parents = [p for c in copies if c.kind == "Parent / carer copy" for p in c.pages]
    assert dialog.print_to(pdf_printer(tmp_path / "parents.pdf"), parents)
    assert "Sent 2 pages" in dialog.banner.text()
    printed = PdfReader(tmp_path / "parents.pdf")
    assert len(printed.pages) == 2
    [school] = [c for c in copies if c.title == "Base school copy — Levi Lee"]
    assert dialog.print_to(pdf_printer(tmp_path / "one.pdf"), list(school.pages))
    assert len(PdfReader(tmp_path / "one.pdf").pages) == 1


def _largest_type(pdf: bytes, page: int) -> float:
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * abs(tm[0] or 1))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return max(sizes)


def test_large_print_is_offered_when_a_parent_needs_help_reading(make_window, tmp_path):
    dialog = open_preview(make_window, tmp_path / "p", sibling_visit(tmp_path / "p", reading_help=True))
    assert dialog.large_print_action.isVisible()
    assert dialog.banner.text().startswith("Shanti Lee needs help reading.")
    small = dialog._pdf_bytes
    assert _largest_type(small, 0) < 16
    dialog.large_print_action.trigger()  # the report is made again, parent's copy in 16 pt
    assert dialog.large_print_action.isChecked() and dialog.large_print_action.isEnabled()
    assert dialog._pdf_bytes != small
    assert _largest_type(dialog._pdf_bytes, 0) >= 16
    assert report_copies(dialog.document)[0].title == "Parent / carer copy — Esme Lee"
