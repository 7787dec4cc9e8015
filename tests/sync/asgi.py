"""A synchronous httpx transport that runs an ASGI app in-process.

httpx's own ASGITransport is async only; the sync client the desktop uses
needs a sync transport. This one runs the app on an event loop in a helper
thread (an anyio blocking portal), as the server would run it under uvicorn.
Fault-injecting subclasses wrap `handle_request`.
"""

from __future__ import annotations

import httpx
from anyio.from_thread import start_blocking_portal


class InProcess(httpx.BaseTransport):
    def __init__(self, app) -> None:
        self._portal_cm = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        self._inner = httpx.ASGITransport(app)
        self.requests = 0  # round trips, for tests that count them

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        body = request.read()

        async def call() -> httpx.Response:
            forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._inner.handle_async_request(forwarded)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self._portal.call(call)

    def close(self) -> None:
        """httpx closes a client's transport with the client; this one is shared, so it stays up."""

    def shutdown(self) -> None:
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None


class Faulty(httpx.BaseTransport):
    """One device's connection to a shared in-process server, which can be made
    to drop: before the request reaches the server, or after the server has
    done the work but before the answer arrives."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent = 0  # requests that reached the server
        self._plan: dict[int, str] = {}  # request number (from 1) -> "request" | "response"
        self._count = 0
        self.offline = False

    def drop(self, nth: int, where: str) -> None:
        """Drop the nth request from now: where is 'request' or 'response'."""
        assert where in ("request", "response")
        self._plan = {self._count + nth: where}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._count += 1
        where = self._plan.pop(self._count, None)
        if self.offline or where == "request":
            raise httpx.ConnectError("connection refused (test)", request=request)
        response = self.inner.handle_request(request)
        self.sent += 1
        if where == "response":
            raise httpx.ReadError("connection reset (test)", request=request)
        return response

    def close(self) -> None:
        pass
