"""`Waymark`, assembled from its per-noun parts: each file of this package holds one."""

from __future__ import annotations

from ..drafts import DraftServices
from ..statutory import StatutoryRecords
from .caseload import CaseloadServices
from .folders import FolderServices
from .plans import PlanServices
from .profile import ProfileServices
from .pupils import PupilServices
from .records import RecordServices
from .visits import VisitServices


class Waymark(
    ProfileServices,
    PupilServices,
    VisitServices,
    FolderServices,
    PlanServices,
    CaseloadServices,
    RecordServices,
    StatutoryRecords,
    DraftServices,
):
    """The services over one open profile (drafts of forms: services/drafts.py; exclusions,
    planned travel and the school calendar: services/statutory.py)."""
