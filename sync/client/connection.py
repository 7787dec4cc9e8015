"""The server's address checked (one httpx can read, no name or password in it, no plain
http:// beyond this machine), and the httpx
client every request goes on: the protocol's version header, the token, one TLS context."""

from __future__ import annotations

import functools
import ipaddress
import ssl
from urllib.parse import urlsplit

import httpx

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION

from .errors import InsecureServer


def check_url(url: str, *, insecure: bool = False) -> str:
    """The server's address, checked before anything goes to it: one httpx can parse, with
    a number for its port, no user name or password in it, and no plain http:// except to
    this machine (or with insecure=True). Every refusal is one plain sentence."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed [ of an IPv6 address
        parts = None
    if "@" in (parts.netloc if parts else text):
        # httpx would send the name and password as Basic auth in place of the device's
        # token on every request, and the address (password and all) would be kept and
        # shown as the server's. Not echoed: it holds a password.
        raise InsecureServer(
            "The server's address holds a user name or password (the part before '@'). Give the "
            "address without it, as in https://waymark.example.gov.uk, and your user name on its own."
        )
    not_an_address = InsecureServer(f"'{text}' is not a server address; it looks like https://waymark.example.gov.uk")
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise not_an_address
    try:
        parts.port  # noqa: B018 - reading it checks it: a number from 0 to 65535
    except ValueError:
        raise InsecureServer(
            f"'{text}' is not a server address: the part after the last ':' must be a port number, "
            "as in https://waymark.example.gov.uk:8443"
        ) from None
    if any(c.isspace() or not c.isprintable() for c in parts.netloc) or not _parses(text):
        raise not_an_address
    if parts.scheme == "http" and not insecure and not _loopback(parts.hostname):
        raise InsecureServer(
            f"{text} is not encrypted (http://). Use the server's https:// address, or --insecure on a trusted network."
        )
    # "|" percent-encoded, as RFC 3986 has it (the same address to the server): the profile keeps
    # "server|user" as who it synced as (desktop/services/sync.py), split at the first "|".
    return text.rstrip("/").replace("|", "%7C")


def _parses(text: str) -> bool:
    """Whether httpx takes the address (its InvalidURL is neither a ValueError nor an
    HTTPError, and would reach the user as an unexpected error)."""
    try:
        return bool(httpx.URL(text).host)
    except (httpx.InvalidURL, ValueError):  # ValueError: a host IDNA refuses
        return False


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for the process: making one reads the certificate bundle, about
    50 ms of CPU, which every push paid for its client of batches sent ahead."""
    return httpx.create_ssl_context()


def _http(base_url: str, transport: httpx.BaseTransport | None, timeout: float, token: str = "") -> httpx.Client:
    headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=base_url, transport=transport, timeout=timeout, headers=headers, verify=_tls())
