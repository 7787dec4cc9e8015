"""The protocol version. Every request carries it in PROTOCOL_HEADER; a server
answers 426 to a client older than MIN_CLIENT_VERSION."""

PROTOCOL_VERSION = 1
MIN_CLIENT_VERSION = 1
PROTOCOL_HEADER = "Waymark-Protocol"
