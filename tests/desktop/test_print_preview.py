"""The print preview shows the report's own PDF, prints its pages, saves its bytes."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from desktop.ui.print_preview import PrintPreviewDialog, suggested_filename
from tests.full_disk import fill_disk


def make_pdf(pages: int) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for page in range(pages):
        pdf.drawString(72, 760, f"Visit report, page {page + 1}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.fixture
def preview(qtbot):
    def make(pdf: bytes, title: str = "Visit report: Seán Lee, 22 Nov 2026") -> PrintPreviewDialog:
        dialog = PrintPreviewDialog(pdf, title)
        qtbot.addWidget(dialog)
        return dialog

    return make


def test_preview_loads_every_page(preview):
    dialog = preview(make_pdf(3))
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.page_count == 3
    assert dialog.page_label.text() == "Page 1 of 3"
    assert dialog.print_action.isEnabled() and dialog.save_action.isEnabled()
    assert "Seán Lee" in dialog.windowTitle()


def test_print_sends_the_same_pages(preview, tmp_path: Path):
    dialog = preview(make_pdf(2))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_to(printer)
    printed = QPdfDocument()
    printed.load(str(tmp_path / "printed.pdf"))
    assert printed.pageCount() == 2
    assert abs(printed.pagePointSize(0).width() - 595) < 2  # A4, not shrunk onto Letter by accident
    assert "Sent 2 pages" in dialog.banner.text()


def test_print_honours_a_page_range(preview, tmp_path: Path):
    dialog = preview(make_pdf(4))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "range.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert dialog.print_to(printer)
    printed = QPdfDocument()
    printed.load(str(tmp_path / "range.pdf"))
    assert printed.pageCount() == 2


def test_save_as_pdf_writes_the_bytes_unchanged(preview, tmp_path: Path):
    pdf = make_pdf(1)
    dialog = preview(pdf)
    assert dialog.save_to(tmp_path / "report")
    assert (tmp_path / "report.pdf").read_bytes() == pdf
    assert dialog.banner.text() == "Saved as report.pdf."


def test_save_failure_is_a_sentence_not_a_traceback(preview, tmp_path: Path):
    dialog = preview(make_pdf(1))
    assert not dialog.save_to(tmp_path / "no such folder" / "report.pdf")
    assert dialog.banner.isVisibleTo(dialog)
    assert "was not saved because that folder does not exist" in dialog.banner.text()
    assert "Traceback" not in dialog.banner.text()


def test_save_as_pdf_to_a_full_disk_says_so_and_leaves_no_part_file(preview, tmp_path: Path, monkeypatch):
    """ENOSPC part-way through the write: one sentence, no half a PDF, and a report of
    the same name saved earlier is left as it was."""
    pdf = make_pdf(3)
    dialog = preview(pdf)
    earlier = b"%PDF-1.4 an earlier report"
    (tmp_path / "report.pdf").write_bytes(earlier)
    fill_disk(monkeypatch, tmp_path, room=len(pdf) // 2)
    assert not dialog.save_to(tmp_path / "report.pdf")
    assert dialog.banner.text() == (
        "The report was not saved because the disk is full; nothing was left in that folder, "
        "so free some space or choose another folder and save again."
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]  # no .part file
    assert (tmp_path / "report.pdf").read_bytes() == earlier
    assert not dialog.save_to(tmp_path / "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]  # and no half new.pdf


def test_broken_pdf_says_so_and_disables_print(preview):
    dialog = preview(b"not a pdf at all")
    assert dialog.page_count == 0
    assert "could not be displayed" in dialog.banner.text()
    assert not dialog.print_action.isEnabled()


def test_suggested_filename_has_no_path_or_odd_characters():
    assert suggested_filename("Visit report: Seán Lee, 22 Nov 2026") == "Visit report Seán Lee 22 Nov 2026.pdf"
    assert suggested_filename("../../etc/passwd") == "etcpasswd.pdf"
    assert suggested_filename("///") == "Waymark report.pdf"


def test_every_control_tab_reaches_has_a_name(preview):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import QWidget

    dialog = preview(make_pdf(1))
    dialog.show()
    reachable = [w for w in dialog.findChildren(QWidget) if w.isVisible() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert len(reachable) >= 7  # the six tools and Close, at least
    for widget in reachable:
        assert QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name).strip(), widget


def test_preview_of_a_real_visit_report(app, preview):
    """The reports service's own PDF: the three copies of a visit report for one pupil."""
    from datetime import date, time

    from desktop.domain.enums import PlaceType
    from desktop.domain.records import Pupil, Visit
    from desktop.services.reporting import report_pdf

    pupil = Pupil(forename="Esme", surname="Lee", dob=date(2016, 6, 1))
    app.add_pupil(pupil)
    changes = app.log_visit(
        Visit.same_for_all(
            date=date(2026, 11, 20),
            start=time(10, 0),
            end=time(11, 0),
            place_type=PlaceType.HOME,
            pupil_ids=[pupil.id],
            work_covered="Phonics",
        )
    )
    pdf, title = report_pdf(app, "visit", changes.id)
    dialog = preview(pdf, title)
    assert dialog.page_count == 3  # the parent's, the service's and the base school's copies
    assert "EL" in dialog.windowTitle() and "Esme" not in dialog.windowTitle()  # initials only (issue 10, 1.4)


def test_save_as_pdf_where_it_may_not_write_says_so_without_talk_of_space(preview, tmp_path: Path, monkeypatch):
    """A folder the user may not write to (EACCES, injected: the tests may run as root, who
    may write anywhere): the sentence says so, and does not send them to free space."""
    import errno

    from desktop.services import files

    def refused(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(files.tempfile, "mkstemp", refused)
    dialog = preview(make_pdf(1))
    assert not dialog.save_to(tmp_path / "report.pdf")
    assert dialog.banner.text() == (
        "The report was not saved because you do not have permission to write there; nothing was left in "
        "that folder, so choose another folder and save again."
    )
    assert list(tmp_path.iterdir()) == []
