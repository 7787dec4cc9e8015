"""The visit report from a real profile, read back from the PDF: per copy what
must appear and what must not."""

from __future__ import annotations

import io

from pypdf import PdfReader

from desktop.services import reporting

from .conftest import (
    CONCERN,
    FAMILY_NOTE,
    HIDDEN_ADDRESS,
    HIDDEN_POSTCODE,
    HIDDEN_SITE,
    MAIRE_NEEDS,
    MAIRE_NOTE,
    MAIRE_RETURNED,
    MAIRE_SET,
    MAIRE_WORK,
    OPEN_ADDRESS,
    PRIVATE_SITE_NOTE,
    PROFESSIONAL_NOTE,
    SEAN_PROFESSIONAL_NOTE,
    SEAN_SET,
    SERVICE,
    copy_of,
    pages_text,
)


def render(casefile, visit, **options) -> bytes:
    return reporting.report_pdf(casefile.app, "visit", visit.id, **options)[0]


def test_siblings_get_three_copies_each_in_one_pdf(casefile):
    pages = pages_text(render(casefile, casefile.sibling_visit))
    assert [copy_of(p) for p in pages] == ["parent", "service", "school"] * 2
    # By surname, then first name (Unicode collation), not the order they were ticked in.
    assert all("Máire Ó Súilleabháin" in p for p in pages[:3])
    assert all("Seán Ó Súilleabháin" in p for p in pages[3:])
    for page in pages:
        assert "Page 1 of 1" in page  # each copy numbered on its own
        assert SERVICE in page and "01772 530000" in page  # the service and how to reach it


def test_each_childs_copies_hold_their_own_work_and_never_their_siblings(casefile):
    """Siblings at one visit, each with their own work and notes: every copy of
    Seán's report has his and none of Máire's, and the other way round."""
    pages = pages_text(render(casefile, casefile.sibling_visit))
    sean_only = (SEAN_SET, "Week 10: reading aloud", "Spelling pack 3, marked 18/20", "needs times tables")
    maire_only = (MAIRE_WORK, MAIRE_SET, MAIRE_RETURNED, MAIRE_NEEDS, MAIRE_NOTE)
    for page in pages[3:]:  # Máire's copies come first (by first name)
        assert "Seán Ó Súilleabháin" in page and "Máire" not in page
        for text in sean_only:
            assert text in page, (copy_of(page), text)
        for text in maire_only:
            assert text not in page, (copy_of(page), text)
        assert (SEAN_PROFESSIONAL_NOTE in page) is (copy_of(page) != "parent")
    for page in pages[:3]:
        assert "Máire Ó Súilleabháin" in page
        for text in maire_only:
            assert text in page, (copy_of(page), text)
        for text in (*sean_only, SEAN_PROFESSIONAL_NOTE):
            assert text not in page, (copy_of(page), text)
        assert "Phonics" in page and "English, Maths" not in page  # her own subjects
        assert FAMILY_NOTE in page  # the note about the whole visit reaches both children


def test_each_copy_shows_what_it_may_and_nothing_else(casefile):
    for page in pages_text(render(casefile, casefile.sibling_visit)):
        copy = copy_of(page)
        assert CONCERN not in page  # never, on any copy
        assert FAMILY_NOTE in page
        assert "Ann Tutor" in page and "Signature" in page
        if copy == "parent":
            assert PROFESSIONAL_NOTE not in page
            assert "Professional" not in page
            assert "Your visit report for" in page  # plain words
            assert OPEN_ADDRESS in page  # the family's own, unsuppressed address
        else:
            assert PROFESSIONAL_NOTE in page
            assert "Walton Summit transit site" in page
        if copy == "service":
            assert OPEN_ADDRESS in page
        if copy == "school":
            assert OPEN_ADDRESS not in page
            assert "Received at the base school" in page


def test_service_copy_carries_upn_and_levels(casefile):
    pages = pages_text(render(casefile, casefile.sibling_visit))
    service = pages[4]  # Seán's copies follow Máire's
    assert "R674123101121" in service and "Asthma" in service
    assert "Year 3 expected" in service  # the level recorded on the day of the visit
    assert "R674123101121" not in pages[3] and "Asthma" not in pages[3]


def test_a_suppressed_address_is_on_no_copy(casefile):
    pages = pages_text(render(casefile, casefile.hidden_visit))
    assert [copy_of(p) for p in pages] == ["parent", "service", "school"]
    for page in pages:
        assert "Caitlín Ní Dhomhnaill" in page
        assert PRIVATE_SITE_NOTE in page
        for secret in (HIDDEN_ADDRESS, HIDDEN_POSTCODE, HIDDEN_SITE, "trailer", CONCERN):
            assert secret not in page


def _sizes_of(pdf: bytes, page_number: int, needle: str) -> set[float]:
    sizes = set()

    def visit(text, cm, tm, font, size):
        if needle in text:
            sizes.add(round(size * tm[0], 1))

    PdfReader(io.BytesIO(pdf)).pages[page_number].extract_text(visitor_text=visit)
    return sizes


def test_large_print_parent_copy(casefile):
    pdf = render(casefile, casefile.sibling_visit, large_print=True)
    pages = pages_text(pdf)
    copies = [copy_of(p) for p in pages]
    assert copies.count("parent") >= 2  # large type runs over a page
    assert copies.count("service") == copies.count("school") == 2  # the professional copies stay one page
    seans = [i for i, p in enumerate(pages) if "reading aloud" in p]  # his work, after Máire's copies
    first_parent = next(i for i in seans if copies[i] == "parent")
    assert min(_sizes_of(pdf, first_parent, "reading aloud")) >= 16
    assert max(_sizes_of(pdf, next(i for i in seans if copies[i] == "service"), "reading aloud")) < 12
    parent_text = " ".join(p for p, c in zip(pages, copies) if c == "parent")
    assert PROFESSIONAL_NOTE not in parent_text and FAMILY_NOTE in parent_text


def test_names_and_pound_sign_print(casefile):
    text = "".join(pages_text(render(casefile, casefile.sibling_visit)))
    for needle in ("Seán Ó Súilleabháin", "Máire", "£1"):
        assert needle in text


def test_the_app_prints_through_waymark_report_pdf(casefile):
    pdf, title = casefile.app.report_pdf("visit", casefile.hidden_visit.id)
    assert pdf.startswith(b"%PDF") and title == "Visit report CND 2026-11-17"
