"""The LA overview (JSON and PDF) for LA leads: the same counts a worker's
laptop prints for the same records, kept current as pushes arrive, and for
LA leads only."""

from __future__ import annotations

import subprocess
from datetime import time, timedelta
from io import BytesIO

import httpx
import pytest
from pypdf import PdfReader

from desktop.domain.enums import ProvisionType
from desktop.domain.records import Folder, ProvisionEpisode, Visit
from desktop.services.reporting import caseload_summary
from sync.protocol import PROTOCOL_HEADER
from sync.server.overview import counts
from tests.conftest import TODAY
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, SERVER, add_user


@pytest.fixture
def leads(engine, make_device, in_process):
    for name, role, urn in (("ann", "tutor", ""), ("lead", "la-lead", ""), ("school_a", "school", h.URN_A)):
        add_user(engine, name, role, school_urn=urn)
    ann = make_device("ann", "ann")
    app = ann.app
    levi = h.pupil(app, "Levi")
    mary = h.pupil(app, "Mary", urn=h.URN_B)
    app.add_episode(
        ProvisionEpisode(
            pupil_id=levi,
            provision_type=ProvisionType.HOME_TUITION,
            start=TODAY - timedelta(days=60),
            planned_hours_per_week=5,
            review_date=TODAY - timedelta(days=3),  # overdue
            reason="Medical: fatigue",
        )
    )
    last_week = TODAY - timedelta(days=TODAY.weekday() + 5)
    app.log_visit(
        Visit.same_for_all(date=last_week, start=time(10), end=time(12), pupil_ids=[levi], work_covered="Fractions")
    )
    with app.store.transaction("ann") as tx:
        tx.insert(Folder(pupil_id=mary, issued_on=TODAY - timedelta(days=40), expected_back=TODAY - timedelta(days=5)))
    ann.sync()
    http = httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"})
    tokens = {
        name: http.post("/v1/login", json={"user": name, "password": PASSWORD}).json()["token"]
        for name in ("ann", "lead", "school_a")
    }
    yield ann, http, tokens
    http.close()


def _get(http, tokens, who: str, path: str) -> httpx.Response:
    return http.get(path, headers={"Authorization": f"Bearer {tokens[who]}"})


def test_the_overview_counts_what_the_laptop_prints(leads):
    ann, http, tokens = leads
    got = _get(http, tokens, "lead", "/v1/overview")
    assert got.status_code == 200
    body = got.json()
    expected = counts(caseload_summary(ann.app), TODAY)  # the printed summary's own numbers
    assert body == expected
    assert body["pupils"] == 2
    assert body["by_provision"] == {"Home tuition": 1}
    assert body["by_hours_band"]["under 5"] == 1 and body["not_banded"] == 1
    assert [item["pupil"] for item in body["reviews_overdue"]] == ["Levi Ó Súilleabháin"]
    assert body["folders_out"] == 1 and [i["pupil"] for i in body["folders_overdue"]] == ["Mary Ó Súilleabháin"]


def test_the_overview_follows_new_pushes(leads):
    ann, http, tokens = leads
    assert _get(http, tokens, "lead", "/v1/overview").json()["pupils"] == 2
    h.pupil(ann.app, "Nell")
    ann.sync()
    assert _get(http, tokens, "lead", "/v1/overview").json()["pupils"] == 3


def test_the_summary_pdf_is_the_printed_summary(leads, tmp_path):
    _ann, http, tokens = leads
    got = _get(http, tokens, "lead", "/v1/overview.pdf")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(got.content)).pages)
    assert "Levi Ó Súilleabháin" in text and "Mary Ó Súilleabháin" in text
    assert "Home tuition" in text
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(got.content)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    assert list(tmp_path.glob("p*.png"))


def test_only_la_leads_see_the_overview(leads):
    _ann, http, tokens = leads
    for who in ("ann", "school_a"):
        for path in ("/v1/overview", "/v1/overview.pdf"):
            refused = _get(http, tokens, who, path)
            assert refused.status_code == 403 and "LA leads" in refused.json()["detail"]
    assert http.get("/v1/overview").status_code == 401
    assert http.get("/docs").status_code == 200  # the OpenAPI pages
    assert "/v1/overview.pdf" in http.get("/openapi.json").json()["paths"]


def test_an_empty_server_has_an_empty_overview(engine, in_process):
    add_user(engine, "lead", "la-lead")
    with httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"}) as http:
        token = http.post("/v1/login", json={"user": "lead", "password": PASSWORD}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert http.get("/v1/overview", headers=auth).json()["pupils"] == 0
        assert http.get("/v1/overview.pdf", headers=auth).status_code == 404


def test_the_overview_starts_afresh_after_tombstones_are_forgotten(leads, engine):
    """A pruned feed sends the overview's copy back to the start; the next answer still comes
    (it used to wait for ever on its own lock)."""
    import threading

    from desktop.domain.records import Folder as FolderRecord
    from sync.server import admin

    ann, http, tokens = leads
    assert _get(http, tokens, "lead", "/v1/overview").json()["folders_out"] == 1
    [folder] = ann.app.store.find(FolderRecord)
    with ann.app.store.transaction("ann") as tx:
        tx.delete(FolderRecord, folder.id)
    ann.sync()
    assert admin.prune_tombstones(engine, older_than_days=-1) == 1
    answers: list = []
    asking = threading.Thread(target=lambda: answers.append(_get(http, tokens, "lead", "/v1/overview")), daemon=True)
    asking.start()
    asking.join(timeout=120)
    assert answers, "the overview did not answer after a prune"
    assert answers[0].status_code == 200 and answers[0].json()["folders_out"] == 0
