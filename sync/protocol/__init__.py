"""The sync wire protocol, shared by the desktop client and the LA server.

Typed request and response models (SQLModel classes without tables, so plain
pydantic models) and the protocol version. Generic over record shapes: an
operation names an entity (a table), a record id and the fields it changed,
so it carries any record the desktop holds, today's and tomorrow's.
Nothing here imports anything of ours.
"""

from .clock import Stamp, clamp, format_stamp, parse_stamp, stamp_device, successor
from .models import (
    Change,
    DeviceInfo,
    ErrorBody,
    LoginRequest,
    LoginResponse,
    Op,
    OpResult,
    PullResponse,
    PushRequest,
    PushResponse,
    WhoAmI,
)
from .version import MIN_CLIENT_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION

__all__ = [
    "MIN_CLIENT_VERSION",
    "PROTOCOL_HEADER",
    "PROTOCOL_VERSION",
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
    "Stamp",
    "WhoAmI",
    "clamp",
    "format_stamp",
    "parse_stamp",
    "stamp_device",
    "successor",
]
