"""Request and response bodies. SQLModel without `table=True` is pydantic,
so these validate on both sides and document the API at /docs."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from .clock import parse_stamp
from .values import unkeepable

ENTITY = re.compile(r"[a-z][a-z0-9_]{0,62}")
MAX_OPS = 1000


NUL_REFUSED = "a text holds a NUL character, which the LA's server cannot keep"
UNKEEPABLE_REFUSED = {
    "number": "a number is too large for the LA's server to keep",
    "depth": "a value is nested too deeply for the LA's server to keep",
}


def _no_nul(value: str | None) -> str | None:
    """A text holds no NUL (PostgreSQL's text cannot hold one; no laptop types one)."""
    if value is not None and "\x00" in value:
        raise ValueError(NUL_REFUSED)
    return value


class _NoNul:
    """A model whose values (their keys too) hold nothing the LA's server cannot keep: no NUL in
    any text, no number past 64 bits, no nesting past MAX_DEPTH (values.unkeepable, which reads
    level by level: a body nested a thousand deep is refused, not a recursion error)."""

    @model_validator(mode="before")
    @classmethod
    def _keepable(cls, data: Any) -> Any:
        odd = unkeepable(data)
        if odd == "NUL":
            raise ValueError(NUL_REFUSED)
        if odd:
            raise ValueError(UNKEEPABLE_REFUSED[odd])
        return data


def _valid_stamp(value: str) -> str:
    parse_stamp(value)
    return value


class Op(SQLModel):
    """One change made on a device: the fields of one record it set, all at
    `clock`. `base` holds the clocks the device had last seen for that record's
    fields (from a pull), so the server can tell a concurrent edit from a later one."""

    op_id: str = Field(min_length=1, max_length=64)
    entity: str
    entity_id: str = Field(min_length=1, max_length=64)
    clock: str
    fields: dict[str, Any] = Field(default_factory=dict)
    base: dict[str, str] = Field(default_factory=dict)

    @field_validator("clock")
    @classmethod
    def _clock(cls, value: str) -> str:
        return _valid_stamp(value)

    _ids = field_validator("op_id", "entity_id")(_no_nul)

    @field_validator("entity")
    @classmethod
    def _entity(cls, value: str) -> str:
        if not ENTITY.fullmatch(value):
            raise ValueError("an entity is a lower-case table name")
        return value


class PushRequest(SQLModel):
    ops: list[Op]
    # The last operation of the batch this device sent just before this one, when it sends
    # batches without waiting for each answer: the server applies this batch only after that
    # one (409 if it never arrives). None: no batch before it is still on its way.
    after: str | None = Field(default=None, min_length=1, max_length=64)

    _after = field_validator("after")(_no_nul)

    @field_validator("ops")
    @classmethod
    def _size(cls, value: list[Op]) -> list[Op]:
        if len(value) > MAX_OPS:
            raise ValueError(f"at most {MAX_OPS} operations in one push")
        return value


class OpResult(SQLModel):
    op_id: str
    status: Literal["applied", "duplicate", "refused"]
    reason: str = ""


class PushResponse(SQLModel):
    results: list[OpResult]
    conflicts: int = 0  # conflict records this push raised
    # The server honours `after` (an older one ignores it): the client may then send its next
    # batch before this answer arrives.
    ordered: bool = False


class Change(SQLModel):
    """A record as the server holds it now: every field with the clock of its
    last write. In `clocks`, "*" is the clock of every field not named (see
    clock.compress and clock.expand)."""

    entity: str
    entity_id: str
    fields: dict[str, Any]
    clocks: dict[str, str]
    deleted: bool = False
    seq: int


class PullResponse(SQLModel):
    changes: list[Change]
    cursor: str  # opaque; send it back to get what came after
    more: bool  # another page is waiting
    # Pupils who left this user's scope (another worker's now, another school's, a
    # narrower role): the device removes their records, sending no deletes.
    left: list[str] = Field(default_factory=list)
    # The user's role now: a laptop whose user's role narrowed drops what the new
    # one is not served (sync/protocol/serving.py).
    role: str = ""
    # The LA's policy (settings a worker cannot override), on the last page of a
    # pull; None from a server that has none to send. Older clients ignore it.
    policy: dict[str, Any] | None = None


class AuditRow(_NoNul, SQLModel):
    """One row of a device's audit trail, as the desktop chained it (sync.protocol.chain)."""

    id: str = Field(min_length=1, max_length=64)
    seq: int = Field(ge=1)
    at: str = Field(max_length=40)
    actor: str = Field(default="", max_length=2000)
    action: str = Field(max_length=40)
    entity: str = Field(default="", max_length=63)
    entity_id: str = Field(default="", max_length=64)
    summary: str = Field(default="", max_length=100_000)
    pupil_ids: list[str] = Field(default_factory=list)
    changes: dict[str, Any] = Field(default_factory=dict)
    salt: str = Field(default="", max_length=64)
    content_hash: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    redacted: bool = False


class AuditPush(SQLModel):
    """Audit rows of one trail (a desktop profile), oldest first. Append-only:
    a row the server holds already is acknowledged again and changes nothing,
    but for a row since blanked by an erasure, whose content is blanked there too."""

    trail: str = Field(min_length=1, max_length=64)
    rows: list[AuditRow]

    _trail = field_validator("trail")(_no_nul)

    @field_validator("rows")
    @classmethod
    def _size(cls, value: list[AuditRow]) -> list[AuditRow]:
        if len(value) > MAX_OPS:
            raise ValueError(f"at most {MAX_OPS} audit rows in one push")
        return value


class AuditPushResponse(SQLModel):
    held: list[str]  # ids of the rows the server now holds (new or already held): mark them sent
    breaks: list[str] = Field(default_factory=list)  # where the chain does not continue, in words


class AuditEntry(AuditRow):
    """An audit row as an LA lead reads it: with who sent it, and any break found on arrival."""

    trail: str
    user: str
    device_id: str
    received_at: str
    chain_break: str = ""


class LoginRequest(SQLModel):
    user: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    device_name: str = Field(default="", max_length=200)

    # Each on its own (a check of the whole body would echo the password in its answer).
    _texts = field_validator("user", "device_name")(_no_nul)


class LoginResponse(SQLModel):
    device_id: str
    token: str
    user: str
    role: str


class WhoAmI(SQLModel):
    user: str
    role: str
    school_urn: str = ""
    team: str = ""
    device_id: str
    device_name: str
    protocol: int
    server_time: str


class DeviceInfo(SQLModel):
    id: str
    user: str
    name: str
    created_at: str
    last_seen: str | None
    revoked: bool


class ErrorBody(SQLModel):
    detail: str
