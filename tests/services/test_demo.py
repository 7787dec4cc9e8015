"""The demo caseload tells no contradictions: what a new user first sees must
look like real work, or the product looks careless."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from desktop.domain import rules
from desktop.domain.enums import Outcome, Visibility
from desktop.services import Waymark
from desktop.services.demo import SECONDARY, fill_demo, key_stage
from tests.conftest import FAST_SCRYPT, PASSPHRASE, TODAY


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = Waymark.create_profile(
        tmp_path_factory.mktemp("demo") / "profile", PASSPHRASE, worker_name="Ann Tutor", scrypt_n=FAST_SCRYPT
    )
    app.today = lambda: TODAY
    fill_demo(app)
    yield app
    app.close()


def all_visits(app):
    return app.list_visits()


def test_siblings_do_their_own_work(demo):
    """Each child's work at a shared visit is their own: children at different key
    stages are never given one text, and "Same as last time" differs between them."""
    stage = {p.id: key_stage(rules.pupil_nc_year(p, TODAY)) for p in demo.list_pupils()}
    shared = [v for v in all_visits(demo) if len(v.entries) > 1 and v.outcome is Outcome.HELD]
    assert len(shared) > 50
    pairs = 0
    for visit in shared:
        taught = [e for e in visit.entries if e.seen]
        for a, b in itertools.combinations(taught, 2):
            if stage[a.pupil_id] != stage[b.pupil_id]:
                pairs += 1
                assert a.work_covered != b.work_covered, (a, b)
    assert pairs > 50
    noah, lily = (next(p for p in demo.list_pupils() if p.forename == name) for name in ("Noah", "Lily"))
    assert demo.last_work_set(noah.id) != demo.last_work_set(lily.id)


def test_work_covered_names_a_subject_the_child_did(demo):
    """No 'Maths: spelling patterns': each part of the work covered starts with one
    of the child's subjects, and the topic belongs to that subject."""
    for visit in all_visits(demo):
        for entry in visit.entries:
            if not entry.work_covered:
                continue
            for part in entry.work_covered.split("; "):
                subject, _, topic = part.partition(": ")
                assert subject in entry.subjects, (entry.work_covered, entry.subjects)
                if subject == "Maths":
                    assert "spelling" not in topic and "reading" not in topic, part


def test_notes_fit_what_happened(demo):
    """A visit that did not happen, or a child too unwell to work, gets no 'lovely
    session'; nobody not taught has work covered or returned."""
    for visit in all_visits(demo):
        texts = " ".join(n.text for n in visit.notes if n.visibility is Visibility.FAMILY).lower()
        nobody_taught = not any(visit.held_for(p) for p in visit.pupil_ids)
        if nobody_taught:
            assert "lovely" not in texts and "worked hard" not in texts and "keen" not in texts, texts
        for entry in visit.entries:
            if not visit.held_for(entry.pupil_id):
                assert not (entry.work_covered or entry.work_returned or entry.levels_and_needs), entry
    unwell = [v for v in all_visits(demo) if any(e.not_seen_reason for e in v.entries if not e.seen)]
    assert unwell, "the demo should show a child not seen, and why"


def test_pupils_go_to_a_school_of_their_phase(demo):
    """No Year 11 pupil at a primary school; siblings across phases have two schools."""
    schools = {s.id: s for s in demo.list_schools()}
    by_family = defaultdict(set)
    for pupil in demo.list_pupils():
        year = rules.pupil_nc_year(pupil, TODAY)
        school = schools[pupil.base_school_id]
        assert (school.urn in SECONDARY) is (year >= 7), (pupil.display_name, year, school.name)
        by_family[pupil.surname].add(pupil.base_school_id)
    assert any(len(ids) > 1 for ids in by_family.values())


def test_reports_give_the_service_contact_details(demo):
    settings = demo.settings()
    assert settings.service_phone and settings.service_email
