"""What looks back over the profile or leaves it: sync status, printed reports, the
audit trail and the UK GDPR duties (audit_trail.py, subject_access.py, erasure.py)."""

from __future__ import annotations

from datetime import date

from desktop.domain.enums import (
    Visibility,
)
from desktop.domain.records import (
    Visit,
    VisitNote,
)
from desktop.store import queries

from ..results import Changes, SyncStatus
from .core import Core


class RecordServices(Core):
    """Mixed into `Waymark` (api/facade.py); uses the store, clock and write helpers of `Core`."""

    def sync_role(self) -> str:
        """This laptop's user's role on the LA's server ('' when not connected): a school
        is not sent some records (sync/protocol/serving.py), so the app does not offer them."""
        account = self.store.get_setting("sync_account") or {}
        return str(account.get("role") or "") if account.get("token") else ""

    def sync_status(self) -> SyncStatus:
        from desktop.store.sync_port import StoreSyncPort  # SQLAlchemy: not for `waymark settings`

        return SyncStatus(
            unsent=queries.outbox_count(self.store),
            last_sync=self.store.get_setting("last_sync"),
            last_error=self.store.get_setting("last_sync_error"),
            server=self.store.get_setting("sync_server") or "",
            role=self.sync_role(),
            not_sent=StoreSyncPort(self.store).rejected_count(),
        )

    # --- printed reports ----------------------------------------------------------------------

    def report_pdf(self, kind: str, record_id: str = "", **options: object) -> tuple[bytes, str]:
        """A printed report's PDF bytes and title: kind is visit (a visit's id), progress or
        hours (a pupil's id, with optional start and end) or summary. See services/reporting/."""
        from .. import reporting  # reportlab loads when something is first printed, not at start-up

        return reporting.report_pdf(self, kind, record_id, **options)

    def family_notes(self, visit: Visit) -> list[VisitNote]:
        return visit.notes_for(Visibility.FAMILY)

    # --- the audit trail and UK GDPR duties (audit_trail.py, subject_access.py, erasure.py) ---

    def audit_trail(
        self,
        pupil_id: str | None = None,
        start: date | None = None,
        end: date | None = None,
        limit: int | None = None,
    ) -> list:
        """Audit entries newest first (services/audit_trail.AuditEntry)."""
        from .. import audit_trail

        return audit_trail.entries(self, pupil_id=pupil_id, start=start, end=end, limit=limit)

    def verify_audit(self) -> object:
        """Walk the hash chain; the result names every row where it is broken."""
        from .. import audit_trail

        return audit_trail.verify(self)

    def subject_access(self, pupil_id: str, include_restricted: bool = False) -> object:
        """JSON and PDF of everything held about a pupil (subject_access.SubjectAccessCopy); audited."""
        from .. import subject_access

        return subject_access.make_copy(self, pupil_id, include_restricted=include_restricted)

    def erase_pupil(self, pupil_id: str, reason: str) -> Changes:
        from .. import erasure

        return erasure.erase(self, pupil_id, reason)

    def retention_review(self) -> list:
        from .. import erasure

        return erasure.review(self)

    def apply_retention(self, *, confirmed: bool) -> dict[str, list[str]]:
        from .. import erasure

        return erasure.apply(self, confirmed=confirmed)
