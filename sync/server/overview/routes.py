"""The endpoints: `/v1/overview` (the counts) and `/v1/overview.pdf` (the printed
summary), for LA leads only.

(No `from __future__ import annotations` here: FastAPI reads the route
functions' annotations, which name local dependencies.)
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import Response
from sqlalchemy import Connection, Engine

from desktop.reports import render_caseload_summary
from desktop.reports.data import CaseloadSummary
from desktop.services import ValidationError
from desktop.services.reporting import audit_summary, caseload_summary, summary_carries

from .. import audit, db
from ..auth import Principal
from .counts import counts
from .source import ServerSource


def _one_moment(conn: Connection) -> None:
    """On PostgreSQL, every query of the summary sees the same snapshot (its default,
    READ COMMITTED, gives each statement its own). SQLite's read transaction already does."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


class Overview:
    """The LA overview, worked out from the server's database at each request:
    nothing is copied, cached or written between requests."""

    def __init__(self, engine: Engine, today: Callable[[], date]) -> None:
        self.engine, self.today = engine, today

    def read(self) -> tuple[CaseloadSummary | None, list[str]]:
        """The caseload summary of every record the server holds, and the ids of the pupils
        it lists (what an audit row of it names); None and none for an empty caseload."""
        with db.reading(self.engine) as conn:
            _one_moment(conn)
            source = ServerSource(conn, self.today())
            try:
                return caseload_summary(source), [p.id for p in source.list_pupils()]
            except ValidationError:  # an empty caseload
                return None, []

    def summary(self) -> CaseloadSummary | None:
        return self.read()[0]


def register(app: FastAPI, engine: Engine, principal: Callable, today: Callable[[], date]) -> None:
    overview = Overview(engine, today)

    def lead(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.user.role != "la-lead":
            raise HTTPException(403, "The LA overview is for LA leads.")
        return who

    @app.get("/v1/overview", tags=["LA overview"])
    def overview_counts(_who: Annotated[Principal, Depends(lead)]) -> dict[str, Any]:
        """The caseload summary's counts: by cohort, provision type and hours band;
        reviews overdue; folders not returned. The same rules as the printed summary."""
        return counts(overview.summary(), today())

    @app.get("/v1/overview.pdf", tags=["LA overview"], response_class=Response)
    def overview_pdf(who: Annotated[Principal, Depends(lead)]) -> Response:
        """The LA caseload summary, as the desktop prints it. It carries UPNs, so each
        fetch is written to the server's audit trail (who, when, which pupils), as a
        laptop audits its printed summary; the JSON counts name no UPN and are not."""
        summary, pupil_ids = overview.read()
        if summary is None:
            raise HTTPException(404, "The caseload is empty; there is nobody to summarise.")
        pdf = render_caseload_summary(summary)
        if carried := summary_carries(summary):  # written before the PDF goes: no audit, no PDF
            with db.writing(engine) as conn:
                audit.record(
                    conn,
                    who,
                    action="export",
                    entity="report",
                    summary=audit_summary("summary", carried),
                    pupil_ids=pupil_ids,
                    changes={"report": "summary", "carries": carried},
                )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="caseload-summary-{summary.on}.pdf"'},
        )
