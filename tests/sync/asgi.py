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
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None
