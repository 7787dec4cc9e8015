"""Every report: fonts embedded, metadata clean, pages that really draw."""

from __future__ import annotations

import getpass
import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from desktop.services import reporting

from .conftest import SERVICE, TODAY, require_pdftoppm


@pytest.fixture(scope="module")
def pdfs(casefile) -> dict[str, bytes]:
    app, start = casefile.app, casefile.first_visit_day
    return {
        "visit": reporting.report_pdf(app, "visit", casefile.sibling_visit.id)[0],
        "large": reporting.report_pdf(app, "visit", casefile.sibling_visit.id, large_print=True)[0],
        "progress": reporting.report_pdf(app, "progress", casefile.sean.id, start=start, end=TODAY)[0],
        "hours": reporting.report_pdf(app, "hours", casefile.kai.id, start=start, end=TODAY)[0],
        "summary": reporting.report_pdf(app, "summary")[0],
    }


KINDS = ["visit", "large", "progress", "hours", "summary"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_font_is_embedded(pdfs, kind):
    reader = PdfReader(io.BytesIO(pdfs[kind]))
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            seen.add(str(font["/BaseFont"]))
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None, f"{font['/BaseFont']} has no descriptor: a standard font, not embedded"
            assert "/FontFile2" in descriptor.get_object(), f"{font['/BaseFont']} is not embedded"
    assert seen and all("DejaVu" in name for name in seen)


@pytest.mark.parametrize("kind", KINDS)
def test_metadata_has_title_and_service_and_nothing_local(pdfs, kind):
    pdf = pdfs[kind]
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title and meta.title != "untitled"
    assert meta.author == SERVICE
    assert meta.creator == "Waymark" and meta.producer == "Waymark"
    values = " ".join(str(v) for v in meta.values())
    user = getpass.getuser()
    assert "ReportLab" not in values  # a neutral producer (the file's own header comment still names it)
    for leak in ("anonymous", "unspecified", "/root", "/home/", "/tmp", str(Path.home())):
        assert leak not in values and leak.encode() not in pdf
    if len(user) > 3:  # a short user name ("ci") would match ordinary words
        assert user not in values


def test_page_counts_and_sizes(pdfs):
    def pages(kind):
        return PdfReader(io.BytesIO(pdfs[kind])).pages

    assert len(pages("visit")) == 6  # two siblings, three copies each, one page a copy
    assert len(pages("large")) > 6
    assert len(pages("progress")) >= 2  # a summary page, then the detail
    assert len(pages("hours")) >= 1
    summary = pages("summary")[0]
    assert summary.mediabox.width > summary.mediabox.height  # landscape for the tracking-sheet columns


def test_a_page_renders_to_ink_not_a_blank_sheet(pdfs, tmp_path):
    tool = require_pdftoppm()
    pdf = tmp_path / "visit.pdf"
    pdf.write_bytes(pdfs["visit"])
    subprocess.run([tool, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    inked = sum(image.histogram()[:200])
    assert inked / (image.width * image.height) > 0.03, "the rendered page is (nearly) blank"
    # The header band (10-28 mm from the top) is solid colour: far from white.
    band = image.crop((image.width // 10, int(image.height * 0.05), image.width // 2, int(image.height * 0.08)))
    histogram = band.histogram()
    assert sum(value * n for value, n in enumerate(histogram)) / sum(histogram) < 128


def test_reports_need_no_store_and_no_qt():
    code = (
        "import sys, desktop.reports, desktop.reports.copies; "
        "bad = [m for m in sys.modules if m.startswith(('desktop.store', 'desktop.services', 'PySide6', 'sqlalchemy'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
