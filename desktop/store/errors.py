"""What the store tells a user, each in one clear line."""

from __future__ import annotations


class StoreError(Exception):
    """Anything the user must be told about opening a store, in one clear line."""


class StoreClosed(StoreError):
    """The profile was locked or closed: nothing may read or write it any more. Work still
    running when it closed (a background sync) gets this instead of a new connection."""

    def __init__(self, message: str = "The profile is locked: unlock it to go on; nothing was changed.") -> None:
        super().__init__(message)


class WrongPassphrase(StoreError):
    def __init__(self, message: str = "Wrong passphrase: the profile was not unlocked.") -> None:
        super().__init__(message)


class NotAStore(StoreError):
    """The files are damaged or are not a Waymark store; they are left untouched."""


class KeyFileDamaged(NotAStore):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "The key file is damaged or is not a Waymark key file"
            + (f" ({detail})" if detail else "")
            + ": the profile cannot be unlocked. Restore it from a backup (waymark restore); nothing was changed."
        )
