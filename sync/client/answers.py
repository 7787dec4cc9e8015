"""The server's answers read: a status turned into the error it means, a push's and a
pull's answer read quickly, anything else read by its model for one plain sentence."""

from __future__ import annotations

from types import NoneType
from typing import NamedTuple

import httpx
import orjson

from sync.protocol import PullResponse, PushResponse
from sync.protocol.pulled import Pulled, all_stamps, read_changes
from sync.protocol.serving import SERVED

from .errors import AccessRevoked, ClientTooOld, ServerError

STATUSES = frozenset({"applied", "duplicate", "refused"})


class _Page(NamedTuple):
    """A pull's answer (PullResponse), its records as Pulled tuples."""

    changes: list[Pulled]
    cursor: str
    more: bool
    left: list[str]
    role: str
    policy: dict | None


def _pull_page(response: httpx.Response) -> _Page:
    """A pull's answer, read with orjson and plain checks (a model per record was most of
    the client's time on a large pull); anything not plainly a PullResponse is read by the
    model itself, for its plain error."""
    try:
        doc = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        doc = None
    if type(doc) is dict:
        changes = read_changes(doc.get("changes"))
        cursor, more, left = doc.get("cursor"), doc.get("more"), doc.get("left", [])
        role, policy = doc.get("role", ""), doc.get("policy")
        plain = type(cursor) is str and type(more) is bool and type(role) is str and type(policy) in (dict, NoneType)
        if changes is not None and plain and type(left) is list and all(type(p) is str for p in left):
            return _understood(_Page(changes, cursor, more, left, role, policy))
    page = _answer(PullResponse, response)
    changes = [Pulled(c.entity, c.entity_id, c.fields, c.clocks, c.deleted, c.seq) for c in page.changes]
    if not all(all_stamps(c.clocks) for c in changes):  # the model reads a clock as any text
        raise ServerError(
            "The server's answer was not understood (a record's change time was not one), so nothing "
            "from it was applied. Ask whoever runs the LA server to check it."
        )
    return _understood(_Page(changes, page.cursor, page.more, page.left, page.role, page.policy))


def _understood(page: _Page) -> _Page:
    """A page read, refused before anything of it is applied if it names a role this version does
    not know: what a role is served is this version's list (sync.protocol.serving), and a role
    it lacks would be served nothing, so every record would leave the laptop."""
    if page.role and page.role not in SERVED:
        raise ServerError(
            f"The server gives you a role this version of Waymark does not know ({page.role[:40]!r}), "
            "so nothing it sent was applied and nothing was removed. Update Waymark, then sync again."
        )
    return page


def _push_answer(response: httpx.Response) -> tuple[list[tuple[str, str, str]], bool]:
    """A push's answer, read with orjson and plain checks (a model per operation was half
    the client's time on a large push); anything not plainly a PushResponse is read by
    the model itself, for its plain error."""
    try:
        doc = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        doc = None
    results = doc.get("results") if type(doc) is dict else None
    ordered = doc.get("ordered", False) if type(doc) is dict else None
    if type(results) is list and type(ordered) is bool:
        read = []
        for r in results:
            if type(r) is not dict:
                break
            op_id, status, reason = r.get("op_id"), r.get("status"), r.get("reason", "")
            if type(op_id) is not str or status not in STATUSES or type(reason) is not str:
                break
            read.append((op_id, status, reason))
        else:
            return read, ordered
    answer = _answer(PushResponse, response)
    return [(r.op_id, r.status, r.reason) for r in answer.results], answer.ordered


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):  # not JSON, or not an object
        detail = None
    if isinstance(detail, str) and "".join(c for c in detail if c.isprintable()).strip():
        return detail
    return f"The server answered {response.status_code}."  # no words, or none a user can read


def _answer(model, response: httpx.Response):
    """The server's answer read as `model`. Anything else at that address (a proxy's or a
    hotel's login page, another program) is one plain sentence, not a parser's report."""
    try:
        return model.model_validate_json(response.content)
    except ValueError:  # pydantic's ValidationError is one
        raise ServerError(
            "The server's answer was not understood: is something else, such as a network's login page, "
            "answering at that address?"
        ) from None


def _check(response: httpx.Response) -> httpx.Response:
    if response.status_code == 401:
        raise AccessRevoked(_detail(response))
    if response.status_code == 426:
        raise ClientTooOld(_detail(response))
    if response.status_code == 429:
        raise ServerError(_detail(response))
    if response.status_code >= 400:
        raise ServerError(f"The server could not do that: {_detail(response)}")
    return response
