"""The HTTP API (FastAPI). OpenAPI docs at /docs.

Every /v1 request carries the protocol version (426 when the client is too
old) and, but for login, a device's bearer token (401 for a revoked device or
a disabled user, with a message a teacher can act on).
"""

from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Annotated

import anyio.to_thread
import orjson
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import Engine, update
from starlette.background import BackgroundTask

from sync.protocol import (
    GONE_HEADER,
    PROTOCOL_VERSION,
    AuditEntry,
    AuditPush,
    AuditPushResponse,
    ErrorBody,
    LoginRequest,
    LoginResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    WhoAmI,
)
from sync.protocol.clock import format_time
from sync.protocol.models import ENTITY

from . import audit, auth, db, feed, merge, policy, stats, wire
from .tables import Device

ERRORS = {
    401: {"model": ErrorBody, "description": "Not signed in, device revoked or user disabled"},
    426: {"model": ErrorBody, "description": "The client is too old"},
}


def _inline(schema: dict) -> dict:
    """A model's JSON schema with its $defs written in place (an OpenAPI body schema cannot carry $defs)."""
    defs = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


PUSH_SCHEMA = _inline(PushRequest.model_json_schema())
GONE = (
    "This laptop's copy can no longer catch up change by change (it is too far behind, what you may see "
    "has changed, or the server was put back from a backup). Waymark will fetch a fresh copy of your "
    "records; your unsent changes are kept and sent afterwards."
)


OUT_OF_ORDER = (
    "The changes sent just before these have not reached the server, so these were not applied. "
    "Waymark sends them again; nothing is lost."
)


BUSY = "The server is busy with the same records just now; Waymark sends these changes again shortly."


def _json(model) -> Response:
    """A model already built and checked here goes out as JSON at once (FastAPI
    would validate and encode it again: most of a large push's or pull's time)."""
    return Response(model.model_dump_json(), media_type="application/json")


MAX_BODY = 64 * 1024 * 1024  # a push's body: far above 500 operations of the longest notes
TOO_BIG = "That push is too big for the server to take (over 64 MB). Waymark sends smaller batches."


async def _body(request: Request) -> bytes:
    """The request's body, refused with 413 once it passes MAX_BODY (said or sent)."""
    said = request.headers.get("content-length", "")
    if said.isdigit() and int(said) > MAX_BODY:
        raise HTTPException(413, TOO_BIG)
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HTTPException(413, TOO_BIG)
        parts.append(chunk)
    return b"".join(parts)


def _tables(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [name for name in text.split(",") if name]
    if any(not ENTITY.fullmatch(name) for name in names):
        raise HTTPException(400, "tables: comma-separated lower-case table names.")
    return names


def create_app(engine: Engine, *, today: Callable[[], date] = date.today) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # No more request threads than database connections: a request beyond them waits
        # its turn here rather than timing out in the connection pool under a burst.
        pool = engine.pool
        if hasattr(pool, "size"):
            threads = pool.size() + max(0, getattr(pool, "_max_overflow", 0))
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
            merge.cap_waiting(threads)
        yield

    app = FastAPI(
        title="Waymark LA server",
        version=str(PROTOCOL_VERSION),
        description="Sync for Waymark desktops, and the LA overview for LA leads.",
        lifespan=lifespan,
    )
    app.state.engine = engine

    @app.exception_handler(auth.AuthError)
    def _auth_error(_request: Request, exc: auth.AuthError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    async def protocol(waymark_protocol: Annotated[str | None, Header()] = None) -> int:
        # async: checked on the event loop. A plain function would be handed to a thread
        # and back, as every sync dependency is, which cost more than the check.
        return auth.check_protocol(waymark_protocol)

    async def bearer(
        _version: Annotated[int, Depends(protocol)],
        authorization: Annotated[str | None, Header()] = None,
    ) -> str:
        """The Authorization header, if it is plainly a bearer token (checked on the event loop,
        before any body is read); the token itself is checked by `authorised`, in a thread."""
        auth.check_bearer(authorization)
        return authorization or ""

    def authorised(authorization: str | None) -> auth.Principal:
        with db.reading(engine) as conn:
            who = auth.authenticate(conn, authorization)
        seen(who)
        return who

    def seen(who: auth.Principal, first_pull: int | None = None) -> None:
        """The device's last-seen time, at most once a minute, and where its holdings begin at its
        first pull (`first_pull`; auth.first_pull), in one short write of their own (never
        while the request holds another connection: a process has no more than its pool)."""
        due = auth.seen_due(who)
        if due or first_pull is not None:
            with db.writing(engine) as conn:
                if due:
                    auth.touch(conn, who)
                if first_pull is not None:
                    auth.first_pull(conn, who, first_pull)

    def principal(
        _version: Annotated[int, Depends(protocol)],
        authorization: Annotated[str | None, Header()] = None,
    ) -> auth.Principal:
        return authorised(authorization)

    Who = Annotated[auth.Principal, Depends(principal)]  # noqa: N806  (a type alias)

    @app.post("/v1/login", response_model=LoginResponse, responses=ERRORS, tags=["devices"])
    def login(body: LoginRequest, _version: Annotated[int, Depends(protocol)]) -> LoginResponse:
        """Register this device for the user; the token is shown once."""
        error = None
        with db.writing(engine) as conn:
            try:
                user, device, token = auth.login(conn, body.user, body.password, body.device_name)
            except auth.AuthError as exc:
                error = exc  # the failed attempt is counted: commit, then answer
        if error:
            raise error
        return LoginResponse(device_id=device.id, token=token, user=user.name, role=user.role)

    @app.post("/v1/logout", status_code=204, responses=ERRORS, tags=["devices"])
    def logout(who: Who) -> Response:
        """Revoke this device's token."""
        with db.writing(engine) as conn:
            conn.execute(update(Device).where(Device.id == who.device.id).values(revoked=True))
        return Response(status_code=204)

    @app.get("/v1/me", response_model=WhoAmI, responses=ERRORS, tags=["devices"])
    def me(who: Who) -> WhoAmI:
        return WhoAmI(
            user=who.user.name,
            role=who.user.role,
            school_urn=who.user.school_urn,
            team=who.user.team,
            device_id=who.device.id,
            device_name=who.device.name,
            protocol=PROTOCOL_VERSION,
            server_time=format_time(datetime.now(UTC)),
        )

    @app.post(
        "/v1/push",
        response_model=PushResponse,
        responses=ERRORS
        | {
            409: {"model": ErrorBody, "description": "The batch named by `after` has not arrived"},
            422: {"description": "The body is not a valid PushRequest"},
        },
        tags=["sync"],
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": PUSH_SCHEMA}}}},
    )
    async def push(request: Request, authorization: Annotated[str, Depends(bearer)]) -> Response:
        """Apply operations, each exactly once; answered per operation. The body is a PushRequest."""
        who = await run_in_threadpool(authorised, authorization)  # before the body is read: a stranger sends none
        body = await _body(request)
        return await run_in_threadpool(_push, body, who)

    def _push(body: bytes, who: auth.Principal) -> Response:
        # Read here rather than by FastAPI: one orjson pass and plain checks (wire.py) instead of a
        # model per operation, and the answer written straight to JSON.
        try:
            ops, after = wire.parse_push(body)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False), body=body) from None
        try:
            merger = merge.push(engine, who.user, who.device.id, ops, after)
        except merge.OutOfOrder:
            raise HTTPException(409, OUT_OF_ORDER) from None
        except db.WrittenMeanwhile:  # the same records written by others, again and again
            raise HTTPException(503, BUSY, headers={"Retry-After": "5"}) from None
        answer = orjson.dumps(
            {
                "results": [{"op_id": i, "status": s, "reason": r} for i, s, r in merger.results],
                "conflicts": merger.conflicts,
                "ordered": True,  # PushRequest.after is kept
            }
        )
        # After the answer is sent: the planner's statistics, if this push left a table much bigger.
        due = stats.due(engine, merger.written)
        return Response(
            answer,
            media_type="application/json",
            background=BackgroundTask(stats.analyse, engine, due) if due else None,
        )

    @app.get(
        "/v1/pull",
        response_model=PullResponse,
        responses=ERRORS | {410: {"model": ErrorBody, "description": "Cursor too old: start again from none"}},
        tags=["sync"],
    )
    async def pull(
        authorization: Annotated[str, Depends(bearer)],
        cursor: str = "",
        limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 1000,
        tables: Annotated[str | None, Query(max_length=5000)] = None,
        fresh: bool = False,
    ) -> Response:
        """Records changed since `cursor` that this user may see, oldest first.
        `tables` (comma-separated): only records of these tables, the ones the
        client knows. `fresh`: the laptop holds nothing from this server yet (a
        new profile), so at this device's first pull it is not told of rows
        withdrawn before then, which it never held. The last page carries the
        LA's policy."""
        # The device is known in the thread that pulls: one hand-off to a thread, not two.
        return await run_in_threadpool(_pull, authorization, cursor, limit, tables, fresh)

    def _pull(authorization: str, cursor: str, limit: int, tables: str | None, fresh: bool) -> Response:
        refused = None
        # The device is read in the pull's own transaction: one connection and one
        # transaction a pull, not two; its last-seen time is written once that is done.
        with db.reading(engine) as conn:
            who = auth.authenticate(conn, authorization)
            entities = _tables(tables)
            at = feed.position(conn)
            held_from, first_pull = who.device.first_pull_seq, None
            if held_from is None:
                # Its first pull: a laptop that says it holds nothing from this server holds only
                # what it is sent from now on; any other (logged in again, another user before,
                # a back-fill of a new table) may hold anything, and is told every withdrawal.
                held_from = first_pull = at[0] if fresh and not cursor else 0
            try:
                answer = feed.pull_json(
                    conn, who.user, cursor, limit, entities, lambda: policy.current(conn), held_from=held_from, at=at
                )
            except feed.CursorGone as gone:
                refused = HTTPException(410, GONE, headers={GONE_HEADER: gone.reason})
            except feed.BadCursor as exc:
                refused = HTTPException(400, str(exc))
        # Kept whatever the answer: a cursor refused at a first pull still says the device's
        # profile may hold anything (its next pull, from nothing, must not say otherwise).
        seen(who, first_pull)
        if refused is not None:
            raise refused
        return Response(answer, media_type="application/json")

    @app.post("/v1/audit", response_model=AuditPushResponse, responses=ERRORS, tags=["audit"])
    def audit_push(body: AuditPush, who: Who) -> Response:
        """Keep this device's audit rows (append-only; a row already held changes nothing)."""
        try:
            with db.writing(engine) as conn:
                return _json(audit.receive(conn, who, body))
        except audit.NotYourTrail as exc:
            raise HTTPException(403, str(exc)) from None

    @app.get(
        "/v1/audit",
        response_model=list[AuditEntry],
        responses=ERRORS | {403: {"model": ErrorBody, "description": "Only LA leads read the audit trail"}},
        tags=["audit"],
    )
    def audit_list(
        who: Who,
        user: str | None = None,
        pupil: str | None = None,
        since: Annotated[date | None, Query(alias="from")] = None,
        until: Annotated[date | None, Query(alias="to")] = None,
        limit: Annotated[int, Query(ge=1, le=audit.MAX_LIST)] = 1000,
    ) -> list[AuditEntry]:
        """Audit rows from every device, newest first, between two days when given: LA leads only."""
        if who.user.role != "la-lead":
            raise HTTPException(403, "Only LA leads can read the audit trail.")
        if "\x00" in (user or "") + (pupil or ""):
            raise HTTPException(400, "user and pupil: names and ids, without a NUL character.")
        with db.reading(engine) as conn:
            return audit.list_rows(conn, user=user, pupil=pupil, since=since, until=until, limit=limit)

    from . import overview  # the bridge to the desktop's report code, loaded with the app

    overview.register(app, engine, principal, today)
    return app
