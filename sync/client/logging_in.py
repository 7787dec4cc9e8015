"""Logging in: this device registered with the server, for a token of its own."""

from __future__ import annotations

import httpx

from sync.protocol import LoginRequest, LoginResponse

from .answers import _answer, _check, _detail
from .connection import _http, check_url
from .errors import Offline, ServerError, SyncError


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
            return _answer(LoginResponse, _check(response))
    except httpx.TransportError as exc:
        raise Offline(f"Could not reach {base_url}: {exc}") from exc
    except httpx.HTTPError as exc:  # an answer httpx cannot read
        raise ServerError(f"The server's answer could not be read ({type(exc).__name__}).") from exc
