"""Pulling: pages since the cursor, each applied with its cursor in one local
transaction; a 410's fresh snapshot; and the back-fill of tables an older version
of this client did not know."""

from __future__ import annotations

from sync.protocol import GONE_HEADER, GONE_PRUNED, GONE_RESTORED, GONE_SCOPE
from sync.protocol.serving import CONFLICT

from .answers import _check, _Page, _pull_page
from .errors import ServerError
from .port import SyncPort
from .result import Progress, SyncResult

SWEEPS = frozenset({GONE_PRUNED, GONE_SCOPE})  # 410s after which a snapshot may remove what it does not bring


class Pulling:
    """Mixed into SyncClient (client.py), whose _send and _check_stop it uses."""

    port: SyncPort
    page_size: int

    def _known(self) -> list[str] | None:
        """The tables this client can hold (None: a port that does not say)."""
        known = getattr(self.port, "known_tables", None)
        return sorted(known()) if known else None

    def backfill(self, known: list[str], result: SyncResult, progress: Progress | None = None) -> None:
        """Fetch, from the start, the records of tables this client knows now but
        did not when its cursor was given (an upgrade): the pull skipped them then.
        Kept apart from the main cursor, resumable, and like any pull it never
        overwrites an unsent change."""
        if self.port.cursor() is None:
            return  # the pull starts from nothing and brings every known table
        covered = self.port.cursor_tables()
        if covered is None:
            return  # synced before clients said which tables they knew: nothing known was skipped
        wanted = sorted(set(known) - set(covered))
        going = self.port.backfill_state()
        if going and set(going[0]) == set(wanted):
            cursor = going[1]
        else:
            cursor = ""
        if not wanted:
            return
        restarted = False
        while True:
            self._check_stop()
            params = {"cursor": cursor, "limit": self.page_size, "tables": ",".join(wanted)}
            response = self._send("GET", "/v1/pull", result, params=params)
            if response.status_code == 410 and response.headers.get(GONE_HEADER) == GONE_RESTORED:
                # A server put back from a backup: not a page of it applied here as an ordinary pull
                # (its older copies would write over what this laptop sent since). The main pull
                # meets the same 410 and takes the restore's snapshot, which brings every table.
                return
            if response.status_code == 410 and not restarted:
                cursor, restarted = "", True
                continue
            page = _pull_page(_check(response))
            _moves_on(page, cursor)
            self.port.apply_backfill(page.changes, wanted, page.cursor, done=not page.more)
            cursor = page.cursor
            result.backfilled += len(page.changes)
            if progress:
                progress("pull", result.pulled + result.backfilled)
            if not page.more:
                return

    def pull(self, result: SyncResult | None = None, progress: Progress | None = None) -> SyncResult:
        result = result or SyncResult()
        known = self._known()
        if known is not None:
            self.backfill(known, result, progress)
        cursor = self.port.cursor()
        holds_nothing = getattr(self.port, "holds_nothing", None)
        fresh = cursor is None and holds_nothing is not None and holds_nothing()
        while True:
            self._check_stop()
            params = {"cursor": cursor or "", "limit": self.page_size}
            if known is not None:
                params["tables"] = ",".join(known)
            if fresh and not cursor:  # a new profile: not told of what was withdrawn before it (server's pull)
                params["fresh"] = "true"
            response = self._send("GET", "/v1/pull", result, params=params)
            if response.status_code == 410 and not result.snapshot:
                # Too far behind: a fresh snapshot, applied over what we hold; the outbox stays and goes
                # next time. When the server says the cursor is gone because tombstones were forgotten
                # or the user's scope changed, a port that can notes what it holds, so what the
                # snapshot does not bring goes. Never for a server restored from a backup (or one
                # that does not say): it may lack what this laptop sent since, its only copy here.
                why = response.headers.get(GONE_HEADER)
                begin = getattr(self.port, "begin_snapshot", None)
                if begin is not None and why in SWEEPS:
                    begin()
                elif begin is not None and why == GONE_RESTORED:
                    begin(restored=True)  # nothing removed or written over; what the server lacks goes again
                else:
                    self.port.forget_cursor()
                cursor, result.snapshot = None, True
                continue
            page = _pull_page(_check(response))
            _moves_on(page, cursor or "")
            extra: dict = {} if known is None else {"tables": known}
            if page.left:  # pupils no longer this user's: removed with the page, no deletes sent
                extra["left"] = page.left
            self.port.apply_page(page.changes, page.cursor, **extra)
            result.left += len(page.left)
            serve_as = getattr(self.port, "serve_as", None)  # a port that holds records by role
            if page.role and serve_as is not None:
                result.narrowed = serve_as(page.role) or result.narrowed
            cursor = page.cursor
            result.pulled += len(page.changes)
            result.conflicts += sum(
                1 for c in page.changes if c.entity == CONFLICT and not c.fields.get("resolved") and not c.deleted
            )
            if progress:
                progress("pull", result.pulled)
            if not page.more:
                complete = getattr(self.port, "snapshot_complete", None)
                if complete is not None:
                    complete()
                result.policy = page.policy
                return result


def _moves_on(page: _Page, cursor: str) -> None:
    """A page that says more is waiting yet gives back the cursor it was asked from would be
    asked for again for ever (a faulty server, or a proxy answering every pull with one page):
    the server's own pages always move it on (its next cursor is the page's last record)."""
    if page.more and page.cursor == cursor:
        raise ServerError(
            "The server's answers do not move on: it keeps saying more is waiting but sends the same "
            "page again. Ask whoever runs the LA server to check it."
        )
