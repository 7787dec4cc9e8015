"""Printed reports: reportlab renderers that take plain data (data.py) and
return PDF bytes. They never see a store, a session or Qt; what each copy may
show is the rule in copies.py."""

from .hours import render_hours_statement
from .progress import render_progress_record
from .summary import render_caseload_summary
from .visit import render_visit_report

__all__ = ["render_caseload_summary", "render_hours_statement", "render_progress_record", "render_visit_report"]
