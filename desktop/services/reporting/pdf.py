"""A report's PDF and title, written to the audit trail when it carries personal data."""

from __future__ import annotations

from datetime import date, timedelta

from desktop.domain.privacy import initials
from desktop.reports import render_caseload_summary, render_hours_statement, render_progress_record, render_visit_report
from desktop.reports.data import CaseloadSummary, PupilDetails

from .. import checks
from ..errors import ValidationError
from .hours import hours_statement
from .progress import progress_record
from .source import Progress, ReportSource
from .summary import caseload_summary
from .visit import visit_report

DEFAULT_PERIOD = timedelta(weeks=13)  # about a term, when the UI asks without dates


REPORT_KINDS = ("visit", "progress", "hours", "summary")


def report_pdf(
    app: ReportSource,
    kind: str,
    record_id: str = "",
    *,
    start: date | None = None,
    end: date | None = None,
    large_print: bool = False,
    progress: Progress | None = None,
    purpose: str = "print",
) -> tuple[bytes, str]:
    """The PDF of a report and its title: what the print preview and the CLI call.
    `record_id` is a visit's id for 'visit', a pupil's for 'progress' and 'hours'.
    A report that carries a UPN, medical needs, an address or professional notes
    is written to the audit trail (`purpose`: print, or export for a file)."""
    end = end or app.today()
    if start is None:  # about a term back; never before the earliest day a report may cover
        start = end - DEFAULT_PERIOD if end > checks.EARLIEST_REPORT_DAY + DEFAULT_PERIOD else end
    # Titles name the pupil by initials only: they show in file managers and print queues.
    if kind == "visit":
        report = visit_report(app, record_id)
        who = ", ".join(initials(p.pupil.name) for p in report.pupils)
        pdf, title = render_visit_report(report, large_print=large_print), f"Visit report {who} {report.day}"
        # The service and school copies carry the UPN and medical needs; the service copy the notes.
        pupil_ids = app.get_visit(record_id).pupil_ids
        notes = [n for p in report.pupils for n in p.visit.notes]
        carried = _carried([p.pupil for p in report.pupils], notes, address=True)
    elif kind == "progress":
        record = progress_record(app, record_id, start, end)
        pdf, title = render_progress_record(record), f"Progress record {initials(record.pupil.name)} {start} to {end}"
        notes = [n for v in record.visits for n in v.notes]
        pupil_ids, carried = [record_id], _carried([record.pupil], notes, address=False)  # the school copy
    elif kind == "hours":
        statement = hours_statement(app, record_id, start, end)
        pdf, title = (
            render_hours_statement(statement),
            f"Hours statement {initials(statement.pupil.name)} {start} to {end}",
        )
        pupil_ids, carried = [record_id], _carried([statement.pupil], (), address=True)
    elif kind == "summary":
        summary = caseload_summary(app, progress)
        pdf, title = render_caseload_summary(summary), f"Caseload summary {app.today()}"
        pupil_ids = [p.id for p in app.list_pupils()]  # every UPN on it is logged against its pupil
        carried = summary_carries(summary)
    else:
        raise ValidationError(f"There is no '{kind}' report; choose one of: {', '.join(REPORT_KINDS)}.")
    if carried:
        with app.store.transaction(app.actor) as tx:
            tx.audit(
                purpose,
                "report",
                record_id,
                audit_summary(kind, carried),
                pupil_ids=list(pupil_ids),
                changes={"report": kind, "carries": carried},
            )
    return pdf, title


def summary_carries(summary: CaseloadSummary) -> list[str]:
    """What personal data of the audited kinds the caseload summary prints: its UPNs (the
    LA server audits its summary PDF by this too, sync/server/overview)."""
    return ["UPN"] if any(r.upn for r in summary.rows) else []


def audit_summary(kind: str, carried: list[str]) -> str:
    """The audit row's words for a report that printed personal data."""
    return f"{kind} report ({', '.join(carried)})"


def _carried(pupils: list[PupilDetails], notes: tuple | list, *, address: bool) -> list[str]:
    """What personal data of the audited kinds a report prints."""
    found = []
    if any(p.upn for p in pupils):
        found.append("UPN")
    if any(p.medical_needs for p in pupils):
        found.append("medical needs")
    if address and any(p.address and not p.address_suppressed for p in pupils):
        found.append("address")
    if any(n.professional for n in notes):
        found.append("professional notes")
    return found
