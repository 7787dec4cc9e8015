"""The endpoints: `/v1/overview` (the counts) and `/v1/overview.pdf` (the printed
summary), for LA leads only.

(No `from __future__ import annotations` here: FastAPI reads the route
functions' annotations, which name local dependencies.)
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
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

log = logging.getLogger(__name__)


def _one_moment(conn: Connection) -> None:
    """On PostgreSQL, every query of the summary sees the same snapshot (its default,
    READ COMMITTED, gives each statement its own). SQLite's read transaction already does."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


@dataclass(frozen=True)
class Reading:
    summary: CaseloadSummary | None
    pupil_ids: list[str]  # the pupils the summary lists (what an audit row of it names)
    left_out: int  # records that could not be read, so counted nowhere


class Overview:
    """The LA overview, worked out from the server's database at each request:
    nothing is copied, cached or written between requests."""

    def __init__(self, engine: Engine, today: Callable[[], date]) -> None:
        self.engine, self.today = engine, today

    def read(self) -> Reading:
        """The caseload summary of every record the server holds (None for an empty
        caseload), the pupils it lists, and the records it had to leave out (logged)."""
        with db.reading(self.engine) as conn:
            _one_moment(conn)
            source = ServerSource(conn, self.today())
            try:
                summary = caseload_summary(source)
            except ValidationError:  # an empty caseload
                summary = None
            pupil_ids = [p.id for p in source.list_pupils()] if summary else []
        if source.left_out:  # one line, no traceback: what was left out and the first reasons
            (table, record_id), why = next(iter(source.left_out.items()))
            log.warning(
                "LA overview: left out %d record(s) it cannot read, e.g. %s %s (%s)",
                len(source.left_out),
                table,
                record_id,
                why,
            )
        return Reading(summary, pupil_ids, len(source.left_out))


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
        reading = overview.read()
        return counts(reading.summary, today(), reading.left_out)

    @app.get("/v1/overview.pdf", tags=["LA overview"], response_class=Response)
    def overview_pdf(who: Annotated[Principal, Depends(lead)]) -> Response:
        """The LA caseload summary, as the desktop prints it. It carries UPNs, so each
        fetch is written to the server's audit trail (who, when, which pupils), as a
        laptop audits its printed summary; the JSON counts name no UPN and are not."""
        reading = overview.read()
        summary, pupil_ids = reading.summary, reading.pupil_ids
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
