"""A transport between a device and the in-process server that rewrites the server's
answers to one path: a faulty or hostile server, a proxy, a captive portal."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx


class Rewriting(httpx.BaseTransport):
    """Passes every request on; the next `times` 200 answers to `path` go through `rewrite`
    (the answer's JSON and the request), whose result is sent back as JSON."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        path: str,
        rewrite: Callable[[dict, httpx.Request], object],
        times: int = 1,
    ) -> None:
        self.inner, self.path, self.rewrite, self.times = inner, path, rewrite, times
        self.asked = 0  # answers to `path`, rewritten or not

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path != self.path or response.status_code != 200:
            return response
        self.asked += 1
        if self.asked > 200:  # a client that would go on for ever is stopped here
            raise AssertionError(f"asked {self.path} 200 times")
        if not self.times:
            return response
        self.times -= 1
        answer = self.rewrite(json.loads(response.read()), request)
        return httpx.Response(200, json=answer)

    def close(self) -> None:
        pass
