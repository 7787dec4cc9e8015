"""The LA summary's rows are drawn as plain text (reports/rows.py) rather than a
Table of Paragraphs; they must print what a `data_table` of the same cells prints,
word for word, with the header repeated on every page."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from desktop.reports.layout import Para, data_table, styles, text
from desktop.reports.rows import RowTable, Text, wrap

HEADER = ["#", "Name", "Hours/wk: planned / last wk", "Notes"]
WIDTHS = [8 * mm, 40 * mm, 16 * mm, 60 * mm]


def rows(n: int) -> list[list]:
    notes = [
        "",
        "Leukaemia; chemotherapy cycles, back in school part time from March",
        "Supercalifragilisticexpialidociousandthensomemoreletters",
        "<b>not markup</b> & Ó Súilleabháin\nsecond line",
    ]
    return [[str(i), f"Pupil {i} Ní Dhomhnaill", f"{i % 7} / {i % 5}", notes[i % len(notes)]] for i in range(1, n + 1)]


def words(pdf: bytes) -> list[list[str]]:
    return [page.extract_text().split() for page in PdfReader(io.BytesIO(pdf)).pages]


def every(pages: list[list[str]]) -> list[str]:
    return [word for page in pages for word in page]


def build(flowable) -> bytes:
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(A4)).build([flowable])
    return out.getvalue()


def test_row_table_prints_what_a_paragraph_table_prints():
    st = styles(9.0, 6.6)
    plain = rows(120)
    as_paragraphs = [[r[0], Para(f"<b>{text(r[1])}</b>", st.cell), r[2], r[3]] for r in plain]
    as_runs = [[r[0], Text(r[1], bold=True), r[2], r[3]] for r in plain]
    old = words(build(data_table(HEADER, as_paragraphs, WIDTHS, st)))
    new = words(build(RowTable(HEADER, as_runs, WIDTHS, st)))
    assert every(old) == every(new)
    assert len(new) > 2 and all(page[:2] == ["#", "Name"] for page in new)  # the header on every page
    assert "<b>not" in every(new)  # typed text is never read as markup


def test_wrap_breaks_at_spaces_and_cuts_a_word_wider_than_the_cell():
    st = styles(9.0, 6.6)
    lines = wrap("Hours/wk: planned / last wk", st.cell.fontName, st.cell.fontSize, 16 * mm - 7)
    assert len(lines) > 1 and " ".join(lines).replace(" ", "") == "Hours/wk:planned/lastwk"
    long = wrap("x" * 200, st.cell.fontName, st.cell.fontSize, 20 * mm)
    assert len(long) > 2 and "".join(long) == "x" * 200
