"""The protocol version. Every request carries it in PROTOCOL_HEADER; a server
answers 426 to a client older than MIN_CLIENT_VERSION."""

PROTOCOL_VERSION = 1
MIN_CLIENT_VERSION = 1
PROTOCOL_HEADER = "Waymark-Protocol"

# Why a pull was answered 410 (start again from a fresh snapshot), in this header: tombstones
# forgotten since the cursor, or the user's scope changed (a laptop may then remove what the
# snapshot does not bring); or a cursor from beyond the feed, a server restored from a backup
# that may lack what laptops sent since (a laptop must then remove nothing).
GONE_HEADER = "Waymark-Gone"
GONE_PRUNED, GONE_SCOPE, GONE_RESTORED = "pruned", "scope", "restored"
