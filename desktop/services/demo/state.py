"""What every step of the demo reads and adds to, kept on one `Demo`."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from desktop.domain import rules
from desktop.domain.records import Pupil, School, Site, WorkPack

from .places import SECONDARY

if TYPE_CHECKING:
    from ..api import Waymark


class Demo:
    """The profile being filled, the clock and one random generator: the steps draw from
    it in the same order every time, so the demo is the same profile every time."""

    def __init__(self, app: Waymark, progress: Callable[[int, int], None] | None = None) -> None:
        self.app = app
        self.progress = progress
        self.rng = random.Random(2026)
        self.today = app.today()
        self.start = self.today - timedelta(weeks=26)
        self.worker = app.settings().worker_name or "Demo Teacher"
        self.steps = 0
        self.counts = {"pupils": 0, "visits": 0}
        self.schools: list[School] = []
        self.sites: list[Site] = []
        self.packs: list[WorkPack] = []
        self.families: list[tuple[list[Pupil], Site]] = []
        self.home_pupils: list[Pupil] = []
        self.ill: Pupil | None = None

    def tick(self) -> None:
        self.steps += 1
        if self.progress:
            self.progress(self.steps, 40)

    @property
    def primaries(self) -> list[School]:
        return [s for s in self.schools if s.urn not in SECONDARY]

    @property
    def secondaries(self) -> list[School]:
        return [s for s in self.schools if s.urn in SECONDARY]

    def school_for(self, dob: date, primary: School, secondary: School) -> School:
        return primary if rules.nc_year(dob, self.today) <= 6 else secondary

    @property
    def traveller_kids(self) -> list[Pupil]:
        return [k for kids, _ in self.families for k in kids]
