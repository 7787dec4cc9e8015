"""The pupil record: one child's record, a tab a topic, a file a tab.

`view.py` holds the `PupilView` container (loading), with `layout.py` (header, tabs)
and `commands.py` (the forms it opens, printing) mixed in; each
tab's content and forms live beside it: `profile.py` (and the consent form),
`stays.py`, `provision.py` (episodes and absences) and `charts.py`, `visits.py`,
`progress.py`, `plans.py`, `concerns.py`; `reports.py` chooses a printed report's period. `data.py`
fetches what the record shows in one background call; `html.py` and `colours.py`
are shared by the tabs.
"""

from .charts import HoursChart
from .colours import GAP_BACKGROUND
from .concerns import ConcernDialog, ConcernsPanel
from .data import RECORD_ENTITIES, RecordView, load_record
from .plans import ActionDialog, PlanDialog, ReviewDialog
from .profile import ConsentDialog
from .progress import ProgressDialog, ProgressGrid
from .provision import AbsenceDialog, EpisodeDialog
from .reports import ReportPeriodDialog
from .view import PupilView

__all__ = [
    "GAP_BACKGROUND",
    "RECORD_ENTITIES",
    "AbsenceDialog",
    "ActionDialog",
    "ConcernDialog",
    "ConcernsPanel",
    "ConsentDialog",
    "EpisodeDialog",
    "HoursChart",
    "PlanDialog",
    "ProgressDialog",
    "ProgressGrid",
    "PupilView",
    "RecordView",
    "ReportPeriodDialog",
    "ReviewDialog",
    "load_record",
]
