"""A push's answer settles only the operations of the batch it answers (sync/client/pushing.py,
_settle): an answer that names others (a faulty server, a proxy's answer to an earlier push)
says nothing about them. Desktop-side tests, so SQLite only."""

from __future__ import annotations

import json

import pytest

from tests.sync import helpers as h
from tests.sync.conftest import add_user
from tests.sync.rewrite import Rewriting

pytestmark = pytest.mark.parametrize("server_url", ["sqlite"], indirect=True)


def test_an_answer_refusing_a_change_not_in_the_batch_does_not_set_it_aside(engine, make_device):
    add_user(engine, "ann", "tutor")
    laptop = make_device("laptop", "ann")
    pupil = h.pupil(laptop.app, "Levi")
    laptop.sync()
    for i in range(4):
        h.progress(laptop.app, pupil, evidence=f"entry {i}")
    waiting = [op.op_id for op in laptop.port.pending(10)]
    later = waiting[-1]  # not in the first batch of 2
    sent = []

    def refuse_a_later_one(doc: dict, request) -> dict:
        sent.extend(op["op_id"] for op in json.loads(request.content)["ops"])
        doc["results"].append({"op_id": later, "status": "refused", "reason": "Not on your caseload."})
        return doc

    laptop.sync_service.client_options = {"push_batch": 2}
    laptop.sync_service.transport = Rewriting(laptop.net, "/v1/push", refuse_a_later_one)
    result = laptop.sync()
    assert later not in sent and len(waiting) >= 4  # the answer named a change the server never saw
    assert later not in result.refused and not result.refused
    assert laptop.port.rejected_count() == 0 and laptop.port.unsent() == 0  # it went in a later batch
    other = make_device("other", "ann")  # and the server holds it: another laptop gets it
    other.sync()
    assert sorted(e.evidence for e in other.app.list_progress(pupil)) == [f"entry {i}" for i in range(4)]
