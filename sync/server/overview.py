"""The LA overview for LA leads: the caseload summary's counts as JSON, and
the summary PDF itself.

One set of rules: the counts come from the very code that prints the
caseload summary on a laptop (desktop/services/reporting.py over
desktop/domain/rules.py), run over a replica of the server's records. The
replica is a plain desktop store in a temporary folder, brought up to date
from the change feed before each answer (only what changed since the last
one), so the overview never drifts from what a worker would print.

(No `from __future__ import annotations` here: FastAPI reads the route
functions' annotations, which name local dependencies.)

This module is the one bridge from the server to the desktop's services and
store; the import-linter contracts keep every other server module apart.
"""

import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import Response
from sqlalchemy import Engine

from desktop.reports import render_caseload_summary
from desktop.reports.data import CaseloadSummary
from desktop.services import ValidationError, Waymark
from desktop.services.reporting import caseload_summary
from desktop.store import Store
from desktop.store.sync_port import StoreSyncPort

from . import db, feed
from .auth import Principal
from .tables import User

PAGE = 5000
EVERYONE = User(id=0, name="overview", role="la-lead", password_hash="", created_at=datetime(2000, 1, 1, tzinfo=UTC))


class Replica:
    """Every record the server holds, in a desktop store, current to the feed."""

    def __init__(self, today: Callable[[], date]) -> None:
        self.today = today
        self._lock = threading.RLock()  # refresh() starts afresh (close) inside summary()'s hold
        self._folder: Path | None = None
        self._app: Waymark | None = None

    def _open(self) -> Waymark:
        if self._app is None:
            self._folder = Path(tempfile.mkdtemp(prefix="waymark-overview-"))
            self._app = Waymark(Store.open_plain(self._folder / "replica.db"), today=self.today)
            self._app.update_settings(service_name="Local authority overview")
        return self._app

    def close(self) -> None:
        with self._lock:
            if self._app is not None:
                self._app.close()
                self._app = None
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None

    def refresh(self, engine: Engine) -> Waymark:
        """Pull what changed since the last refresh; start afresh if the feed forgot tombstones."""
        app = self._open()
        port = StoreSyncPort(app.store)
        while True:
            try:
                with db.reading(engine) as conn:
                    page = feed.pull(conn, EVERYONE, port.cursor(), PAGE)
            except feed.CursorGone:
                self.close()
                app = self._open()
                port = StoreSyncPort(app.store)
                continue
            port.apply_page(page.changes, page.cursor)
            if not page.more:
                return app

    def summary(self, engine: Engine) -> CaseloadSummary | None:
        with self._lock:
            app = self.refresh(engine)
            try:
                return caseload_summary(app)
            except ValidationError:  # an empty caseload
                return None


def counts(summary: CaseloadSummary | None, on: date) -> dict[str, Any]:
    if summary is None:
        return {"on": on.isoformat(), "pupils": 0, "by_cohort": {}, "by_provision": {}, "by_hours_band": {},
                "not_banded": 0, "reviews_overdue": [], "folders_out": 0, "folders_overdue": []}  # fmt: skip

    def items(overdue) -> list[dict]:
        return [asdict(i) | {"due": i.due.isoformat() if i.due else None} for i in overdue]

    return {
        "on": summary.on.isoformat(),
        "hours_week_start": summary.hours_week_start.isoformat(),
        "pupils": len(summary.rows),
        "by_cohort": dict(summary.by_cohort),
        "by_provision": dict(summary.by_provision),
        "by_hours_band": dict(summary.by_hours_band),
        "not_banded": summary.not_banded,
        "reviews_overdue": items(summary.reviews_overdue),
        "folders_out": summary.folders_out,
        "folders_overdue": items(summary.folders_overdue),
    }


def register(app: FastAPI, engine: Engine, principal: Callable, today: Callable[[], date]) -> None:
    replica = Replica(today)
    app.state.overview = replica  # closed by the app's lifespan (see app.py)

    def lead(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.user.role != "la-lead":
            raise HTTPException(403, "The LA overview is for LA leads.")
        return who

    @app.get("/v1/overview", tags=["LA overview"])
    def overview(_who: Annotated[Principal, Depends(lead)]) -> dict[str, Any]:
        """The caseload summary's counts: by cohort, provision type and hours band;
        reviews overdue; folders not returned. The same rules as the printed summary."""
        return counts(replica.summary(engine), today())

    @app.get("/v1/overview.pdf", tags=["LA overview"], response_class=Response)
    def overview_pdf(_who: Annotated[Principal, Depends(lead)]) -> Response:
        """The LA caseload summary, as the desktop prints it."""
        summary = replica.summary(engine)
        if summary is None:
            raise HTTPException(404, "The caseload is empty; there is nobody to summarise.")
        return Response(
            render_caseload_summary(summary),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="caseload-summary-{summary.on}.pdf"'},
        )
