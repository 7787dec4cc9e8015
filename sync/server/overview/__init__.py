"""The LA overview for LA leads: the caseload summary's counts as JSON, and the
summary PDF itself, worked out from the server's own database at each request.

One set of rules: the records are read from the `records` table into the
desktop's domain records (records.py, with the visits' hours summed in SQL),
and judged and counted by the very code that prints the caseload summary on a
laptop (desktop/services/caseload_sets.py, desktop/services/reporting/summary.py
over desktop/domain/rules). No copy of a record is kept, on disk or in memory,
between requests; concerns and notes are never read.

A file per part: records.py (rows to records, the SQL over visits), source.py
(`ServerSource`, what the summary reads), counts.py (the JSON), routes.py (the
endpoints). This package is the one bridge from the server to the desktop's
services and reports; the import-linter contracts keep every other server
module apart.
"""

from .counts import counts
from .routes import Overview, register
from .source import ServerSource

__all__ = ["Overview", "ServerSource", "counts", "register"]
