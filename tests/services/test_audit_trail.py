"""What the services write to the audit trail beyond row changes: sign-in, lock,
passphrase, settings (by the worker's name), restricted reads and printing."""

from datetime import date, time, timedelta

import pytest

from desktop.domain.enums import Visibility
from desktop.domain.records import Concern, Pupil, Visit, VisitEntry, VisitNote
from desktop.services import ValidationError, Waymark
from tests.conftest import FAST_SCRYPT, PASSPHRASE, TODAY


def actions(app, **kw):
    return [(e.action, e.actor) for e in reversed(app.audit_trail(**kw))]


def test_sign_in_lock_and_passphrase_are_audited(app, profile_dir):
    app.close()
    again = Waymark.open_profile(profile_dir, PASSPHRASE, via="command line")
    again.change_passphrase(PASSPHRASE, "a much longer passphrase")
    again.lock("idle")
    third = Waymark.open_profile(profile_dir, "a much longer passphrase")
    try:
        trail = third.audit_trail()
        assert [(e.action, e.summary) for e in reversed(trail)][-4:] == [
            ("sign-in", "unlocked (command line)"),
            ("passphrase", "passphrase changed (the database key was re-wrapped)"),
            ("lock", "locked (idle)"),
            ("sign-in", "unlocked"),
        ]
        assert all(e.actor == "Ann Tutor" for e in trail[:4])
        assert third.verify_audit().intact
    finally:
        third.close()


def test_settings_changes_name_the_worker_and_keep_old_and_new(app):
    app.update_settings(auto_lock_minutes=5, service_name="Hospital Education Service")
    app.update_settings(worker_name="Bea Teacher")
    entries = [e for e in app.audit_trail() if e.action == "settings"]
    latest, middle = entries[0], entries[1]
    assert (latest.actor, [(c.field, c.old, c.new) for c in latest.changes]) == (
        "Ann Tutor",
        [("worker_name", "Ann Tutor", "Bea Teacher")],
    )
    assert {(c.field, c.old, c.new) for c in middle.changes} == {
        ("auto_lock_minutes", 10, 5),
        ("service_name", "Traveller Education Service", "Hospital Education Service"),
    }
    assert "auto_lock_minutes: 10 → 5" in middle.detail
    app.update_settings(auto_lock_minutes=5)  # no change, no row
    assert len([e for e in app.audit_trail() if e.action == "settings"]) == len(entries)


def test_the_first_worker_name_is_the_actor_of_its_own_setting(profile_dir):
    app = Waymark.create_profile(profile_dir, PASSPHRASE, worker_name="Cal Tutor", scrypt_n=FAST_SCRYPT)
    try:
        first = [e for e in app.audit_trail() if e.action == "settings"][-1]
        assert first.actor == "Cal Tutor"
    finally:
        app.close()


def test_reading_concerns_is_audited_against_the_pupil(app):
    p = Pupil(forename="Levi", surname="Lee", dob=date(2015, 6, 1))
    app.add_pupil(p)
    app.add_concern(Concern(pupil_id=p.id, raised_on=TODAY, text="Something seen"))
    app.list_concerns(p.id)
    entry = app.audit_trail(pupil_id=p.id)[0]
    assert (entry.action, entry.entity, entry.pupil_ids) == ("view-restricted", "concern", (p.id,))


def visit_for(app, pupil_id, **kw):
    visit = Visit.same_for_all(date=TODAY, start=time(10), end=time(11), pupil_ids=[pupil_id], subjects=["Maths"], **kw)
    app.log_visit(visit)
    return visit


def test_printing_personal_data_is_audited_with_what_it_carries(app):
    plain = Pupil(forename="Amy", surname="Boswell", dob=date(2016, 1, 1))
    full = Pupil(
        forename="Levi",
        surname="Lee",
        dob=date(2015, 6, 1),
        upn="R674123101121",
        medical_needs="Asthma",
        address="Plot 4",
    )
    app.add_pupil(plain)
    app.add_pupil(full)
    quiet = visit_for(app, plain.id)
    loud = visit_for(app, full.id, notes=[VisitNote(text="For us", visibility=Visibility.PROFESSIONAL)])
    before = len(app.audit_trail())
    app.report_pdf("visit", quiet.id)
    assert len(app.audit_trail()) == before  # nothing sensitive on it: no row
    app.report_pdf("visit", loud.id)
    app.report_pdf("hours", full.id, start=TODAY - timedelta(days=7), purpose="export")
    printed, exported = app.audit_trail()[1], app.audit_trail()[0]
    assert (printed.action, printed.pupil_ids) == ("print", (full.id,))
    assert printed.summary == "visit report (UPN, medical needs, address, professional notes)"
    assert (exported.action, exported.summary) == ("export", "hours report (UPN, medical needs, address)")
    app.report_pdf("summary")
    summary = app.audit_trail()[0]
    assert summary.summary == "summary report (UPN)" and set(summary.pupil_ids) == {plain.id, full.id}


def test_the_trail_filters_by_pupil_and_date(app):
    a = Pupil(forename="Amy", surname="Boswell", dob=date(2016, 1, 1))
    b = Pupil(forename="Levi", surname="Lee", dob=date(2015, 6, 1))
    app.add_pupil(a)
    app.add_pupil(b)
    both = visit_for(app, a.id)
    both.entries.append(VisitEntry(pupil_id=b.id, subjects=["Maths"]))
    app.edit_visit(both)
    about_a = app.audit_trail(pupil_id=a.id)
    assert [(e.action, e.entity) for e in about_a] == [("update", "visit"), ("create", "visit"), ("create", "pupil")]
    assert [(e.action, e.entity) for e in app.audit_trail(pupil_id=b.id)] == [("update", "visit"), ("create", "pupil")]
    today = date.today()
    assert app.audit_trail(pupil_id=a.id, start=today - timedelta(days=1), end=today + timedelta(days=1))
    assert app.audit_trail(pupil_id=a.id, start=today + timedelta(days=1)) == []
    assert app.audit_trail(end=today - timedelta(days=1)) == []
    with pytest.raises(ValidationError, match="starts after it ends"):
        app.audit_trail(start=today, end=today - timedelta(days=1))
