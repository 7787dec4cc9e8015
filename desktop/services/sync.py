"""Sync with the LA server, for the CLI and the app: log in, sync, conflicts.

The device's token lives in the encrypted store (a setting), never in a
plain file. Errors are told in words a teacher can act on, and always say
that unsent changes stay on the laptop.
"""

from __future__ import annotations

import copy
import dataclasses
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from desktop.domain.records import SyncConflict
from desktop.store import StoreClosed
from desktop.store.mapping import RECORDS_BY_TABLE
from desktop.store.subjects import record_subject
from desktop.store.sync_port import StoreSyncPort
from sync.client import (
    AccessRevoked,
    ClientTooOld,
    InsecureServer,
    Offline,
    Stopped,
    SyncClient,
    SyncError,
    SyncResult,
    check_url,
    login,
)
from sync.protocol import stamp_device

from . import la_policy as policies
from .errors import NotFound, ValidationError
from .role_limits import limits_for
from .sync_runs import SyncStopped

__all__ = [
    "AccessRevoked",
    "ClientTooOld",
    "ConflictTopic",
    "Offline",
    "SyncAccount",
    "SyncError",
    "SyncResult",
    "SyncService",
    "SyncStopped",
    "plain_words",
]

ACCOUNT = "sync_account"
PULLED_FROM = "sync_pulled_from"  # "server|user" the cursor was given by
# A record's kind in words, for the conflicts list ("Lily Smith — visit on 20 Nov 2026: work covered").
RECORD_WORDS = {
    "pupil": "details",
    "contact": "parent or carer",
    "site": "site",
    "stay": "stay",
    "provision_episode": "provision",
    "visit": "visit",
    "visit_entry": "visit",
    "visit_note": "visit note",
    "concern": "concern",
    "work_pack": "work pack",
    "folder": "folder",
    "folder_item": "folder item",
    "progress_entry": "progress",
    "plan": "plan",
    "review": "plan review",
    "action": "action",
    "consent": "consent",
    "absence": "absence",
    "appointment": "appointment",
    "exclusion": "exclusion",
    "planned_travel": "planned travel",
    "calendar_entry": "term dates",
    "school": "school",
}
KEEP_CHOICES = ("mine", "theirs")
REFUSED = "The server refused some changes (File → Changes not sent…):"


@dataclass(frozen=True)
class SyncAccount:
    server: str
    user: str
    role: str
    device_id: str
    insecure: bool = False

    def to_json(self) -> dict:
        return {"server": self.server, "user": self.user, "role": self.role, "device_id": self.device_id}


@dataclass(frozen=True)
class ConflictTopic:
    """What a conflict is about, in words: 'Lily Smith', 'visit on 20 Nov 2026', 'work covered'."""

    pupils: str  # the children's names, or '' for a record about no child (a site)
    record: str
    field: str
    kind: str = "edit"

    @property
    def title(self) -> str:
        """'Lily Smith — details: medical needs'."""
        what = f"{self.record}: {self.field}"
        return f"{self.pupils} — {what}" if self.pupils else what[0].upper() + what[1:]


def _identity(account: dict | None) -> str:
    return f"{account['server']}|{account['user']}" if account and account.get("server") else ""


def not_yours(owner: str) -> str:
    """Why a profile holding `owner`'s records will not log in as anyone else. The name
    typed is not repeated: it may hold anything (a line break would split the CLI's one line)."""
    owner = " ".join(owner.split())
    return (
        f"This profile holds {owner}'s records, so it cannot log in as another user. Use a new "
        f"profile for them (start Waymark with --data-dir and an empty folder); {owner}'s records "
        "and unsent changes stay here."
    )


def plain_words(exc: SyncError) -> str:
    """What the status bar and the CLI say about a failed sync."""
    if isinstance(exc, Offline):
        return "Could not reach the LA server (no connection?). Your changes are kept and will be sent later."
    if isinstance(exc, (AccessRevoked, ClientTooOld, InsecureServer)):
        return str(exc)
    return f"{exc} Your changes are kept and will be sent later."


class SyncService:
    """Sync for one open profile (a Waymark)."""

    client_options: dict | None = None  # SyncClient's batch and page sizes (tests: small pages)

    def __init__(self, app, transport=None) -> None:
        self.app = app
        self.store = app.store
        self.port = StoreSyncPort(app.store)
        self.transport = transport  # tests hand in an in-process server

    # --- the account ----------------------------------------------------------------

    def account(self) -> SyncAccount | None:
        saved = self.store.get_setting(ACCOUNT)
        if not saved or not saved.get("token"):
            return None
        return SyncAccount(
            saved["server"], saved["user"], saved["role"], saved["device_id"], saved.get("insecure", False)
        )

    def login(
        self, server: str, user: str, password: str, *, device_name: str = "", insecure: bool = False
    ) -> SyncAccount:
        if not user.strip() or not password:
            raise ValidationError("Give the user name and password your LA gave you.")
        # A profile belongs to the user it synced as: another user would see (and send, in
        # their name) what the server never gave them. Refused before the server is asked,
        # so no device is registered and nothing here changes. Names compare exactly, as
        # the server's do (users.name, sync/server/auth.py): "Ann" is not "ann".
        owner = self.synced_as()
        if owner is not None and owner != user.strip() and self.port.holds_anything():
            raise ValidationError(not_yours(owner))
        try:
            answer = login(
                server,
                user.strip(),
                password,
                device_name or socket.gethostname(),
                insecure=insecure,
                transport=self.transport,
            )
        except SyncError as exc:
            raise ValidationError(str(exc)) from None
        saved = {
            "server": check_url(server, insecure=insecure),  # as login sent it ("|" percent-encoded)
            "user": answer.user,
            "role": answer.role,
            "device_id": answer.device_id,
            "token": answer.token,
            "insecure": insecure,
        }
        # A cursor belongs to the server and user that gave it: another one's feed starts
        # from the beginning, or its records below the old cursor would never come.
        identity = f"{saved['server']}|{saved['user']}"
        before = self.store.get_setting(PULLED_FROM) or _identity(self.store.get_setting(ACCOUNT))
        if before and before != identity:
            self.port.forget_cursor()
        self.store.set_setting(PULLED_FROM, identity)
        self.store.set_setting(ACCOUNT, saved)
        self.store.set_setting("sync_server", saved["server"])  # what the status bar shows (Waymark.sync_status)
        self.store.set_setting("last_sync_error", None)
        return self.account()

    def synced_as(self) -> str | None:
        """The user this profile last logged in as, kept after logout; None before any login."""
        identity = self.store.get_setting(PULLED_FROM) or _identity(self.store.get_setting(ACCOUNT))
        # "server|user": a URL holds no "|" (RFC 3986 has it percent-encoded), a user name may.
        return (identity or "").partition("|")[2] or None

    def share_everything(self) -> int:
        """Send every record on this laptop at the next sync (the demo's first login to its
        own server: the demo's caseload was never a change to send). How many are queued."""
        return self.port.share_everything()

    def logout(self) -> None:
        """Revoke this device's token on the server (when reachable) and forget it here.
        Records and unsent changes stay on the laptop."""
        saved = self.store.get_setting(ACCOUNT)
        if not saved:
            raise ValidationError("This profile is not logged in to a server.")
        try:
            with self._client(saved) as client:
                client.logout()
        except SyncError:
            pass  # offline or already revoked: forgetting the token here is what matters
        if not self.store.get_setting(PULLED_FROM):  # logged in before it was kept: who it was stays known
            self.store.set_setting(PULLED_FROM, _identity(saved) or None)
        self.store.set_setting(ACCOUNT, None)
        self.store.set_setting("sync_server", None)

    def _client(self, saved: dict, stop=None) -> SyncClient:
        return SyncClient(
            self.port,
            saved["server"],
            saved["token"],
            insecure=saved.get("insecure", False),
            transport=self.transport,
            should_stop=stop.is_set if stop is not None else None,
            **(self.client_options or {}),
        )

    # --- syncing --------------------------------------------------------------------

    def sync(self, progress: Callable[[str, int], None] | None = None) -> SyncResult:
        """Push, then pull. Records the outcome for the status bar; raises SyncError
        (with plain words) when it could not finish, and SyncStopped, having written
        nothing more, when the profile locks during it (sync_runs.py)."""
        runs = self.app.sync_runs
        with runs.running() as stop:
            try:
                return self._sync(progress, stop)
            except SyncStopped:
                raise
            except (Stopped, StoreClosed) as exc:
                raise SyncStopped() from exc
            except Exception as exc:
                if stop.is_set() or self.store.closed:  # the store closed under it: a lock, not a failure
                    raise SyncStopped() from exc
                raise

    def _sync(self, progress: Callable[[str, int], None] | None, stop) -> SyncResult:
        saved = self.store.get_setting(ACCOUNT)
        if not saved or not saved.get("token"):
            raise ValidationError("Log in to your LA's server first: waymark login --server URL --user NAME.")
        try:
            with self._client(saved, stop) as client:
                result = client.sync(progress)
        except Stopped:
            raise
        except SyncError as exc:
            words = plain_words(exc)
            self.store.set_setting("last_sync_error", words)
            raise type(exc)(words) from exc
        if result.policy is not None:  # None: a server older than LA policies
            policies.from_server(self.app, result.policy)
        self.store.set_setting("last_sync", datetime.now(UTC).isoformat(timespec="seconds"))
        role = self.store.get_setting("sync_role")  # the role the server now says (StoreSyncPort.serve_as)
        if role and role != saved.get("role"):
            self.store.set_setting(ACCOUNT, saved | {"role": role})
        refusals = sorted(set(result.refused.values()))
        problem = f"{REFUSED} {refusals[0]}" if refusals else None
        if not problem and result.audit_error:
            problem = f"The audit trail could not be sent ({result.audit_error}); it is kept and sent later."
        self.store.set_setting("last_sync_error", problem)
        return result

    def not_sent(self) -> list[dict]:
        """Changes the server refused, or that could not go because their record left
        this laptop: each with its values (the words typed are never lost) and why."""
        rows = []
        for kept in self.port.rejected():
            fields = kept["fields"]
            values = fields if isinstance(fields, dict) else dict.fromkeys(fields or [], "")
            names, _day, own = record_subject(self.store, kept["entity"], kept["entity_id"])
            record = RECORD_WORDS.get(kept["entity"], kept["entity"].replace("_", " "))
            about = f"{', '.join(names)} — {record}" if names else f"{record} {own}".strip()
            change = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in values.items() if v not in (None, "", []))
            rows.append(
                {
                    "op_id": kept["op_id"],
                    "entity": kept["entity"],
                    "entity_id": kept["entity_id"],
                    "at": kept["at"],
                    "about": about,
                    "pupils": ", ".join(names),
                    "record": record,
                    "values": values,
                    "change": change or ", ".join(k.replace("_", " ") for k in values),
                    "reason": kept["reason"],
                }
            )
        return rows

    def discard_not_sent(self, op_id: str) -> None:
        """Give up one change the server refused: its words are gone from the laptop."""
        if not self.port.discard_rejected(op_id):
            raise NotFound("That change is no longer in the list of changes not sent.")
        error = self.store.get_setting("last_sync_error") or ""
        if error.startswith(REFUSED) and not self.port.rejected_count():
            self.store.set_setting("last_sync_error", None)  # nothing left to point at

    # --- conflicts ------------------------------------------------------------------

    def conflicts(self, include_resolved: bool = False) -> list[SyncConflict]:
        equals = {} if include_resolved else {"resolved": False}
        return self.store.find(SyncConflict, order_by=["raised_at"], **equals)

    def about(self, conflict: SyncConflict) -> ConflictTopic:
        """Which child (or record) the conflict is about, and what, in words."""
        names, day, own = record_subject(self.store, conflict.entity, conflict.entity_id)
        record = RECORD_WORDS.get(conflict.entity, conflict.entity.replace("_", " "))
        if day is not None:
            record += f" on {day.day} {day:%b %Y}"
        if own:
            record += f" {own}"
        return ConflictTopic(
            pupils=", ".join(names), record=record, field=conflict.field.replace("_", " "), kind=conflict.kind
        )

    def mine_and_theirs(self, conflict: SyncConflict) -> tuple[str, str]:
        """This laptop's words and the other version. The server kept one version
        (kept_value); the other lost. Mine is the one written on this laptop (a
        change stamp ends with its device), else the one written by this user."""
        if conflict.kind == "deleted":
            return conflict.other_value, ""
        here = self.store.device
        if stamp_device(conflict.other_clock) == here != stamp_device(conflict.kept_clock):
            return conflict.other_value, conflict.kept_value
        if stamp_device(conflict.kept_clock) == here:
            return conflict.kept_value, conflict.other_value
        me = (self.account() or SyncAccount("", "", "", "")).user
        if conflict.other_by == me and conflict.kept_by != me:
            return conflict.other_value, conflict.kept_value
        return conflict.kept_value, conflict.other_value

    def resolve(self, conflict_id: str, keep: str) -> SyncConflict:
        """Keep `mine`, `theirs`, or the given text (a merge of both) in the record, and close the conflict."""
        conflict = self.store.get(SyncConflict, conflict_id)
        if conflict is None:
            raise NotFound(f"No conflict with id '{conflict_id}'.")
        opened = copy.deepcopy(conflict)  # a pull may touch it before the write: only our two fields go
        if conflict.resolved:
            raise ValidationError("That conflict is already resolved.")
        cls = RECORDS_BY_TABLE.get(conflict.entity)
        if cls is None:
            raise ValidationError(f"This version of Waymark cannot change {conflict.entity} records.")
        mine, theirs = self.mine_and_theirs(conflict)
        choice = keep.strip()
        if choice.lower() in KEEP_CHOICES:  # "Mine" is a choice, not the merged text
            choice = choice.lower()
        if not choice:
            raise ValidationError("Say which to keep: mine, theirs, or the merged text.")
        text = {"mine": mine, "theirs": theirs}.get(choice, choice)
        dropping = conflict.kind == "deleted" and choice == "theirs"  # the delete stands
        if conflict.kind == "deleted" and not dropping and limits_for(self.app.sync_role()).limited:
            # The LA's server lets a school bring back only what its school recorded, and this
            # laptop cannot tell whose the record was: the worker who removed it decides.
            raise ValidationError(
                "A school cannot bring back a record the pupil's worker removed: keep theirs, and ask the "
                "worker to restore it if it is still needed (copy the words from here first)."
            )
        if not dropping and conflict.field not in {f.name for f in dataclasses.fields(cls)}:
            # A newer version's field, which this laptop does not hold: it cannot write either
            # version into it, nor tell which one the server's copy holds now. Left open (both
            # texts kept in the conflict) for a newer Waymark, here or on another laptop.
            raise ValidationError(
                f"This version of Waymark does not hold the field this conflict is about ({conflict.field[:60]}), "
                "so it cannot keep either version in it. Update Waymark to resolve it; both versions are kept "
                "until then."
            )
        with self.store.transaction(self.app.actor) as tx:
            if not dropping:  # keep the words: a record deleted since (here or elsewhere) comes back with them
                tx.restore(cls, conflict.entity_id, summary="kept after a conflict")
            record = self.store.get(cls, conflict.entity_id, conn=tx.conn)
            if record is None and not dropping:
                raise ValidationError(
                    "The record this conflict is about is no longer on this laptop, so its words "
                    "cannot be kept in it. Copy them from here if you need them."
                )
            if record is not None and not dropping and getattr(record, conflict.field) != text:
                setattr(record, conflict.field, text)
                tx.update(record, summary=f"{conflict.field} chosen after a conflict")
            conflict.resolved = True
            conflict.resolution = choice if choice in KEEP_CHOICES else "merged"
            tx.update(conflict, summary="conflict resolved", opened=opened)
        return conflict
