"""The status bar's words for a sync: how long until the next try, and what a
finished sync came to. British English, as every message the user reads."""

from __future__ import annotations

from .worker import Outcome

NOT_CONNECTED = "This laptop is not connected to a server: File → Connect to the LA server… first."


def wait_words(ms: int) -> str:
    minutes = round(ms / 60_000)
    if ms < 60_000:
        return f"{ms // 1000} seconds"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def retry_words(outcome: Outcome, wait: int) -> str:
    """A sync that failed and will be tried again in `wait` ms."""
    lead = "Offline" if outcome.offline else "Sync did not finish"
    return f"{lead}: trying again in {wait_words(wait)}. Your changes are kept."


def synced_words(outcome: Outcome) -> str:
    """A sync that finished: what came of it, and where to look if something needs the user."""
    words = "Synced"
    if outcome.conflicts:
        words += (
            f": {outcome.conflicts} conflict{'s' if outcome.conflicts != 1 else ''} to look at (File → Sync conflicts)"
        )
    if outcome.left:
        words += (
            f". {outcome.left} pupil{'s are' if outcome.left != 1 else ' is'} no longer yours on the LA's "
            "server and left this laptop"
        )
    elif outcome.narrowed:
        words += ". Your role on the LA's server changed: records it does not hold left this laptop"
    if outcome.refused:
        words += (
            f". The server refused {outcome.refused} change{'s' if outcome.refused != 1 else ''}: "
            "see File → Changes not sent…"
        )
    return words
