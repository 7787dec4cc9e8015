"""UK GDPR duties over a real caseload: subject access, erasure to tombstones,
and the retention schedule with its audited confirmation."""

import io
import json
import subprocess
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from desktop.domain.enums import ProvisionType
from desktop.domain.records import Draft, ProvisionEpisode, Pupil, Visit
from desktop.services import ValidationError
from tests.reports.conftest import (
    CONCERN,
    FAMILY_NOTE,
    MAIRE_NOTE,
    MAIRE_SET,
    MAIRE_WORK,
    PROFESSIONAL_NOTE,
    SEAN_PROFESSIONAL_NOTE,
    TODAY,
    build_casefile,
    pages_text,
)


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    c = build_casefile(tmp_path_factory.mktemp("gdpr") / "profile")
    yield c
    c.app.close()


@pytest.fixture
def fresh(tmp_path):
    """A caseload of our own, for tests that destroy records."""
    c = build_casefile(tmp_path / "profile")
    yield c
    c.app.close()


# --- subject access ---------------------------------------------------------------------


def test_subject_access_holds_everything_but_concerns(case, tmp_path):
    app, sean = case.app, case.sean
    copy = app.subject_access(sean.id)
    data = json.loads(copy.json_bytes)
    assert data["pupil"]["upn"] == "R674123101121" and data["pupil"]["medical_needs"] == "Asthma"
    assert data["base_school"]["urn"] == case.school.urn
    assert len(data["visits"]) == 10 and data["visits"][0]["other_pupils_seen"] == 1
    assert {n["text"] for n in data["visits"][0]["notes"]} == {FAMILY_NOTE, PROFESSIONAL_NOTE}
    assert len(data["progress"]) == 4 and len(data["folders"]) == 1 and data["stays"][0]["site"]["name"]
    assert data["concerns_withheld"] == 1 and "concerns" not in data
    assert any(e["action"] == "create" and e["record"] == "pupil" for e in data["audit_trail"])
    raw = copy.json_bytes.decode()
    assert CONCERN not in raw
    assert case.maire.forename not in raw and case.maire.id not in raw  # a sibling is counted, not named
    # The last visit as Seán had it: his own entry and notes, nothing of Máire's.
    last = data["visits"][-1]
    assert last["work_covered"].startswith("Week 10") and last["hours"] == 1.5 and last["seen"] is True
    assert SEAN_PROFESSIONAL_NOTE in {n["text"] for n in last["notes"]}
    for hers in (MAIRE_WORK, MAIRE_SET, MAIRE_NOTE):
        assert hers not in raw

    text = " ".join(pages_text(copy.pdf_bytes))
    for expected in (
        "Information held about a pupil",
        "R674123101121",
        "Asthma",
        PROFESSIONAL_NOTE[:40],
        "Safeguarding concerns",
        "Not included (restricted): 1 open concern held.",
    ):
        assert expected in text
    assert CONCERN not in text
    assert PdfReader(io.BytesIO(copy.pdf_bytes)).metadata.title == "Subject access record: Seán"
    pdf = tmp_path / "sar.pdf"
    pdf.write_bytes(copy.pdf_bytes)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", pdf, tmp_path / "page"], check=True)
    (image,) = tmp_path.glob("page-*.png")
    assert image.stat().st_size > 5000  # drawn, not blank

    made = app.audit_trail(pupil_id=sean.id)[0]
    assert (made.action, made.summary) == ("export", "subject access copy")


def test_concerns_only_when_asked_and_then_audited(case):
    app, sean = case.app, case.sean
    copy = app.subject_access(sean.id, include_restricted=True)
    assert [c["text"] for c in json.loads(copy.json_bytes)["concerns"]] == [CONCERN]
    assert CONCERN in " ".join(pages_text(copy.pdf_bytes))
    made, read = app.audit_trail(pupil_id=sean.id)[:2]
    assert (made.action, made.summary) == ("export", "subject access copy including restricted concerns")
    assert read.action == "view-restricted"


# --- erasure -------------------------------------------------------------------------------


def all_text(app) -> str:
    """Every value in every table, as text: what a reader of the file could find."""
    parts = []
    with app.store.reading() as conn:
        for table in app.store.tables:
            for row in conn.exec_driver_sql(f'SELECT * FROM "{table}"'):
                parts += [str(v) for v in row]
    return "\n".join(parts)


def test_erasure_leaves_tombstones_a_readable_row_and_an_intact_chain(fresh):
    app, sean, maire = fresh.app, fresh.sean, fresh.maire
    app.subject_access(sean.id, include_restricted=True)  # rows that quote him
    assert "R674123101121" in all_text(app) and "Asthma" in all_text(app)
    with pytest.raises(ValidationError, match="Say why"):
        app.erase_pupil(sean.id, " ")
    outbox_before = app.store.count("outbox")

    app.erase_pupil(sean.id, "erasure request of 20 Nov 2026")

    text = all_text(app)
    assert "R674123101121" not in text and "Asthma" not in text and CONCERN not in text.split("Reason")[0]
    with app.store.reading() as conn:
        row = conn.exec_driver_sql("SELECT forename, surname, deleted, dob FROM pupil WHERE id = ?", (sean.id,)).one()
        assert tuple(row) == ("", "", 1, "")
        concern_rows = conn.exec_driver_sql("SELECT text, deleted FROM concern WHERE pupil_id = ?", (sean.id,)).all()
        assert [tuple(r) for r in concern_rows] == [("", 1)]
        sent_fields = conn.exec_driver_sql(
            "SELECT fields FROM outbox WHERE entity = 'pupil' AND entity_id = ? ORDER BY changed_at DESC", (sean.id,)
        ).first()[0]
    assert {"deleted", "forename", "upn", "medical_needs"} <= set(json.loads(sent_fields))
    assert app.store.count("outbox") > outbox_before

    # The shared visits stay Máire's, without Seán: his own entries and the notes
    # about him go, hers and the notes about the whole visit stay.
    visits = app.list_visits(maire.id)
    assert len(visits) == 10 and all(v.pupil_ids == [maire.id] for v in visits)
    assert visits[0].entry_for(maire.id).work_covered == MAIRE_WORK
    assert SEAN_PROFESSIONAL_NOTE not in [n.text for n in visits[0].notes] and len(visits[0].notes) == 3
    with app.store.reading() as conn:
        his = conn.exec_driver_sql("SELECT deleted, text FROM visit_note WHERE pupil_id IS NULL AND deleted = 1").all()
        entries = conn.exec_driver_sql(
            "SELECT count(*) FROM visit_entry WHERE deleted = 1 AND work_covered = '' AND pupil_id = ?", (sean.id,)
        ).scalar()
    assert [tuple(r) for r in his] == [(1, "")] and entries == 10
    assert sean.id not in [p.id for p in app.list_pupils(include_archived=True)]

    erased = app.audit_trail()[0]
    assert (erased.action, erased.actor, erased.entity_id) == ("erase", "Ann Tutor", sean.id)
    assert "kept 10 shared visits for the other pupils seen" in erased.summary
    assert "Reason: erasure request of 20 Nov 2026" in erased.summary
    earlier = app.audit_trail(pupil_id=sean.id)[1:]
    assert earlier and all(e.redacted and e.summary == "" and not e.changes for e in earlier)
    result = app.verify_audit()
    assert result.intact and result.redacted == len(earlier)


# --- retention -------------------------------------------------------------------------------


def test_retention_review_lists_what_is_due(fresh):
    app = fresh.app
    left = Pupil(forename="Tom", surname="Price", dob=date(2016, 1, 5))
    app.add_pupil(left)
    app.add_episode(
        ProvisionEpisode(
            pupil_id=left.id,
            provision_type=ProvisionType.HOME_TUITION,
            start=TODAY - timedelta(days=900),
            end=TODAY - timedelta(days=800),
        )
    )
    assert [(i.pupil_id, i.step) for i in app.retention_review()] == [(left.id, "archive")]
    app.update_settings(retention_destroy_years=11)  # Łukasz, born June 2015, is now due
    due = app.retention_review()
    assert [(i.name, i.step) for i in due] == [("Łukasz Kowalski", "destroy"), ("Tom Price", "archive")]
    assert due[0].due == date(2026, 6, 1) and "11 years from the date of birth" in due[0].why
    with pytest.raises(ValidationError, match="between 1 and 100"):
        app.update_settings(retention_destroy_years=0)


def test_nothing_is_destroyed_without_an_audited_confirmation(fresh):
    app, lukasz = fresh.app, fresh.lukasz
    app.update_settings(retention_destroy_years=11)
    before = len(app.audit_trail())
    with pytest.raises(ValidationError, match="nothing was changed"):
        app.apply_retention(confirmed=False)
    assert len(app.audit_trail()) == before and app.get_pupil(lukasz.id)

    done = app.apply_retention(confirmed=True)
    assert done == {"archived": [], "destroyed": [lukasz.id]}
    erase, confirm = app.audit_trail()[:2]
    assert (confirm.action, confirm.actor) == ("retention-confirmed", "Ann Tutor")
    assert "Destruction of 1 pupil record(s) confirmed" in confirm.summary
    assert erase.action == "erase" and "retention schedule" in erase.summary
    assert app.retention_review() == []
    assert app.verify_audit().intact


def test_a_visit_only_for_the_erased_pupil_goes_with_them(fresh):
    app, caitlin, hidden = fresh.app, fresh.caitlin, fresh.hidden_visit
    app.erase_pupil(caitlin.id, "request")
    with app.store.reading() as conn:
        row = conn.exec_driver_sql("SELECT deleted, place_detail FROM visit WHERE id = ?", (hidden.id,))
        assert tuple(row.one()) == (1, "")
        entry = conn.exec_driver_sql("SELECT deleted, work_covered FROM visit_entry WHERE visit_id = ?", (hidden.id,))
        assert tuple(entry.one()) == (1, "")
    assert app.store.get(Visit, hidden.id) is None


def test_unsaved_forms_about_the_erased_pupil_go_with_them(fresh):
    app, sean, maire = fresh.app, fresh.sean, fresh.maire
    about_sean = [
        Draft(kind="concern", key=sean.id, title="form for Seán", fields={"Concern": "Said he was hit"}),
        Draft(kind="visit", key="v1", title="visit", fields={"pupils": [[sean.id, True], [maire.id, True]]}),
        Draft(kind="exclusion", key="", title="exclusion", context={"pupil_id": sean.id}),
    ]
    for draft in [*about_sean, Draft(kind="consent", key=maire.id, title="consent for Máire")]:
        app.save_draft(draft)
    app.erase_pupil(sean.id, "erasure request of 20 Nov 2026")
    assert [(d.kind, d.key) for d in app.drafts()] == [("consent", maire.id)]
