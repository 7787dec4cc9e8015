"""What a sync that could not finish raises; every message is for the user."""

from __future__ import annotations


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


class OutOfOrder(ServerError):
    """409 to a batch sent before the last one's answer: that one had not arrived. Sent again."""


class Stopped(SyncError):
    """The sync was told to stop (the profile is being locked); what was done is kept."""


class InsecureServer(SyncError):
    """A server address refused before anything is sent: a plain http:// address that is not
    this machine, or one that is not a server address (no host, a port that is not a number,
    a user name or password in it)."""
