"""A pupil's whole record, the needs-attention rules over the caseload, the caseload
list and the LA summary's overview: read in sets, a query per kind for all pupils."""

from __future__ import annotations

from datetime import date, timedelta

from desktop.domain import rules
from desktop.domain.enums import (
    SiteType,
)
from desktop.domain.records import (
    Absence,
    Action,
    Consent,
    Contact,
    Exclusion,
    Plan,
    PlannedTravel,
    ProgressEntry,
    ProvisionEpisode,
    Pupil,
    Review,
    School,
    Site,
    Stay,
)
from desktop.store import queries

from .. import caseload_sets as sets
from ..results import CaseloadRow, PupilOverview, PupilRecord
from .core import Core


class CaseloadServices(Core):
    """Mixed into `Waymark` (api/facade.py); uses the store, clock and write helpers of `Core`."""

    def pupil_record(self, pupil_id: str) -> PupilRecord:
        pupil = self.get_pupil(pupil_id)
        today = self.today()
        settings = self.settings()
        school = self.store.get(School, pupil.base_school_id) if pupil.base_school_id else None
        own_stays = self.store.find(Stay, pupil_id=pupil_id, order_by=["arrived"])
        sites = {s.id: s for s in self.store.find(Site, id=sorted({s.site_id for s in own_stays}))}
        stays = [(s, sites[s.site_id]) for s in own_stays]
        episodes = self.store.find(ProvisionEpisode, pupil_id=pupil_id, order_by=["start"])
        visits = queries.visits_for_pupil(self.store, pupil_id)
        folders = self.list_folders(pupil_id)
        plans = self.store.find(Plan, pupil_id=pupil_id, order_by=["start"])
        actions = self.store.find(Action, pupil_id=pupil_id, order_by=["due"])
        absences = self.store.find(Absence, pupil_id=pupil_id, order_by=["start"])
        exclusions = self.store.find(Exclusion, pupil_id=pupil_id, order_by=["start"])
        travel = self.store.find(PlannedTravel, pupil_id=pupil_id, order_by=["leaves"])
        calendar = self.school_calendar()
        attention = rules.needs_attention(
            pupil=pupil,
            today=today,
            calendar=calendar,
            episodes=episodes,
            visits=visits,
            folders=folders,
            plans=plans,
            actions=actions,
            absences=absences,
            exclusions=exclusions,
            hospital_stays=[stay for stay, site in stays if site.site_type is SiteType.HOSPITAL_WARD],
            travel=travel,
            thresholds=settings.thresholds,
        )
        weeks: list[rules.WeekHours] = []
        if episodes:
            first = max(min(e.start for e in episodes), today - timedelta(weeks=26))
            # To the end of this week, so its planned hours and target are the whole week's.
            this_sunday = rules.week_start(today) + timedelta(days=6)
            weeks = rules.weekly_hours(
                pupil_id, episodes, visits, first, this_sunday, settings.thresholds, calendar=calendar
            )
        return PupilRecord(
            pupil=pupil,
            school=school,
            nc_year=rules.pupil_nc_year(pupil, today),
            nc_year_by_age=rules.nc_year(pupil.dob, today),
            exclusions=exclusions,
            travel=travel,
            cohort=rules.cohort(pupil, episodes, today),
            contacts=self.store.find(Contact, pupil_id=pupil_id),
            stays=stays,
            episodes=episodes,
            visits=visits,
            folders=folders,
            progress=self.store.find(ProgressEntry, pupil_id=pupil_id, order_by=["assessed_on", "subject"]),
            plans=plans,
            actions=actions,
            consents=self.store.find(Consent, pupil_id=pupil_id),
            absences=absences,
            appointments=self.list_appointments(today, pupil_id=pupil_id),
            attention=attention,
            weeks=weeks,
            concern_count=self.concern_count(pupil_id),
            reviews=self.store.find(Review, plan_id=[p.id for p in plans], order_by=["-held_on"]) if plans else [],
            address_withheld=not pupil.suppress_address and self.address_households().withholds(pupil),
        )

    def attention(
        self,
        pupil_id: str | None = None,
        *,
        pupils: list[Pupil] | None = None,
        episodes_by_pupil: dict[str, list[ProvisionEpisode]] | None = None,
    ) -> dict[str, list[rules.Attention]]:
        """The needs-attention list, by pupil; pupils with nothing are left out.
        `episodes_by_pupil`: the episodes already read (the caseload has them)."""
        if pupils is None:
            pupils = [self.get_pupil(pupil_id)] if pupil_id else self.list_pupils()
        return self._judge(pupils, self._attention_inputs(pupils, pupil_id, episodes_by_pupil))

    def _attention_inputs(
        self,
        pupils: list[Pupil],
        pupil_id: str | None = None,
        episodes_by_pupil: dict[str, list[ProvisionEpisode]] | None = None,
    ) -> dict[str, dict[str, list]]:
        """What the attention rules read, by kind and then by pupil: a query per kind
        for all the pupils (not a record each), each pupil's in the order their
        record lists them, so the list and the record judge alike. The hours of
        the last complete week come under "last_week_hours"."""
        today = self.today()
        wanted = {p.id for p in pupils}

        def read(kind: sets.Kind) -> dict[str, list]:
            rows = self.store.find(kind.record, pupil_id=pupil_id) if pupil_id else self.store.find(kind.record)
            return sets.by_pupil(rows, kind, wanted)

        # The hours rule reads only the last complete week's hours: added up in SQL,
        # by pupil, rather than loading a fortnight of sessions (at an LA, 20,000).
        monday = sets.last_week(today)
        last_week = queries.hours_delivered(self.store, monday, monday + timedelta(days=6))
        inputs = {
            kind: episodes_by_pupil if kind == "episodes" and episodes_by_pupil is not None else read(k)
            for kind, k in sets.KINDS.items()
        }
        return inputs | {"hospital_stays": self._hospital_stays(today, wanted), "last_week_hours": last_week}

    def _judge(self, pupils: list[Pupil], inputs: dict[str, dict[str, list]]) -> dict[str, list[rules.Attention]]:
        records = {kind: by_pupil for kind, by_pupil in inputs.items() if kind != "last_week_hours"}
        return sets.judge(
            pupils,
            records,
            inputs["last_week_hours"],
            today=self.today(),
            thresholds=self.settings().thresholds,
            calendar=self.school_calendar(),
        )

    def _hospital_stays(self, today: date, wanted: set[str]) -> dict[str, list[Stay]]:
        """Each pupil's stays at a hospital ward that have not ended before today."""
        wards = self.store.find(Site, site_type=SiteType.HOSPITAL_WARD.value)
        if not wards:
            return {}
        stays = self.store.find(
            Stay, site_id=[s.id for s in wards], where=lambda t: t.c.departed.is_(None) | (t.c.departed >= today)
        )
        return sets.hospital_stays(stays, wards, today, wanted)

    def caseload(self) -> list[CaseloadRow]:
        """Every pupil on the caseload with what the list shows and filters on."""
        pupils = self.list_pupils()
        inputs = self._attention_inputs(pupils)
        return self._caseload_rows(pupils, inputs["episodes"], self._judge(pupils, inputs))

    def _caseload_rows(
        self, pupils: list[Pupil], episodes: dict[str, list[ProvisionEpisode]], attention: dict[str, list]
    ) -> list[CaseloadRow]:
        return sets.caseload_rows(
            pupils,
            episodes,
            attention,
            today=self.today(),
            schools={s.id: s for s in self.list_schools()},
            sites={s.id: s for s in self.list_sites()},
            stays=self.current_stays(),
            last_visits=queries.last_visit_dates(self.store),
        )

    def overview(self, hours_week: date | None = None) -> list[PupilOverview]:
        """What the LA summary reads of every pupil on the caseload, in the caseload's
        order: read in sets, a few queries over all pupils rather than a record each
        (at 5,000 pupils a record each took minutes). Hours are those received in
        the week from Monday `hours_week` (by default the last week)."""
        pupils = self.list_pupils()
        inputs = self._attention_inputs(pupils)
        attention = self._judge(pupils, inputs)
        rows = self._caseload_rows(pupils, inputs["episodes"], attention)
        latest = queries.latest_visits(self.store)
        monday = hours_week or sets.last_week(self.today())
        sunday = monday + timedelta(days=6)
        if monday == sets.last_week(self.today()):
            hours = inputs["last_week_hours"]  # added up already, for the hours rule
        else:  # a holiday last week: the summary counts an earlier week
            hours = queries.hours_delivered(self.store, monday, min(sunday, self.today()))
        return sets.overviews(
            pupils,
            rows,
            inputs,
            attention,
            latest_workers={pid: visit.worker for pid, visit in latest.items()},
            hours=hours,
        )
