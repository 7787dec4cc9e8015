"""The copy rule on its own: what each copy of a visit report may carry."""

from __future__ import annotations

from datetime import date

from desktop.reports.copies import VISIT_COPIES, Copy, visit_copies
from desktop.reports.data import Note, Place, PupilDetails, ServiceDetails, VisitDetails, VisitPupil, VisitReport


def report(*suppressed: bool) -> VisitReport:
    visit = VisitDetails(
        day=date(2026, 11, 20),
        place=Place(kind="Site", name="Walton Summit transit site", detail="trailer 4"),
        notes=(Note(text="for the family", professional=False), Note(text="for professionals", professional=True)),
    )
    pupils = tuple(
        VisitPupil(
            pupil=PupilDetails(
                name=f"Child {i}",
                forename=f"Child {i}",
                dob=date(2017, 1, 1),
                nc_year="Year 4",
                upn="R674123101121",
                address=f"{i} Site Lane",
                address_suppressed=hidden,
                medical_needs="Asthma",
                sen="SEN support",
            ),
            visit=visit,
        )
        for i, hidden in enumerate(suppressed)
    )
    return VisitReport(service=ServiceDetails(name="TES"), day=visit.day, pupils=pupils, printed_on=date(2026, 11, 22))


def by_copy(copies):
    return {c.copy: c for c in copies}


def test_three_copies_for_each_pupil_in_order():
    copies = visit_copies(report(False, False))
    assert [c.copy for c in copies] == list(VISIT_COPIES) * 2
    assert [c.pupil.name for c in copies] == ["Child 0"] * 3 + ["Child 1"] * 3
    assert [c.title for c in copies[:3]] == ["Parent / carer copy", "TES copy", "Base school copy"]


def test_parent_copy_has_no_professional_notes_upn_or_medical_needs():
    parent = by_copy(visit_copies(report(False)))[Copy.PARENT]
    assert [n.text for n in parent.visit.notes] == ["for the family"]
    assert parent.pupil.upn == parent.pupil.medical_needs == parent.pupil.sen == ""
    assert parent.plain_language
    assert parent.pupil.address == "0 Site Lane"  # the family's own address, not suppressed


def test_professional_copies_carry_professional_notes():
    copies = by_copy(visit_copies(report(False)))
    for copy in (Copy.SERVICE, Copy.SCHOOL):
        assert [n.text for n in copies[copy].visit.notes] == ["for the family", "for professionals"]
        assert copies[copy].pupil.upn == "R674123101121"
        assert not copies[copy].plain_language


def test_school_copy_never_carries_the_address():
    copies = by_copy(visit_copies(report(False)))
    assert copies[Copy.SERVICE].pupil.address == "0 Site Lane"
    assert copies[Copy.SCHOOL].pupil.address == ""


def test_a_suppressed_address_is_on_no_copy_nor_is_the_place():
    for c in visit_copies(report(True)):
        assert c.pupil.address == ""
        assert c.visit.place == Place(kind="Site")


def test_one_suppressed_sibling_hides_the_place_for_all():
    copies = visit_copies(report(False, True))
    assert all(c.visit.place.name == "" for c in copies)
    assert copies[0].pupil.address == "0 Site Lane"  # the unsuppressed sibling's own address stays
    assert all(c.pupil.address == "" for c in copies[3:])


def test_large_print_is_for_the_parent_copy_only():
    copies = by_copy(visit_copies(report(False), large_print=True))
    assert copies[Copy.PARENT].large_print
    assert not copies[Copy.SERVICE].large_print and not copies[Copy.SCHOOL].large_print
