"""The server's address checked (no plain http:// beyond this machine), and the httpx
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
