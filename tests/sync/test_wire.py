"""The server's quick reading of a push body (sync/server/wire.py) answers as
PushRequest would: the same operations for a valid body, a ValidationError
(and so the same 422) for an invalid one."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import ValidationError

from sync.protocol import PushRequest
from sync.protocol.models import MAX_OPS
from sync.server import wire

CLOCK = "2026-11-22T10:00:00.000001Z-0003-laptop-1"


def op(**changes) -> dict:
    base = {"op_id": "op-1", "entity": "school", "entity_id": "s1", "clock": CLOCK, "fields": {"name": "A"}}
    return {k: v for k, v in (base | changes).items() if v is not ...}


VALID = [
    {"ops": []},
    {"ops": [op()]},
    {"ops": [op(fields=...)]},  # fields default to {}
    {"ops": [op(base={"name": CLOCK})]},
    {"ops": [op(fields={"n": 1, "x": None, "nested": {"a": [1, 2.5, True]}})]},
    {"ops": [op(entity_id="é" * 64)]},  # 64 characters, more bytes
    {"ops": [op(extra="ignored")], "also": 1},
    {"ops": [op(op_id=f"op-{i}") for i in range(MAX_OPS)]},
    {"ops": [op()], "after": "op-0"},
    {"ops": [op()], "after": None},
    {"ops": [op()], "after": "é" * 64},
]
INVALID = [
    {"ops": [op()], "after": ""},
    {"ops": [op()], "after": "x" * 65},
    {"ops": [op()], "after": 7},
    {},
    {"ops": None},
    {"ops": {}},
    {"ops": [None]},
    {"ops": [op(op_id="")]},
    {"ops": [op(op_id="x" * 65)]},
    {"ops": [op(op_id=5)]},
    {"ops": [op(entity="School")]},
    {"ops": [op(entity="1school")]},
    {"ops": [op(entity=...)]},
    {"ops": [op(entity_id="")]},
    {"ops": [op(entity_id="x" * 65)]},
    {"ops": [op(clock="yesterday")]},
    {"ops": [op(clock="2026-13-22T10:00:00.000001Z-0003-laptop")]},
    {"ops": [op(clock=None)]},
    {"ops": [op(fields=[1])]},
    {"ops": [op(fields=None)]},
    {"ops": [op(base={"name": 1})]},
    {"ops": [op(op_id=f"op-{i}") for i in range(MAX_OPS + 1)]},
]


def same(a, b) -> bool:
    keys = ("op_id", "entity", "entity_id", "clock", "fields", "base")
    return [[getattr(o, k) for k in keys] for o in a] == [[getattr(o, k) for k in keys] for o in b]


@pytest.mark.parametrize("doc", VALID, ids=range(len(VALID)))
def test_a_valid_body_gives_what_the_model_gives_without_the_model(doc):
    body = json.dumps(doc).encode()
    quick = wire._quick(body)
    assert quick is not None  # read by the quick path
    model = PushRequest.model_validate_json(body)
    assert same(quick[0], model.ops) and quick[1] == model.after


@pytest.mark.parametrize("doc", INVALID, ids=range(len(INVALID)))
def test_an_invalid_body_is_refused_by_the_model_itself(doc):
    body = json.dumps(doc).encode()
    assert wire._quick(body) is None
    with pytest.raises(ValidationError) as quick:
        wire.parse_push(body)
    with pytest.raises(ValidationError) as model:
        PushRequest.model_validate_json(body)
    plain = dict(include_url=False, include_context=False)
    assert quick.value.errors(**plain) == model.value.errors(**plain)


def test_a_body_that_is_not_json_is_the_models_error():
    with pytest.raises(ValidationError):
        wire.parse_push(b'{"ops": [')


# --- the client's quick reading of a push's answer (sync/client/answers.py) ---------------

ANSWERS_READ = [
    {"results": [], "conflicts": 0},
    {"results": [{"op_id": "a", "status": "applied", "reason": ""}], "conflicts": 1, "ordered": True},
    {"results": [{"op_id": "a", "status": "refused", "reason": "No."}, {"op_id": "b", "status": "duplicate"}]},
]
ANSWERS_REFUSED = [
    {"results": [{"op_id": "a", "status": "lost", "reason": ""}]},
    {"results": [{"op_id": 5, "status": "applied"}]},
    {"results": [{"status": "applied"}]},
    {"results": {"op_id": "a"}},
    {"results": [{"op_id": "a", "status": "applied"}], "ordered": [1]},
    {"detail": "Welcome to the hotel's network"},
]


@pytest.mark.parametrize("doc", ANSWERS_READ, ids=range(len(ANSWERS_READ)))
def test_the_client_reads_a_push_answer_as_the_model_does(doc):
    from sync.client.answers import _push_answer
    from sync.protocol import PushResponse

    response = httpx.Response(200, content=json.dumps(doc).encode())
    model = PushResponse.model_validate(doc)
    assert _push_answer(response) == ([(r.op_id, r.status, r.reason) for r in model.results], model.ordered)


@pytest.mark.parametrize("doc", [*ANSWERS_REFUSED, None], ids=range(len(ANSWERS_REFUSED) + 1))
def test_a_push_answer_that_is_not_one_is_a_plain_error(doc):
    from sync.client import ServerError
    from sync.client.answers import _push_answer

    body = b"<html>login</html>" if doc is None else json.dumps(doc).encode()
    with pytest.raises(ServerError, match="not understood"):
        _push_answer(httpx.Response(200, content=body))


# --- the client's quick reading of a pull's answer ---------------------------------------

CHANGE = {"entity": "pupil", "entity_id": "p1", "fields": {"forename": "Levi"}, "clocks": {"*": CLOCK}, "seq": 4}
PAGES_READ = [
    {"changes": [], "cursor": "0.0.0", "more": False},
    {"changes": [CHANGE, CHANGE | {"deleted": True, "seq": 5}], "cursor": "5.0.0", "more": True, "left": ["p2"]},
    {"changes": [CHANGE], "cursor": "4.0.0", "more": False, "role": "school", "policy": {"review_weeks": 6}},
]
PAGES_REFUSED = [
    {"changes": [CHANGE | {"seq": "four"}], "cursor": "4.0.0", "more": False},
    {"changes": [CHANGE | {"clocks": {"*": 1}}], "cursor": "4.0.0", "more": False},
    {"changes": [CHANGE | {"clocks": {"*": "zz-not-a-stamp"}}], "cursor": "4.0.0", "more": False},
    {"changes": [CHANGE | {"clocks": {"forename": CLOCK[:20]}}], "cursor": "4.0.0", "more": False},
    # read by the model (a whole float for seq), which takes any text for a clock
    {"changes": [CHANGE | {"seq": 4.0, "clocks": {"*": "soon"}}], "cursor": "4.0.0", "more": False},
    {"changes": [CHANGE | {"fields": ["forename"]}], "cursor": "4.0.0", "more": False},
    {"changes": [{"entity": "pupil"}], "cursor": "4.0.0", "more": False},
    {"changes": [CHANGE], "more": False},
    {"changes": [CHANGE], "cursor": "4.0.0", "more": False, "left": [1]},
    {"detail": "Welcome to the hotel's network"},
]


@pytest.mark.parametrize("doc", PAGES_READ, ids=range(len(PAGES_READ)))
def test_the_client_reads_a_pull_answer_as_the_model_does(doc):
    from sync.client.answers import _pull_page
    from sync.protocol import Pulled, PullResponse

    page = _pull_page(httpx.Response(200, content=json.dumps(doc).encode()))
    model = PullResponse.model_validate(doc)
    assert page.changes == [Pulled(c.entity, c.entity_id, c.fields, c.clocks, c.deleted, c.seq) for c in model.changes]
    assert (page.cursor, page.more, page.left, page.role, page.policy) == (
        model.cursor,
        model.more,
        model.left,
        model.role,
        model.policy,
    )


@pytest.mark.parametrize("doc", [*PAGES_REFUSED, None], ids=range(len(PAGES_REFUSED) + 1))
def test_a_pull_answer_that_is_not_one_is_a_plain_error(doc):
    from sync.client import ServerError
    from sync.client.answers import _pull_page

    body = b"<html>login</html>" if doc is None else json.dumps(doc).encode()
    with pytest.raises(ServerError, match="not understood"):
        _pull_page(httpx.Response(200, content=body))


@pytest.mark.parametrize("role", ["virtual-school-head", "Tutor", " "])
def test_a_pull_answer_naming_a_role_this_version_does_not_know_is_refused(role):
    """Served nothing by this version's list, every record would go (StoreSyncPort.serve_as)."""
    from sync.client import ServerError
    from sync.client.answers import _pull_page

    doc = {"changes": [CHANGE], "cursor": "4.0.0", "more": False, "role": role}
    with pytest.raises(ServerError, match="does not know"):
        _pull_page(httpx.Response(200, content=json.dumps(doc).encode()))


def test_an_answer_httpx_cannot_read_is_a_plain_error():
    """A body not in the encoding its header states (a broken proxy): one sentence, a
    SyncError the app and the CLI show, not httpx's own exception."""
    from sync.client import ServerError, SyncClient, login
    from tests.sync.test_ordered_push import ListPort

    def broken(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"not gzip at all")

    transport = httpx.MockTransport(broken)
    with pytest.raises(ServerError, match="could not be read"):
        login("http://127.0.0.1:9", "ann", "pw", "laptop", transport=transport)
    client = SyncClient(ListPort([]), "http://127.0.0.1:9", "token", transport=transport)
    with client, pytest.raises(ServerError, match="could not be read"):
        client.whoami()  # every request goes through the one sender
