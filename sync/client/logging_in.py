"""Logging in: this device registered with the server, for a token of its own."""

from __future__ import annotations

import httpx
import pydantic

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
    body = _request(user, password, device_name)
    try:
        with _http(base_url, transport, timeout) as http:
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


# What each of LoginRequest's fields is called in a refusal.
_NAMES = {"user": "The user name", "password": "The password", "device_name": "This laptop's name"}


def _request(user: str, password: str, device_name: str) -> LoginRequest:
    """The login's body, checked here before anything is sent: a value the protocol does not
    take (too long, a NUL) is one plain sentence naming the field. Never pydantic's report:
    it quotes the value, and for the password that is the password."""
    try:
        return LoginRequest(user=user, password=password, device_name=device_name)
    except pydantic.ValidationError as exc:
        error = exc.errors(include_input=False, include_url=False)[0]
    # Raised out here, so that the report (the password in it) is not kept as its context.
    name = _NAMES.get(str(error["loc"][0]) if error["loc"] else "", "A value given")
    limit = (error.get("ctx") or {}).get("max_length")
    if error["type"] == "string_too_long" and limit:
        raise SyncError(f"{name} is too long: at most {limit:,} characters.")
    if error["type"] == "string_too_short":
        raise SyncError(f"{name} is empty.")
    # A NUL (the protocol's texts cannot hold one), or a check added since.
    raise SyncError(f"{name} holds a character that cannot be sent; type it again.")
