"""Report data from the services: each function reads through `Waymark` and
returns the plain values desktop/reports draws.

`Waymark.report_pdf` calls this package, so it does not import `Waymark` back:
it names what it reads as `ReportSource`, which `Waymark` provides.

Safeguarding concerns are never read here, so no report can print one. What
each copy of a visit report may show is decided later, in reports/copies.py.

A file per part: source.py (ReportSource, SummarySource), details.py (what every report shares), a
file per report (visit, progress, hours, summary) and pdf.py (`report_pdf`).
"""

from .details import pupil_details, service_details, visit_details
from .hours import hours_statement
from .pdf import DEFAULT_PERIOD, REPORT_KINDS, audit_summary, report_pdf, summary_carries
from .progress import progress_record, subject_progress
from .source import Progress, ReportSource, SummarySource
from .summary import HOURS_BANDS, caseload_summary, summarise
from .visit import visit_report

__all__ = [
    "DEFAULT_PERIOD",
    "HOURS_BANDS",
    "REPORT_KINDS",
    "Progress",
    "ReportSource",
    "SummarySource",
    "audit_summary",
    "caseload_summary",
    "hours_statement",
    "progress_record",
    "pupil_details",
    "report_pdf",
    "service_details",
    "subject_progress",
    "summarise",
    "summary_carries",
    "visit_details",
    "visit_report",
]
