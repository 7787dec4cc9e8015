"""Schools, pupils, their contacts, the sites they stay at and their provision."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from datetime import date, timedelta

from desktop.domain import rules
from desktop.domain.collation import pupil_key
from desktop.domain.enums import (
    ETHNICITY,
    ProvisionType,
)
from desktop.domain.privacy import Households
from desktop.domain.records import (
    Absence,
    Contact,
    ProvisionEpisode,
    Pupil,
    School,
    Site,
    Stay,
)
from desktop.domain.upn import UpnError, validate_upn
from desktop.store import queries

from .. import caseload_sets, checks
from ..errors import NotFound, ValidationError
from ..results import Changes
from .core import Core, _require

# The DfE allows a part-time timetable only with the parent's agreement (002:8249-8257).
PART_TIME_CONSENT = (
    "A part-time timetable needs the parent's or carer's consent: record that they have agreed, then save it."
)


class PupilServices(Core):
    """Mixed into `Waymark` (api/facade.py); uses the store, clock and write helpers of `Core`."""

    def add_school(self, school: School) -> Changes:
        school.urn = _require(school.urn, "The school's URN")
        if not school.urn.isdigit() or len(school.urn) != 6:
            raise ValidationError(f"A URN is 6 digits; '{school.urn}' is not.")
        if not (school.la_code.isdigit() and len(school.la_code) == 3):
            raise ValidationError(f"The LA code is 3 digits; '{school.la_code}' is not.")
        if not (school.estab.isdigit() and len(school.estab) == 4):
            raise ValidationError(f"The establishment number is 4 digits; '{school.estab}' is not.")
        school.name = _require(school.name, "The school's name")
        if self.store.find(School, urn=school.urn):
            raise ValidationError(f"A school with URN {school.urn} is already recorded.")
        return self._insert(school, school.name)

    def list_schools(self) -> list[School]:
        return self.store.find(School, order_by=["name"])

    def get_school(self, school_id: str) -> School:
        return self._get(School, school_id, "school")

    def school_by_urn(self, urn: str) -> School:
        found = self.store.find(School, urn=urn.strip())
        if not found:
            raise NotFound(f"No school with URN {urn} is recorded; add it with 'waymark school add'.")
        return found[0]

    # --- pupils --------------------------------------------------------------

    def _validate_pupil(self, pupil: Pupil) -> None:
        pupil.forename = _require(pupil.forename, "The pupil's forename")
        pupil.surname = _require(pupil.surname, "The pupil's surname")
        if not isinstance(pupil.dob, date):
            raise ValidationError("The pupil's date of birth is required.")
        if pupil.dob > self.today():
            raise ValidationError("The date of birth is in the future.")
        if pupil.dob < self.today() - timedelta(days=365 * 26):
            raise ValidationError("The date of birth is more than 25 years ago; check it.")
        if pupil.upn:
            try:
                pupil.upn = validate_upn(pupil.upn)
            except UpnError as exc:
                raise ValidationError(str(exc)) from None
        if pupil.ethnicity and pupil.ethnicity.upper() not in ETHNICITY:
            raise ValidationError(f"'{pupil.ethnicity}' is not a DfE ethnicity code (e.g. WROM, WIRT, WBRI).")
        pupil.ethnicity = pupil.ethnicity.upper()
        if pupil.base_school_id and self.store.get(School, pupil.base_school_id) is None:
            raise NotFound(f"No school with id '{pupil.base_school_id}'.")
        if pupil.nc_year_offset is not None:
            if not -3 <= pupil.nc_year_offset <= 3:
                raise ValidationError("A pupil is taught at most three years above or below their year by age.")
            if not -2 <= rules.pupil_nc_year(pupil, self.today()) <= 14:
                raise ValidationError("An NC year is between -2 (nursery) and 14.")
            pupil.nc_year_offset = pupil.nc_year_offset or None

    def add_pupil(self, pupil: Pupil) -> Changes:
        self._validate_pupil(pupil)
        if pupil.upn:
            clash = self.store.find(Pupil, upn=pupil.upn)
            if clash:
                raise ValidationError(f"UPN {pupil.upn} already belongs to {clash[0].legal_name}.")
        return self._insert(pupil, pupil.legal_name)

    def nc_year_offset(self, dob: date, taught_in: int | None) -> int | None:
        """The offset that places a pupil born on `dob` in NC year `taught_in` today
        (None: the year by age). Stored as an offset, so the pupil moves up each year."""
        if taught_in is None:
            return None
        if not -2 <= taught_in <= 14:
            raise ValidationError("An NC year is between -2 (nursery) and 14.")
        return (taught_in - rules.nc_year(dob, self.today())) or None

    def edit_pupil(self, pupil_id: str, *, opened: Mapping[str, object] | None = None, **values: object) -> Changes:
        """Change a pupil's details. `opened`: the values a form showed when it opened, named
        as `values` are; then only the fields changed from those are written, so a change
        pulled (or made elsewhere) while the form was open is kept, not written back over."""
        pupil = self.get_pupil(pupil_id)
        values = self._pupil_values(pupil, values)
        if opened is None:
            updated = dataclasses.replace(pupil, **values)
            self._validate_pupil(updated)
            return self._update(updated)
        was = self._pupil_values(pupil, dict(opened), opened=True)
        mine = {name: value for name, value in values.items() if name not in was or was[name] != value}
        updated = dataclasses.replace(pupil, **mine)
        self._validate_pupil(updated)
        return self._update(updated, opened=dataclasses.replace(pupil, **was))

    def _pupil_values(self, pupil: Pupil, values: dict[str, object], *, opened: bool = False) -> dict[str, object]:
        if "nc_year" in values:  # the year taught in now, kept as an offset from the year by age
            taught_in = values.pop("nc_year")
            try:
                values["nc_year_offset"] = self.nc_year_offset(values.get("dob", pupil.dob), taught_in)
            except ValidationError:
                if not opened:
                    raise
                values["nc_year_offset"] = pupil.nc_year_offset  # what a form opened with is not checked
        unknown = set(values) - {f.name for f in dataclasses.fields(Pupil)} | ({"id"} & set(values))
        if unknown:
            raise ValidationError(f"Pupils have no field {', '.join(sorted(unknown))}.")
        return values

    def get_pupil(self, pupil_id: str) -> Pupil:
        return self._get(Pupil, pupil_id, "pupil")

    def has_pupil(self, pupil_id: str) -> bool:
        """Whether the pupil is on this laptop (one who left the user's scope is not)."""
        return bool(pupil_id) and self.store.get(Pupil, pupil_id) is not None

    def list_pupils(self, include_archived: bool = False) -> list[Pupil]:
        equals = {} if include_archived else {"archived": False}
        return sorted(self.store.find(Pupil, **equals), key=pupil_key)

    def address_households(self) -> Households:
        """Addresses no report may print: any that a pupil with a suppressed address shares."""
        return Households.of(self.store.find(Pupil, suppress_address=True))

    def nc_year(self, pupil: Pupil) -> int:
        return rules.pupil_nc_year(pupil, self.today())

    # --- contacts, sites and stays ---------------------------------------------

    def add_contact(self, contact: Contact) -> Changes:
        self.get_pupil(contact.pupil_id)
        contact.name = _require(contact.name, "The contact's name")
        return self._insert(contact, contact.name)

    def add_site(self, site: Site) -> Changes:
        site.name = _require(site.name, "The site's name")
        return self._insert(site, site.name)

    def list_sites(self) -> list[Site]:
        return self.store.find(Site, order_by=["name"])

    def get_site(self, site_id: str) -> Site:
        return self._get(Site, site_id, "site")

    def record_stay(self, stay: Stay) -> Changes:
        self.get_pupil(stay.pupil_id)
        self.get_site(stay.site_id)
        if stay.departed and stay.departed < stay.arrived:
            raise ValidationError("A stay cannot end before it starts.")
        return self._insert(stay)

    def record_departure(self, stay_id: str, departed: date) -> Changes:
        stay = self._get(Stay, stay_id, "stay")
        opened = copy.deepcopy(stay)
        if departed < stay.arrived:
            raise ValidationError("A stay cannot end before it starts.")
        stay.departed = departed
        return self._update(stay, opened=opened)

    def move_to_site(
        self,
        pupil_ids: list[str],
        arrived: date,
        *,
        site_id: str | None = None,
        new_site: Site | None = None,
        proposed_weeks: int | None = None,
    ) -> Changes:
        """A family arrives at a site (one already known, or `new_site`): each pupil's
        open stay ends on the day they arrived, and a new stay begins. One transaction,
        so a family is never left half-moved."""
        if not pupil_ids:
            raise ValidationError("Choose at least one pupil who is moving.")
        if arrived > self.today():
            raise ValidationError("The arrival date cannot be in the future.")
        if proposed_weeks is not None and proposed_weeks < 1:
            raise ValidationError("The proposed stay is at least one week (or leave it as not known).")
        if new_site is not None:
            new_site.name = _require(new_site.name, "The new site's name")
        else:
            site = self.get_site(site_id or "")
        pupils = [self.get_pupil(pid) for pid in dict.fromkeys(pupil_ids)]
        open_stays = self.current_stays()
        for pupil in pupils:
            stay = open_stays.get(pupil.id)
            if stay and new_site is None and stay.site_id == site.id:
                raise ValidationError(f"{pupil.display_name} is already staying at {site.name}.")
            if stay and stay.arrived > arrived:
                raise ValidationError(
                    f"{pupil.display_name} arrived at their current site on {stay.arrived:%d %b %Y}; "
                    "the move cannot be dated before that."
                )
        with self.store.transaction(self.actor) as tx:
            if new_site is not None:
                tx.insert(new_site, summary=new_site.name)
                site_id = new_site.id
            stays = []
            for pupil in pupils:
                for stay in self.store.find(Stay, conn=tx.conn, pupil_id=pupil.id, departed=None):
                    stay.departed = arrived
                    tx.update(stay)
                stay = Stay(pupil_id=pupil.id, site_id=site_id, arrived=arrived, proposed_weeks=proposed_weeks)
                tx.insert(stay, summary=pupil.display_name)
                stays.append(stay.id)
        return Changes(frozenset(e for _, e, _ in tx.changed), tuple(stays))

    def family_at_site(self, pupil_id: str) -> list[Pupil]:
        """The pupil's brothers and sisters where the family is staying now: every child at
        the same site who has been seen with the pupil at any visit, shares their surname,
        or shares a parent or carer (the same name or phone). With no current stay, the
        children seen with the pupil or sharing a parent or carer. Ordered by name."""
        pupil = self.get_pupil(pupil_id)
        stays = self.current_stays()
        stay = stays.get(pupil_id)
        seen_with = {pid for visit in queries.visits_for_pupil(self.store, pupil_id) for pid in visit.pupil_ids}
        contacts = self.store.find(Contact)
        theirs = {(c.name.casefold(), c.phone) for c in contacts if c.pupil_id == pupil_id}
        theirs_names = {name for name, _ in theirs if name}
        theirs_phones = {phone for _, phone in theirs if phone}
        shares_carer = {
            c.pupil_id
            for c in contacts
            if c.pupil_id != pupil_id and (c.name.casefold() in theirs_names or (c.phone and c.phone in theirs_phones))
        }
        family = []
        for other in self.list_pupils():
            if other.id == pupil_id:
                continue
            here = stays.get(other.id)
            if stay is not None and (here is None or here.site_id != stay.site_id):
                continue
            same_name = other.surname.casefold() == pupil.surname.casefold() and stay is not None
            if other.id in seen_with or other.id in shares_carer or same_name:
                family.append(other)
        return sorted(family, key=pupil_key)

    def current_stays(self) -> dict[str, Stay]:
        """Each pupil's open stay (no departure), the latest if several."""
        return caseload_sets.current_stays(self.store.find(Stay, departed=None, order_by=["arrived"]))

    # --- provision -----------------------------------------------------------

    def add_episode(self, episode: ProvisionEpisode) -> Changes:
        self.get_pupil(episode.pupil_id)
        self._validate_episode(episode)
        return self._insert(episode, episode.provision_type.label)

    def edit_episode(self, episode_id: str, *, opened: Mapping[str, object] | None = None, **values: object) -> Changes:
        """Change a provision episode; `opened` as for edit_pupil (only what the form changed is written)."""
        current = self._get(ProvisionEpisode, episode_id, "provision episode")
        named = {*values, *(opened or {})}
        unknown = named - {f.name for f in dataclasses.fields(ProvisionEpisode)} | ({"id"} & named)
        if unknown:
            raise ValidationError(f"Provision episodes have no field {', '.join(sorted(unknown))}.")
        was = None if opened is None else dataclasses.replace(current, **opened)
        if opened is not None:
            values = {name: value for name, value in values.items() if name not in opened or opened[name] != value}
        episode = dataclasses.replace(current, **values)
        # Ending a timetable held without consent (an older record) is always allowed.
        self._validate_episode(
            episode, review_changed=episode.review_date != current.review_date, needs_consent=episode.end is None
        )
        return self._update(episode, opened=was)

    def _validate_episode(
        self, episode: ProvisionEpisode, *, review_changed: bool = True, needs_consent: bool = True
    ) -> None:
        if episode.end and episode.end < episode.start:
            raise ValidationError("Provision cannot end before it starts.")
        checks.hours(episode.planned_hours_per_week, "Planned hours a week")
        checks.hours(episode.medical_max_hours_per_week, "The medically advised maximum", optional=True)
        if episode.provision_type is ProvisionType.PART_TIME_TIMETABLE:
            self._validate_part_time(episode, review_changed, needs_consent)

    def _validate_part_time(self, episode: ProvisionEpisode, review_changed: bool, needs_consent: bool) -> None:
        """A part-time timetable is agreed with the parent or carer and reviewed within
        half a term (000:1953-1954, 002:8249-8257)."""
        thresholds = self.settings().thresholds
        if episode.review_date is None:
            raise ValidationError("A part-time timetable needs a review date, at most half a term ahead.")
        if needs_consent and not episode.part_time_consent:
            raise ValidationError(PART_TIME_CONSENT)
        if not review_changed:
            return
        # Half a term from the start, or from today when an agreed timetable is reviewed again.
        base = max(episode.start, self.today())
        # Any day before the school day after half a term: a weekend's start is not penalised.
        latest = self.school_calendar().nth_day(base, thresholds.part_time_max_school_days + 1) - timedelta(days=1)
        if episode.review_date > latest:
            raise ValidationError(
                f"A part-time timetable is reviewed at most half a term ({thresholds.part_time_max_weeks} "
                f"teaching weeks) ahead: by {latest.day} {latest:%b %Y}, "
                f"not {episode.review_date.day} {episode.review_date:%b %Y}."
            )
        if episode.review_date < episode.start:
            raise ValidationError("The review date comes before the timetable starts.")

    def add_absence(self, absence: Absence) -> Changes:
        self.get_pupil(absence.pupil_id)
        if absence.end and absence.end < absence.start:
            raise ValidationError("An absence cannot end before it starts.")
        return self._insert(absence)
