"""The sync wire protocol, shared by the desktop client and the LA server.

Typed request and response models (SQLModel classes without tables, so plain
pydantic models) and the protocol version. Generic over record shapes: an
operation names an entity (a table), a record id and the fields it changed,
so it carries any record the desktop holds, today's and tomorrow's.
Nothing here imports anything of ours.

The models load on first use (PEP 562): the desktop store imports the change
stamps (clock.py) on every start, and should not pay for pydantic then.
"""

from .clock import Stamp, clamp, format_stamp, parse_stamp, stamp_device, successor
from .pulled import Pulled
from .version import (
    GONE_HEADER,
    GONE_PRUNED,
    GONE_RESTORED,
    GONE_SCOPE,
    MIN_CLIENT_VERSION,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
)

MODELS = (
    "AuditEntry",
    "AuditPush",
    "AuditPushResponse",
    "AuditRow",
    "Change",
    "DeviceInfo",
    "ErrorBody",
    "LoginRequest",
    "LoginResponse",
    "Op",
    "OpResult",
    "PullResponse",
    "PushRequest",
    "PushResponse",
    "WhoAmI",
)


def __getattr__(name: str):
    if name in MODELS:
        from . import models

        return getattr(models, name)
    raise AttributeError(f"module 'sync.protocol' has no attribute {name!r}")


__all__ = [
    "MIN_CLIENT_VERSION",
    "GONE_HEADER",
    "GONE_PRUNED",
    "GONE_RESTORED",
    "GONE_SCOPE",
    "PROTOCOL_HEADER",
    "PROTOCOL_VERSION",
    *MODELS,
    "Pulled",
    "Stamp",
    "clamp",
    "format_stamp",
    "parse_stamp",
    "stamp_device",
    "successor",
]
