"""SyncClient: one store synced with one server, as one device, over HTTP (httpx),
against the store's port. Its pushing is pushing.py, its pulling pulling.py.

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

from collections.abc import Callable

import httpx

from sync.protocol import WhoAmI

from .answers import _answer, _check
from .connection import _http, check_url
from .errors import Offline, ServerError, Stopped
from .port import SyncPort
from .pulling import Pulling
from .pushing import Pushing
from .result import Progress, SyncResult


class SyncClient(Pushing, Pulling):
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
