"""Drafts kept in the encrypted store: saved, replaced, found again, discarded,
and still there after the process is killed (kill -9) mid-typing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.domain.records import Draft
from desktop.services import ValidationError, Waymark
from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]


def contact_draft(name: str = "Rose Lee", key: str = "p1") -> Draft:
    return Draft(
        kind="contact",
        key=key,
        title="parent or carer for Levi Lee",
        context={"pupil_id": key, "name": "Levi Lee"},
        fields={"Name": name, "Needs help reading": True},
    )


def test_a_draft_is_kept_replaced_and_discarded(app):
    app.save_draft(contact_draft("Ro"))
    app.save_draft(contact_draft("Rose Lee"))  # typing goes on: the same form's draft is replaced
    kept = app.draft("contact", "p1")
    assert kept.fields == {"Name": "Rose Lee", "Needs help reading": True}
    assert kept.context == {"pupil_id": "p1", "name": "Levi Lee"}
    assert kept.title == "parent or carer for Levi Lee"
    assert kept.saved_at is not None
    assert [d.key for d in app.drafts()] == ["p1"]
    assert app.draft("contact", "p2") is None
    assert app.discard_draft("contact", "p1") is True
    assert app.draft("contact", "p1") is None
    assert app.discard_draft("contact", "p1") is False


def test_drafts_are_not_changes_to_send_or_audit(app):
    before = app.store.count("outbox"), app.store.count("audit_event")
    app.save_draft(contact_draft())
    app.discard_draft("contact", "p1")
    assert (app.store.count("outbox"), app.store.count("audit_event")) == before


def test_drafts_list_newest_first(app):
    app.save_draft(Draft(kind="school", title="new school", fields={"Name": "St Anne's"}))
    app.save_draft(contact_draft())
    # saved_at is kept to the second: date the first save earlier, as if typed this morning
    with app.store._driver() as conn:
        conn.execute("UPDATE draft SET saved_at = '2026-11-22 09:00:00' WHERE kind = 'school'")
    assert [d.kind for d in app.drafts()] == ["contact", "school"]


def test_bad_drafts_are_refused(app):
    with pytest.raises(ValidationError, match="kind of form"):
        app.save_draft(Draft(kind=" ", fields={"a": "b"}))
    with pytest.raises(ValidationError, match="only text"):
        app.save_draft(Draft(kind="school", fields={"a": object()}))
    with pytest.raises(ValidationError, match="too much text"):
        app.save_draft(Draft(kind="school", fields={"a": "x" * 300_000}))
    assert app.drafts() == []


def test_a_draft_survives_the_process_being_killed(profile_dir: Path, tmp_path: Path):
    """A child process saves a draft (as the form does after a pause in typing),
    says so, then is killed with SIGKILL while still running. The draft is there
    when the profile is opened again, and the profile opens cleanly."""
    Waymark.create_profile(profile_dir, PASSPHRASE, scrypt_n=2**10).close()
    child = f"""
import sys, time
from desktop.domain.records import Draft
from desktop.services import Waymark
app = Waymark.open_profile({str(profile_dir)!r}, {PASSPHRASE!r})
app.save_draft(Draft(kind="school", title="new school", fields={{"Name": "St Anne's Catholic Primary"}}))
print("saved", flush=True)
while True:
    app.save_draft(Draft(kind="school", title="new school", fields={{"Name": "St Anne's Catholic Primary"}}))
"""
    process = subprocess.Popen(
        [sys.executable, "-c", child],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "saved"
        os.kill(process.pid, signal.SIGKILL)  # mid-write, as often as not
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    app = Waymark.open_profile(profile_dir, PASSPHRASE)
    try:
        kept = app.draft("school")
        assert kept is not None and kept.fields == {"Name": "St Anne's Catholic Primary"}
    finally:
        app.close()
