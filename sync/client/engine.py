"""Push and pull over HTTP (httpx), against the store's port.

A sync pushes the outbox in batches (each acknowledged operation leaves the
outbox only after the server's answer arrives) and then pulls pages until
the server has no more, each page applied with its cursor in one local
transaction. Any step may fail (a dropped connection, a crash): running the
sync again resumes it, and nothing is lost or applied twice.

A sync can be told to stop (`should_stop`: the profile is being locked). It
looks between requests: no new batch or page is asked for, a batch already
sent is waited for and settled (its operations leave the outbox), then it
raises Stopped. A page and its cursor are written together, so stopping
between pages loses nothing.
"""

from __future__ import annotations

import functools
import ipaddress
import ssl
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from types import NoneType
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx
import orjson

from sync.protocol import (
    GONE_HEADER,
    GONE_PRUNED,
    GONE_RESTORED,
    GONE_SCOPE,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    AuditPush,
    AuditPushResponse,
    LoginRequest,
    LoginResponse,
    Op,
    PullResponse,
    PushRequest,
    PushResponse,
    WhoAmI,
)
from sync.protocol.pulled import Pulled, read_changes
from sync.protocol.serving import CONFLICT

from .port import SyncPort

Progress = Callable[[str, int], None]  # (stage, records so far)
PIPELINE = 3  # push batches on their way at once (SyncClient.push)
SWEEPS = frozenset({GONE_PRUNED, GONE_SCOPE})  # 410s after which a snapshot may remove what it does not bring


class SyncError(Exception):
    """A sync that could not finish; the message is for the user."""


class Offline(SyncError):
    """The server could not be reached (no network, server down, connection dropped)."""


class AccessRevoked(SyncError):
    """401: the device was revoked, the user disabled, or the token is unknown."""


class ClientTooOld(SyncError):
    """426: this version of Waymark is older than the server accepts."""


class ServerError(SyncError):
    """The server answered with an error we cannot act on."""


class OutOfOrder(ServerError):
    """409 to a batch sent before the last one's answer: that one had not arrived. Sent again."""


class Stopped(SyncError):
    """The sync was told to stop (the profile is being locked); what was done is kept."""


class InsecureServer(SyncError):
    """A plain http:// address that is not this machine."""


@dataclass
class SyncResult:
    pushed: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # op id -> reason
    pulled: int = 0
    conflicts: int = 0  # unresolved conflict records received
    snapshot: bool = False  # the server sent a fresh snapshot (410)
    left: int = 0  # pupils who left this user's scope, removed from this laptop
    narrowed: bool = False  # the user's role now holds less: what it may not hold was removed
    round_trips: int = 0
    audited: int = 0  # audit rows the server now holds
    audit_breaks: list[str] = field(default_factory=list)  # where the server found the trail's chain broken
    audit_error: str = ""  # the server would not take the audit rows (they stay unsent)
    backfilled: int = 0  # records of tables this version knows and an older one skipped
    policy: dict | None = None  # the LA's policy, as the server sent it (None: an older server)

    def to_json(self) -> dict:
        return {
            "pushed": self.pushed,
            "refused": len(self.refused),
            "refusals": sorted(set(self.refused.values())),
            "pulled": self.pulled,
            "conflicts": self.conflicts,
            "snapshot": self.snapshot,
            "left": self.left,
            "narrowed": self.narrowed,
            "round_trips": self.round_trips,
            "audited": self.audited,
            "audit_breaks": self.audit_breaks,
            "backfilled": self.backfilled,
        }


class _Pushed(NamedTuple):
    results: list[tuple[str, str, str]]  # (op id, status, reason) per operation
    ordered: bool  # PushResponse.ordered
    round_trips: int


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
            return _Page(changes, cursor, more, left, role, policy)
    page = _answer(PullResponse, response)
    changes = [Pulled(c.entity, c.entity_id, c.fields, c.clocks, c.deleted, c.seq) for c in page.changes]
    return _Page(changes, page.cursor, page.more, page.left, page.role, page.policy)


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


def check_url(url: str, *, insecure: bool = False) -> str:
    """Refuse plain http:// except to this machine (or with insecure=True)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureServer(f"'{url}' is not a server address; it looks like https://waymark.example.gov.uk")
    if parts.scheme == "http" and not insecure and not _loopback(parts.hostname):
        raise InsecureServer(
            f"{url} is not encrypted (http://). Use the server's https:// address, or --insecure on a trusted network."
        )
    return url.strip().rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for the process: making one reads the certificate bundle, about
    50 ms of CPU, which every push paid for its client of batches sent ahead."""
    return httpx.create_ssl_context()


def _http(base_url: str, transport: httpx.BaseTransport | None, timeout: float, token: str = "") -> httpx.Client:
    headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=base_url, transport=transport, timeout=timeout, headers=headers, verify=_tls())


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):  # not JSON, or not an object
        detail = None
    return detail if isinstance(detail, str) else f"The server answered {response.status_code}."


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


def login(
    base_url: str,
    user: str,
    password: str,
    device_name: str,
    *,
    insecure: bool = False,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 30,
) -> LoginResponse:
    """Register this device with the server; returns its token."""
    base_url = check_url(base_url, insecure=insecure)
    try:
        with _http(base_url, transport, timeout) as http:
            body = LoginRequest(user=user, password=password, device_name=device_name)
            response = http.post(
                "/v1/login", content=body.model_dump_json(), headers={"Content-Type": "application/json"}
            )
            if response.status_code == 401:
                raise SyncError(_detail(response))
            return _answer(LoginResponse, _check(response))
    except httpx.TransportError as exc:
        raise Offline(f"Could not reach {base_url}: {exc}") from exc
    except httpx.HTTPError as exc:  # an answer httpx cannot read
        raise ServerError(f"The server's answer could not be read ({type(exc).__name__}).") from exc


class SyncClient:
    """Syncs one store with one server, as one device."""

    def __init__(
        self,
        port: SyncPort,
        base_url: str,
        token: str,
        *,
        insecure: bool = False,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 60,
        push_batch: int = 500,
        page_size: int = 1000,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.port = port
        self.should_stop = should_stop or (lambda: False)
        self.base_url = check_url(base_url, insecure=insecure)
        self.push_batch, self.page_size = push_batch, page_size
        self._http = _http(self.base_url, transport, timeout, token)
        self._connect = lambda: _http(self.base_url, transport, timeout, token)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_stop(self) -> None:
        """Between two steps: stop here if told to (nothing half-done is left behind)."""
        if self.should_stop():
            raise Stopped("The sync stopped: the profile was locked.")

    def _send(
        self, method: str, path: str, result: SyncResult | None = None, http: httpx.Client | None = None, **kwargs
    ) -> httpx.Response:
        try:
            response = (http or self._http).request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Offline(f"The connection to the server was lost ({type(exc).__name__}). Nothing was lost.") from exc
        except httpx.HTTPError as exc:  # an answer httpx cannot read (a body not in its stated encoding)
            raise ServerError(f"The server's answer could not be read ({type(exc).__name__}).") from exc
        if result is not None:
            result.round_trips += 1
        return response

    def whoami(self) -> WhoAmI:
        return _answer(WhoAmI, _check(self._send("GET", "/v1/me")))

    def logout(self) -> None:
        _check(self._send("POST", "/v1/logout"))

    def sync(self, progress: Progress | None = None) -> SyncResult:
        """Push everything unsent, then pull everything new."""
        result = SyncResult()
        self.push(result, progress)
        try:
            self.push_audit(result)
        except ServerError as exc:  # the records still sync; the rows stay unsent and go next time
            result.audit_error = str(exc)
        self.pull(result, progress)
        return result

    def push(self, result: SyncResult | None = None, progress: Progress | None = None) -> SyncResult:
        """Send the outbox in batches, each acknowledged only when its answer arrives. Once the
        server says it applies batches in the order sent (PushResponse.ordered), the next batch
        goes before the last one's answer is in, naming it (`after`): the server works out one
        while it writes the other."""
        result = result or SyncResult()
        ordered = False
        flying: deque[tuple[list[Op], Future]] = deque()
        pool = ThreadPoolExecutor(PIPELINE, thread_name_prefix="waymark-push")
        # Batches sent ahead go on a client of their own, made when first needed and closed when
        # the push ends: a push that fails leaves no batch still waiting on the server in a
        # thread of this process. The first goes on the kept-alive connection.
        ahead: list[httpx.Client] = []
        try:
            while True:
                while len(flying) < (PIPELINE if ordered else 1) and not self.should_stop():
                    ops = self._next_batch(flying)
                    if not ops:
                        break
                    after = flying[-1][0][-1].op_id if flying else None
                    if after and not ahead:
                        ahead.append(self._connect())
                    http = ahead[0] if after else self._http
                    flying.append((ops, pool.submit(self._push_batch, http, ops, after)))
                if not flying:
                    self._check_stop()  # told to stop: every batch sent was settled first
                    return result
                ops, answer = flying.popleft()
                try:
                    response = answer.result()
                except OutOfOrder:  # its batch before did not arrive in time: every one before is answered now
                    result.round_trips += 1  # the 409
                    response = self._push_batch(self._http, ops, None)
                result.round_trips += response.round_trips
                ordered = response.ordered
                self._settle(ops, response.results, result)
                if progress:
                    progress("push", result.pushed)
        finally:
            # A failed batch ends the push; any sent after it is cut off (its answer is not needed: a
            # resend is answered as a duplicate), and its thread ends with it.
            for http in ahead:
                http.close()
            pool.shutdown(wait=False, cancel_futures=True)

    def _next_batch(self, flying: deque[tuple[list[Op], Future]]) -> list[Op]:
        """The next operations in the outbox not already on their way."""
        sent = {op.op_id for ops, _ in flying for op in ops}
        waiting = self.port.pending(self.push_batch * (len(flying) + 1))
        return [op for op in waiting if op.op_id not in sent][: self.push_batch]

    def _push_batch(self, http: httpx.Client, ops: list[Op], after: str | None) -> _Pushed:
        body = PushRequest(ops=ops, after=after).model_dump_json()
        trip = SyncResult()
        headers = {"Content-Type": "application/json"}
        if after:
            # Batches on their way together each on a connection of its own, closed after: the
            # server's processes take new connections as they come free, so the batches are worked
            # on side by side (two kept-alive connections could both sit with one busy process).
            headers["Connection"] = "close"
        response = self._send("POST", "/v1/push", trip, http, content=body, headers=headers)
        if response.status_code == 409 and after:
            raise OutOfOrder(_detail(response))
        results, ordered = _push_answer(_check(response))
        answered = {op_id for op_id, _, _ in results}
        if any(op.op_id not in answered for op in ops):
            raise ServerError("The server did not answer for every change sent; they stay queued.")
        return _Pushed(results, ordered, trip.round_trips)

    def _settle(self, ops: list[Op], results: list[tuple[str, str, str]], result: SyncResult) -> None:
        """The outbox after a batch's answer: acknowledged operations leave it, refused ones are set aside."""
        refused = {op_id: reason for op_id, status, reason in results if status == "refused" or reason}
        done = [op.op_id for op in ops if op.op_id not in refused]
        self.port.acknowledge(done)
        if refused:
            self.port.reject(refused)
            result.refused.update(refused)
        result.pushed += len(done)

    def push_audit(self, result: SyncResult | None = None) -> SyncResult:
        """Send the audit rows not yet sent, oldest first; each is marked sent only
        once the server says it holds it. Nothing to send: no request."""
        result = result or SyncResult()
        if not hasattr(self.port, "audit_pending"):
            return result  # a port without an audit trail
        while True:
            self._check_stop()
            trail, rows = self.port.audit_pending(self.push_batch)
            if not rows:
                return result
            body = AuditPush(trail=trail, rows=rows).model_dump_json()
            response = self._send(
                "POST", "/v1/audit", result, content=body, headers={"Content-Type": "application/json"}
            )
            if response.status_code in (404, 405):
                return result  # a server older than audit rows: they stay unsent until it takes them
            answer = _answer(AuditPushResponse, _check(response))
            held = set(answer.held)
            self.port.audit_sent([r for r in rows if r.id in held])
            result.audited += len(held)
            result.audit_breaks.extend(answer.breaks)
            if not held & {r.id for r in rows}:
                raise ServerError("The server did not keep the audit rows sent; they stay queued.")

    def _known(self) -> list[str] | None:
        """The tables this client can hold (None: a port that does not say)."""
        known = getattr(self.port, "known_tables", None)
        return sorted(known()) if known else None

    def backfill(self, known: list[str], result: SyncResult, progress: Progress | None = None) -> None:
        """Fetch, from the start, the records of tables this client knows now but
        did not when its cursor was given (an upgrade): the pull skipped them then.
        Kept apart from the main cursor, resumable, and like any pull it never
        overwrites an unsent change."""
        if self.port.cursor() is None:
            return  # the pull starts from nothing and brings every known table
        covered = self.port.cursor_tables()
        if covered is None:
            return  # synced before clients said which tables they knew: nothing known was skipped
        wanted = sorted(set(known) - set(covered))
        going = self.port.backfill_state()
        if going and set(going[0]) == set(wanted):
            cursor = going[1]
        else:
            cursor = ""
        if not wanted:
            return
        restarted = False
        while True:
            self._check_stop()
            params = {"cursor": cursor, "limit": self.page_size, "tables": ",".join(wanted)}
            response = self._send("GET", "/v1/pull", result, params=params)
            if response.status_code == 410 and response.headers.get(GONE_HEADER) == GONE_RESTORED:
                # A server put back from a backup: not a page of it applied here as an ordinary pull
                # (its older copies would write over what this laptop sent since). The main pull
                # meets the same 410 and takes the restore's snapshot, which brings every table.
                return
            if response.status_code == 410 and not restarted:
                cursor, restarted = "", True
                continue
            page = _pull_page(_check(response))
            self.port.apply_backfill(page.changes, wanted, page.cursor, done=not page.more)
            cursor = page.cursor
            result.backfilled += len(page.changes)
            if progress:
                progress("pull", result.pulled + result.backfilled)
            if not page.more:
                return

    def pull(self, result: SyncResult | None = None, progress: Progress | None = None) -> SyncResult:
        result = result or SyncResult()
        known = self._known()
        if known is not None:
            self.backfill(known, result, progress)
        cursor = self.port.cursor()
        holds_nothing = getattr(self.port, "holds_nothing", None)
        fresh = cursor is None and holds_nothing is not None and holds_nothing()
        while True:
            self._check_stop()
            params = {"cursor": cursor or "", "limit": self.page_size}
            if known is not None:
                params["tables"] = ",".join(known)
            if fresh and not cursor:  # a new profile: not told of what was withdrawn before it (server's pull)
                params["fresh"] = "true"
            response = self._send("GET", "/v1/pull", result, params=params)
            if response.status_code == 410 and not result.snapshot:
                # Too far behind: a fresh snapshot, applied over what we hold; the outbox stays and goes
                # next time. When the server says the cursor is gone because tombstones were forgotten
                # or the user's scope changed, a port that can notes what it holds, so what the
                # snapshot does not bring goes. Never for a server restored from a backup (or one
                # that does not say): it may lack what this laptop sent since, its only copy here.
                why = response.headers.get(GONE_HEADER)
                begin = getattr(self.port, "begin_snapshot", None)
                if begin is not None and why in SWEEPS:
                    begin()
                elif begin is not None and why == GONE_RESTORED:
                    begin(restored=True)  # nothing removed or written over; what the server lacks goes again
                else:
                    self.port.forget_cursor()
                cursor, result.snapshot = None, True
                continue
            page = _pull_page(_check(response))
            extra: dict = {} if known is None else {"tables": known}
            if page.left:  # pupils no longer this user's: removed with the page, no deletes sent
                extra["left"] = page.left
            self.port.apply_page(page.changes, page.cursor, **extra)
            result.left += len(page.left)
            serve_as = getattr(self.port, "serve_as", None)  # a port that holds records by role
            if page.role and serve_as is not None:
                result.narrowed = serve_as(page.role) or result.narrowed
            cursor = page.cursor
            result.pulled += len(page.changes)
            result.conflicts += sum(
                1 for c in page.changes if c.entity == CONFLICT and not c.fields.get("resolved") and not c.deleted
            )
            if progress:
                progress("pull", result.pulled)
            if not page.more:
                complete = getattr(self.port, "snapshot_complete", None)
                if complete is not None:
                    complete()
                result.policy = page.policy
                return result
