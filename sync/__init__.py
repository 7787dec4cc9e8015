"""Sync: the wire protocol, the desktop's sync engine and the LA server."""
