"""Push and pull over HTTP (httpx), against the store's port.

A sync pushes the outbox in batches (each acknowledged operation leaves the
outbox only after the server's answer arrives) and then pulls pages until
the server has no more, each page applied with its cursor in one local
transaction. Any step may fail (a dropped connection, a crash): running the
sync again resumes it, and nothing is lost or applied twice.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from sync.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    LoginRequest,
    LoginResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    WhoAmI,
)

from .port import SyncPort

Progress = Callable[[str, int], None]  # (stage, records so far)


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


class InsecureServer(SyncError):
    """A plain http:// address that is not this machine."""


@dataclass
class SyncResult:
    pushed: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # op id -> reason
    pulled: int = 0
    conflicts: int = 0  # unresolved conflict records received
    snapshot: bool = False  # the server sent a fresh snapshot (410)
    round_trips: int = 0

    def to_json(self) -> dict:
        return {
            "pushed": self.pushed,
            "refused": len(self.refused),
            "refusals": sorted(set(self.refused.values())),
            "pulled": self.pulled,
            "conflicts": self.conflicts,
            "snapshot": self.snapshot,
            "round_trips": self.round_trips,
        }


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


def _http(base_url: str, transport: httpx.BaseTransport | None, timeout: float, token: str = "") -> httpx.Client:
    headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=base_url, transport=transport, timeout=timeout, headers=headers)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return detail if isinstance(detail, str) else f"The server answered {response.status_code}."


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
            return LoginResponse.model_validate(_check(response).json())
    except httpx.TransportError as exc:
        raise Offline(f"Could not reach {base_url}: {exc}") from exc


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
    ) -> None:
        self.port = port
        self.base_url = check_url(base_url, insecure=insecure)
        self.push_batch, self.page_size = push_batch, page_size
        self._http = _http(self.base_url, transport, timeout, token)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, path: str, result: SyncResult | None = None, **kwargs) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Offline(f"The connection to the server was lost ({type(exc).__name__}). Nothing was lost.") from exc
        if result is not None:
            result.round_trips += 1
        return response

    def whoami(self) -> WhoAmI:
        return WhoAmI.model_validate(_check(self._send("GET", "/v1/me")).json())

    def logout(self) -> None:
        _check(self._send("POST", "/v1/logout"))

    def sync(self, progress: Progress | None = None) -> SyncResult:
        """Push everything unsent, then pull everything new."""
        result = SyncResult()
        self.push(result, progress)
        self.pull(result, progress)
        return result

    def push(self, result: SyncResult | None = None, progress: Progress | None = None) -> SyncResult:
        result = result or SyncResult()
        while True:
            ops = self.port.pending(self.push_batch)
            if not ops:
                return result
            body = PushRequest(ops=ops).model_dump_json()
            response = _check(
                self._send("POST", "/v1/push", result, content=body, headers={"Content-Type": "application/json"})
            )
            answer = PushResponse.model_validate_json(response.content)
            by_id = {r.op_id: r for r in answer.results}
            if any(op.op_id not in by_id for op in ops):
                raise ServerError("The server did not answer for every change sent; they stay queued.")
            refused = {r.op_id: r.reason for r in answer.results if r.status == "refused" or r.reason}
            done = [op.op_id for op in ops if op.op_id not in refused]
            self.port.acknowledge(done)
            if refused:
                self.port.reject(refused)
                result.refused.update(refused)
            result.pushed += len(done)
            if progress:
                progress("push", result.pushed)

    def pull(self, result: SyncResult | None = None, progress: Progress | None = None) -> SyncResult:
        result = result or SyncResult()
        cursor = self.port.cursor()
        while True:
            response = self._send("GET", "/v1/pull", result, params={"cursor": cursor or "", "limit": self.page_size})
            if response.status_code == 410 and not result.snapshot:
                # Too far behind: a fresh snapshot, applied over what we hold; the outbox stays and goes next time.
                self.port.forget_cursor()
                cursor, result.snapshot = None, True
                continue
            page = PullResponse.model_validate_json(_check(response).content)
            self.port.apply_page(page.changes, page.cursor)
            cursor = page.cursor
            result.pulled += len(page.changes)
            result.conflicts += sum(
                1
                for c in page.changes
                if c.entity == "sync_conflict" and not c.fields.get("resolved") and not c.deleted
            )
            if progress:
                progress("pull", result.pulled)
            if not page.more:
                return result
