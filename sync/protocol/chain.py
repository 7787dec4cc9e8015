"""The audit trail's hash chain, shared by the desktop (which writes the trail)
and the LA server (which checks that what it receives continues what it holds).

Each row holds the hash of the row before it: SHA-256 over the previous hash
and a canonical encoding (sorted-key compact JSON, UTF-8) of the row's own
fields. What a row *says* enters the chain only through `content_hash`, a
salted digest of it, so an erasure can blank the content without breaking
the chain (desktop/store/audit.py says more). Nothing here imports anything of ours.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime

FORMAT = 1
GENESIS = "0" * 64


def canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def at_text(value: datetime | str) -> str:
    """One spelling of a time whether it comes from SQLAlchemy, the raw driver or the wire."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.isoformat(sep=" ", timespec="microseconds")


def json_value(value: object, empty: object) -> object:
    if value is None or value == "":
        return empty
    return json.loads(value) if isinstance(value, str) else value


def content_hash(salt: str, summary: str, changes: Mapping) -> str:
    return sha(canonical({"salt": salt, "summary": summary, "changes": changes}))


def row_hash(row: Mapping, prev_hash: str) -> str:
    body = {
        "v": FORMAT,
        "seq": row["seq"],
        "id": row["id"],
        "at": at_text(row["at"]),
        "actor": row["actor"],
        "action": row["action"],
        "entity": row["entity"],
        "entity_id": row["entity_id"],
        "pupil_ids": list(json_value(row["pupil_ids"], [])),
        "content_hash": row["content_hash"],
    }
    return sha(prev_hash.encode("ascii") + b"\n" + canonical(body))
