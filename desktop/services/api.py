"""The one API the desktop UI and the CLI call.

`Waymark` wraps an open store. Every mutation validates its input first (so
bad input changes nothing) and returns a `Changes` value naming what it
touched; views use it to decide whether to redraw. Reads return domain
records or small view records, never rows or sessions.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from desktop.domain import rules
from desktop.domain.collation import pupil_key
from desktop.domain.enums import (
    ETHNICITY,
    ItemStatus,
    NotSeenReason,
    Outcome,
    PlaceType,
    ProvisionType,
    SiteType,
    Visibility,
)
from desktop.domain.privacy import Households
from desktop.domain.records import (
    Absence,
    Action,
    Appointment,
    Concern,
    Consent,
    Contact,
    Exclusion,
    Folder,
    FolderItem,
    Plan,
    PlannedTravel,
    ProgressEntry,
    ProvisionEpisode,
    Pupil,
    Review,
    School,
    Site,
    Stay,
    Visit,
    VisitEntry,
    VisitNote,
    WorkPack,
)
from desktop.domain.upn import UpnError, validate_upn
from desktop.store import Store, StoreError, queries

from . import checks
from . import la_policy as policies
from .drafts import DraftServices
from .errors import NotFound, ValidationError
from .results import CaseloadRow, Changes, PupilOverview, PupilRecord, Settings, SyncStatus
from .statutory import StatutoryRecords

# The DfE allows a part-time timetable only with the parent's agreement (002:8249-8257).
PART_TIME_CONSENT = (
    "A part-time timetable needs the parent's or carer's consent: record that they have agreed, then save it."
)


def _require(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"{what} is required.")
    return value


class Waymark(StatutoryRecords, DraftServices):
    """The services over one open profile (drafts of forms: services/drafts.py)."""

    def __init__(self, store: Store, today: Callable[[], date] = date.today) -> None:
        self.store = store
        self.today = today
        self._settings: Settings | None = None  # read once; every write goes through update_settings
        self._keyring_change = False  # set only while keyring_unlock.py changes that setting

    # --- profile --------------------------------------------------------------

    @classmethod
    def create_profile(
        cls,
        data_dir: Path,
        passphrase: str,
        *,
        service_name: str = Settings.service_name,
        worker_name: str = "",
        service_kind: str = "tes",
        scrypt_n: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Waymark:
        """Make a profile with its first settings, all or nothing. `progress(done, total)`
        as it goes: the key from the passphrase, each schema step (slow on a busy machine)."""
        checks.passphrase(passphrase)
        first = checks.settings(
            {"service_name": service_name, "worker_name": worker_name, "service_kind": service_kind}
        )
        defaults = dataclasses.asdict(Settings())
        settings = defaults | first

        def audited(store: Store) -> None:  # the first settings' audit row, before the profile counts as made
            changes = _setting_changes(defaults, settings)
            if changes:
                with store.transaction(str(first["worker_name"] or "this device")) as tx:
                    tx.audit("settings", "profile", "", ", ".join(changes), pupil_ids=[], changes=changes)

        store = Store.create(
            Path(data_dir),
            passphrase,
            scrypt_n=scrypt_n,
            progress=progress,
            settings={"settings": settings},
            finish=audited,
        )
        if progress is not None:
            progress(1, 1)
        return cls(store)

    @staticmethod
    def profile_exists(data_dir: Path) -> bool:
        return Store.exists(Path(data_dir))

    @classmethod
    def open_profile(cls, data_dir: Path, passphrase: str, *, via: str = "", scrypt_n: int | None = None) -> Waymark:
        """Unlock a profile; the sign-in is written to the audit trail (`via`: how). A key file
        weaker than `scrypt_n` (default: today's cost) is re-wrapped."""
        app = cls(Store.open(Path(data_dir), passphrase, scrypt_n=scrypt_n))
        app.record_sign_in(via)
        return app

    def close(self) -> None:
        self.store.close()

    def record_sign_in(self, via: str = "") -> None:
        self.store.record_event(self.actor, "sign-in", "profile", "", f"unlocked{f' ({via})' if via else ''}")

    def lock(self, reason: str = "") -> None:
        """Write the lock to the audit trail, then close the profile."""
        try:
            self.store.record_event(self.actor, "lock", "profile", "", f"locked{f' ({reason})' if reason else ''}")
        finally:
            self.close()

    def change_passphrase(self, old: str, new: str) -> None:
        checks.passphrase(new, "The new passphrase")
        self.store.change_passphrase(old, new)
        self._audit_event("passphrase", "profile", "", "passphrase changed (the database key was re-wrapped)")

    def _audit_event(self, action: str, entity: str, entity_id: str, summary: str = "", **kw: object) -> None:
        with self.store.transaction(self.actor) as tx:
            tx.audit(action, entity, entity_id, summary, **kw)

    def settings(self) -> Settings:
        if self._settings is None:
            stored = self.store.get_setting("settings", {}) or {}
            known = {f.name for f in dataclasses.fields(Settings)}
            values: dict[str, object] = {}
            for name, value in stored.items() if isinstance(stored, dict) else ():
                with contextlib.suppress(ValidationError):  # a value an older version let through: the default
                    values |= checks.settings({name: value}) if name in known and name != "thresholds" else {}
            kept: dict[str, object] = {}
            stored_thresholds = stored.get("thresholds") if isinstance(stored, dict) else None
            for name, value in (stored_thresholds or {}).items() if isinstance(stored_thresholds, dict) else ():
                with contextlib.suppress(ValidationError):  # one odd threshold falls back alone
                    kept |= checks.thresholds({name: value})
            thresholds = rules.Thresholds(**kept)
            self._settings = policies.overlay(
                Settings(thresholds=thresholds, **values), self.store.get_setting(policies.KEY)
            )
        return self._settings

    def update_settings(self, **values: object) -> Settings:
        current = dataclasses.asdict(self.settings())
        unknown = set(values) - set(current)
        if unknown:
            raise ValidationError(f"Unknown setting: {', '.join(sorted(unknown))}.")
        values = checks.settings(values)
        _check_retention(values)
        policies.refuse_overrides(self.store.get_setting(policies.KEY), values)
        if "keyring_unlock" in values and not self._keyring_change:
            raise ValidationError("Turn keyring unlock on or off with enable_keyring_unlock / disable_keyring_unlock.")
        before = dict(current)
        actor = self.actor if self.settings().worker_name else (values.get("worker_name") or self.actor)
        current.update(values)
        changes = _setting_changes(before, current)
        saving = policies.keep_own(
            dict(current), self.store.get_setting("settings"), self.store.get_setting(policies.KEY), values
        )
        with self.store.transaction(str(actor)) as tx:
            tx.set_meta("settings", saving)
            if changes:
                tx.audit("settings", "profile", "", ", ".join(changes), pupil_ids=[], changes=changes)
        self._settings = None
        return self.settings()

    @property
    def actor(self) -> str:
        return self.settings().worker_name or "this device"

    # --- helpers --------------------------------------------------------------

    def _get(self, cls: type, record_id: str, what: str) -> object:
        record = self.store.get(cls, record_id) if record_id else None
        if record is None:
            raise NotFound(f"No {what} with id '{record_id}'.")
        return record

    def _insert(self, record: object, summary: str = "") -> Changes:
        with self.store.transaction(self.actor) as tx:
            tx.insert(record, summary=summary)
        return Changes(frozenset(e for _, e, _ in tx.changed), (record.id,))

    def _update(self, record: object, summary: str = "") -> Changes:
        with self.store.transaction(self.actor) as tx:
            fields = tx.update(record, summary=summary)
        return Changes(frozenset(e for _, e, _ in tx.changed), (record.id,), tuple(fields))

    # --- schools -------------------------------------------------------------

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

    def edit_pupil(self, pupil_id: str, **values: object) -> Changes:
        pupil = self.get_pupil(pupil_id)
        if "nc_year" in values:  # the year taught in now, kept as an offset from the year by age
            values["nc_year_offset"] = self.nc_year_offset(values.get("dob", pupil.dob), values.pop("nc_year"))
        unknown = set(values) - {f.name for f in dataclasses.fields(Pupil)} | ({"id"} & set(values))
        if unknown:
            raise ValidationError(f"Pupils have no field {', '.join(sorted(unknown))}.")
        updated = dataclasses.replace(pupil, **values)
        self._validate_pupil(updated)
        return self._update(updated)

    def get_pupil(self, pupil_id: str) -> Pupil:
        return self._get(Pupil, pupil_id, "pupil")

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
        if departed < stay.arrived:
            raise ValidationError("A stay cannot end before it starts.")
        stay.departed = departed
        return self._update(stay)

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
        current: dict[str, Stay] = {}
        for stay in self.store.find(Stay, departed=None, order_by=["arrived"]):
            current[stay.pupil_id] = stay
        return current

    # --- provision -----------------------------------------------------------

    def add_episode(self, episode: ProvisionEpisode) -> Changes:
        self.get_pupil(episode.pupil_id)
        self._validate_episode(episode)
        return self._insert(episode, episode.provision_type.label)

    def edit_episode(self, episode_id: str, **values: object) -> Changes:
        current = self._get(ProvisionEpisode, episode_id, "provision episode")
        episode = dataclasses.replace(current, **values)
        # Ending a timetable held without consent (an older record) is always allowed.
        self._validate_episode(
            episode, review_changed=episode.review_date != current.review_date, needs_consent=episode.end is None
        )
        return self._update(episode)

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

    # --- visits --------------------------------------------------------------

    def _validate_visit(self, visit: Visit) -> None:
        if not visit.entries:
            raise ValidationError("A visit needs at least one pupil.")
        found = {p.id: p for p in self.store.find(Pupil, id=visit.pupil_ids)}
        missing = [p for p in visit.pupil_ids if p not in found]
        if missing:
            raise NotFound(f"No pupil with id '{missing[0]}'.")
        twice = [pid for pid, n in Counter(visit.pupil_ids).items() if n > 1]
        if twice:
            raise ValidationError(f"{found[twice[0]].display_name} is on this visit twice; give each child one entry.")
        if visit.site_id:
            self.get_site(visit.site_id)
        if visit.date > self.today() + timedelta(days=1):
            raise ValidationError("A visit cannot be logged for a future date; book an appointment instead.")
        if visit.start and visit.end and visit.end <= visit.start:
            raise ValidationError("A visit must end after it starts.")
        if visit.outcome is Outcome.HELD and (visit.start is None or visit.end is None):
            raise ValidationError(
                "A visit that was held needs its start and end times (its hours count towards each child's target)."
            )
        for entry in visit.entries:
            entry.subjects = [s.strip() for s in entry.subjects if s.strip()]
            if visit.outcome is not Outcome.HELD:
                # Nobody is taught at a visit that did not happen.
                entry.seen = False
                entry.not_seen_reason = entry.not_seen_reason or NotSeenReason.for_outcome(visit.outcome)
            elif entry.seen:
                entry.not_seen_reason = None
            elif entry.not_seen_reason is None:
                name = found[entry.pupil_id].display_name
                raise ValidationError(f"Say why {name} was not seen (asleep, unwell, at nursery, …).")
        visit.notes = [n for n in visit.notes if n.text.strip()]
        for note in visit.notes:
            if note.pupil_id is not None and note.pupil_id not in found:
                raise ValidationError("A note about a child must be about a child on this visit.")
        self._refuse_a_second_copy(visit, found)

    def _refuse_a_second_copy(self, visit: Visit, pupils: dict[str, Pupil]) -> None:
        """Two visits to the same child at the same time are one visit typed twice."""
        for visit_id, pupil_id, start, end in queries.times_on(self.store, visit.pupil_ids, visit.date):
            if visit_id != visit.id and _same_time(visit.start, visit.end, start, end):
                when = f"{visit.date.day} {visit.date:%b %Y}" + (f" at {start:%H:%M}" if start else "")
                raise ValidationError(
                    f"{pupils[pupil_id].display_name} already has a visit on {when}; "
                    "this one would repeat it. Change the time, or open that visit instead."
                )

    def log_visit(self, visit: Visit) -> Changes:
        """Log a visit or session; siblings seen together share one visit, each
        with their own entry."""
        if not visit.worker:
            visit.worker = self.actor
        self._validate_visit(visit)
        changes = self._insert(visit, f"{visit.date:%d/%m/%Y}, {len(visit.entries)} pupil(s)")
        return changes

    def edit_visit(self, visit: Visit) -> Changes:
        self._get(Visit, visit.id, "visit")
        self._validate_visit(visit)
        return self._update(visit)

    def get_visit(self, visit_id: str) -> Visit:
        return self._get(Visit, visit_id, "visit")

    def needs_reading_help(self, visit_id: str) -> list[str]:
        """The parents and carers of the pupils on a visit who need help reading, by
        name: the print preview offers them the large-print parent / carer copy."""
        visit = self.get_visit(visit_id)
        contacts = self.store.find(Contact, pupil_id=list(visit.pupil_ids)) if visit.pupil_ids else []
        return list(dict.fromkeys(c.name for c in contacts if c.needs_reading_help))

    def list_visits(
        self, pupil_id: str | None = None, start: date | None = None, end: date | None = None
    ) -> list[Visit]:
        """Newest first."""
        if pupil_id:
            self.get_pupil(pupil_id)
            return queries.visits_for_pupil(self.store, pupil_id, start, end)
        visits = queries.visits_between(self.store, start or date.min, end or date.max)
        return sorted(visits, key=lambda v: v.order, reverse=True)

    def visit_defaults(self, pupil_id: str | None = None) -> Visit:
        """A new visit pre-filled as a worker would fill it: today, where the pupil is
        staying, the pupils seen there last time, the usual times, and each child's
        subjects from their own last visit."""
        visit = Visit(date=self.today(), worker=self.actor)
        if not pupil_id:
            return visit
        pupil_ids = [pupil_id]
        stay = self.current_stays().get(pupil_id)
        previous = queries.visits_for_pupil(self.store, pupil_id)
        last = previous[0] if previous else None
        if stay:
            visit.site_id = stay.site_id
            site = self.store.get(Site, stay.site_id)
            visit.place_type = _place_for_site(site)
            at_site = queries.latest_visit_at_site(self.store, stay.site_id)
            if at_site and pupil_id in at_site.pupil_ids:
                last = at_site
        if last:
            pupil_ids = list(dict.fromkeys([pupil_id, *last.pupil_ids]))
            visit.place_type = last.place_type if not stay else visit.place_type
            if last.start and last.end:
                visit.start, visit.end = last.start, last.end
        lasts = self.last_entries(pupil_ids)
        visit.entries = [
            VisitEntry(pupil_id=pid, subjects=list(lasts[pid].subjects) if pid in lasts else []) for pid in pupil_ids
        ]
        return visit

    def last_entries(self, pupil_ids: Iterable[str]) -> dict[str, VisitEntry]:
        """Each child's own entry at the last visit they were seen: what 'Same as
        last time' and the usual subjects come from. Children never seen are left out."""
        found = {}
        for pupil_id in pupil_ids:
            for visit in queries.visits_for_pupil(self.store, pupil_id):
                entry = visit.entry_for(pupil_id)
                if visit.outcome is Outcome.HELD and entry is not None and entry.seen:
                    found[pupil_id] = entry
                    break
        return found

    def last_work_set(self, pupil_id: str) -> str:
        """'Same as last time' for one child's work set: the last set for them."""
        for visit in queries.visits_for_pupil(self.store, pupil_id):
            entry = visit.entry_for(pupil_id)
            if entry is not None and entry.work_set:
                return entry.work_set
        return ""

    def known_subjects(self) -> list[str]:
        subjects = {
            "English",
            "Maths",
            "Science",
            "Reading",
            "Writing",
            "Phonics",
            "History",
            "Geography",
            "Art",
            "PSHE",
        }
        for pack in self.store.find(WorkPack):
            subjects.add(pack.subject)
        for entry in self.store.find(ProgressEntry):
            subjects.add(entry.subject)
        return sorted(subjects)

    # --- concerns (restricted) -------------------------------------------------

    def add_concern(self, concern: Concern) -> Changes:
        self.get_pupil(concern.pupil_id)
        concern.text = _require(concern.text, "The concern's text")
        concern.raised_by = concern.raised_by or self.actor
        return self._insert(concern, "safeguarding concern recorded")

    def list_concerns(self, pupil_id: str) -> list[Concern]:
        """Restricted: every read is written to the audit trail."""
        self.get_pupil(pupil_id)
        with self.store.transaction(self.actor) as tx:
            tx.audit("view-restricted", "concern", pupil_id, "concerns viewed", pupil_ids=[pupil_id])
        return self.store.find(Concern, pupil_id=pupil_id, order_by=["raised_on"])

    def concern_count(self, pupil_id: str) -> int:
        return len(self.store.find(Concern, pupil_id=pupil_id, closed=False))

    # --- work packs and folders ------------------------------------------------

    def add_pack(self, pack: WorkPack) -> Changes:
        pack.title = _require(pack.title, "The pack's title")
        pack.subject = _require(pack.subject, "The pack's subject")
        pack.items = [i.strip() for i in pack.items if i.strip()] or [pack.title]
        return self._insert(pack, pack.title)

    def list_packs(self) -> list[WorkPack]:
        return self.store.find(WorkPack, order_by=["subject", "title"])

    def issue_folder(
        self,
        pupil_id: str,
        pack_ids: Iterable[str],
        *,
        issued_on: date | None = None,
        expected_back: date | None = None,
        issued_by: str = "",
    ) -> Changes:
        self.get_pupil(pupil_id)
        items = []
        for pack_id in pack_ids:
            pack = self._get(WorkPack, pack_id, "work pack")
            items += [FolderItem(pack_id=pack.id, title=t, subject=pack.subject) for t in pack.items]
        if not items:
            raise ValidationError("A folder needs at least one work pack.")
        issued_on = issued_on or self.today()
        if expected_back and expected_back < issued_on:
            raise ValidationError("A folder cannot be expected back before it is issued.")
        folder = Folder(
            pupil_id=pupil_id,
            issued_on=issued_on,
            expected_back=expected_back,
            issued_by=issued_by or self.actor,
            items=items,
        )
        return self._insert(folder, f"{len(items)} item(s)")

    def set_item_status(self, folder_id: str, item_id: str, status: ItemStatus, comment: str | None = None) -> Changes:
        folder = self._get(Folder, folder_id, "folder")
        item = next((i for i in folder.items if i.id == item_id), None)
        if item is None:
            raise NotFound(f"No item with id '{item_id}' in that folder.")
        item.status = status
        if comment is not None:
            item.comment = comment
        return self._update(folder, f"{item.title}: {status.label}")

    def return_folder(self, folder_id: str, returned_on: date | None = None) -> Changes:
        folder = self._get(Folder, folder_id, "folder")
        if folder.returned_on:
            raise ValidationError(f"That folder was already returned on {folder.returned_on:%d/%m/%Y}.")
        folder.returned_on = returned_on or self.today()
        if folder.returned_on < folder.issued_on:
            raise ValidationError("A folder cannot come back before it was issued.")
        for item in folder.items:
            if item.status in (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS):
                item.status = ItemStatus.RETURNED
        return self._update(folder, "returned")

    def list_folders(self, pupil_id: str | None = None, overdue_only: bool = False) -> list[Folder]:
        equals = {"pupil_id": pupil_id} if pupil_id else {}
        folders = self.store.find(Folder, order_by=["-issued_on"], **equals)
        if overdue_only:
            today = self.today()
            folders = [f for f in folders if f.returned_on is None and f.expected_back and f.expected_back < today]
        return folders

    def get_folder(self, folder_id: str) -> Folder:
        return self._get(Folder, folder_id, "folder")

    # --- progress, plans, actions, consents -------------------------------------------

    def add_progress(self, entry: ProgressEntry) -> Changes:
        self.get_pupil(entry.pupil_id)
        entry.subject = _require(entry.subject, "The subject")
        entry.level = _require(entry.level, "The level or descriptor")
        if entry.assessed_on > self.today():
            raise ValidationError("An assessment cannot be dated in the future.")
        entry.assessed_by = entry.assessed_by or self.actor
        return self._insert(entry, f"{entry.subject}: {entry.level}")

    def list_progress(self, pupil_id: str) -> list[ProgressEntry]:
        self.get_pupil(pupil_id)
        return self.store.find(ProgressEntry, pupil_id=pupil_id, order_by=["assessed_on", "subject"])

    def add_plan(self, plan: Plan) -> Changes:
        self.get_pupil(plan.pupil_id)
        plan.title = _require(plan.title, "The plan's title")
        # Success criteria are set at the start, so a review has something to measure (000:5358-5378).
        plan.success_criteria = (plan.success_criteria or "").strip()
        if not plan.success_criteria:
            raise ValidationError("A plan needs its success criteria: what will show, at review, that it has worked.")
        plan.next_review = plan.next_review or plan.start + timedelta(weeks=plan.review_every_weeks)
        return self._insert(plan, plan.title)

    def record_review(self, review: Review, *, close_plan: bool = False) -> Changes:
        """A plan reviewed: the next review falls due a cycle later, or the plan closes."""
        plan = self._get(Plan, review.plan_id, "plan")
        if plan.closed:
            raise ValidationError(f"The plan '{plan.title}' is closed.")
        if review.held_on > self.today():
            raise ValidationError("A review cannot be recorded before it is held.")
        if review.held_on < plan.start:
            raise ValidationError(f"The plan started on {plan.start:%d %b %Y}; a review cannot come before it.")
        review.summary = _require(review.summary, "What the review found")
        with self.store.transaction(self.actor) as tx:
            tx.insert(review, summary=plan.title)
            if close_plan:
                plan.closed, plan.next_review = True, None
            else:
                plan.next_review = review.held_on + timedelta(weeks=plan.review_every_weeks)
            tx.update(plan)
        return Changes(frozenset({"review", "plan"}), (review.id, plan.id))

    def add_action(self, action: Action) -> Changes:
        self.get_pupil(action.pupil_id)
        action.owner = _require(action.owner, "The action's owner")
        action.next_step = _require(action.next_step, "The next step")
        return self._insert(action, action.next_step)

    def complete_action(self, action_id: str) -> Changes:
        action = self._get(Action, action_id, "action")
        action.done = True
        return self._update(action)

    def add_consent(self, consent: Consent) -> Changes:
        self.get_pupil(consent.pupil_id)
        consent.purpose = _require(consent.purpose, "The consent's purpose")
        consent.given_by = _require(consent.given_by, "Who gave consent")
        return self._insert(consent, consent.purpose)

    # --- appointments ------------------------------------------------------------

    def book_appointment(self, appointment: Appointment) -> Changes:
        if not appointment.pupil_ids and not appointment.site_id:
            raise ValidationError("An appointment needs a pupil or a site.")
        for pupil_id in appointment.pupil_ids:
            self.get_pupil(pupil_id)
        if appointment.site_id:
            self.get_site(appointment.site_id)
        if not 5 <= appointment.minutes <= 480:
            raise ValidationError("An appointment lasts between 5 minutes and 8 hours.")
        appointment.worker = appointment.worker or self.actor
        return self._insert(appointment, f"{appointment.starts_at:%d/%m/%Y %H:%M}")

    def cancel_appointment(self, appointment_id: str) -> Changes:
        appointment = self._get(Appointment, appointment_id, "appointment")
        appointment.cancelled = True
        return self._update(appointment)

    def list_appointments(
        self,
        start: date | None = None,
        end: date | None = None,
        *,
        site_id: str | None = None,
        pupil_id: str | None = None,
    ) -> list[Appointment]:
        start_at = datetime.combine(start or self.today(), datetime.min.time())
        end_at = datetime.combine(end or (start or self.today()) + timedelta(days=28), datetime.max.time())
        if pupil_id:  # the pupil's own, through the link's pupil index, not every pupil's
            found = self.store.find(
                Appointment, id=queries.appointment_ids_for_pupil(self.store, pupil_id), cancelled=False
            )
            found = sorted((a for a in found if start_at <= a.starts_at <= end_at), key=lambda a: a.starts_at)
        else:
            found = self.store.find(
                Appointment,
                cancelled=False,
                order_by=["starts_at"],
                where=lambda t: (t.c.starts_at >= start_at) & (t.c.starts_at <= end_at),
            )
        if site_id:
            found = [a for a in found if a.site_id == site_id]
        if pupil_id:
            found = [a for a in found if pupil_id in a.pupil_ids]
        return found

    # --- the record and the caseload ---------------------------------------------------

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
        record lists them, so the list and the record judge alike."""
        today = self.today()
        wanted = {p.id for p in pupils}

        def by_pupil(cls: type, key: Callable, reverse: bool = False) -> dict[str, list]:
            grouped: dict[str, list] = defaultdict(list)
            rows = self.store.find(cls, pupil_id=pupil_id) if pupil_id else self.store.find(cls)
            for record in sorted(rows, key=key, reverse=reverse):
                if record.pupil_id in wanted:
                    grouped[record.pupil_id].append(record)
            return grouped

        # The hours rule reads only the last complete week's hours: added up in SQL,
        # by pupil, rather than loading a fortnight of sessions (at an LA, 20,000).
        monday = rules.week_start(today) - timedelta(days=7)
        last_week = queries.hours_delivered(self.store, monday, monday + timedelta(days=6))
        hospital = self._hospital_stays(today, wanted)
        for stays in hospital.values():
            stays.sort(key=lambda s: s.arrived)
        return {
            "episodes": episodes_by_pupil
            if episodes_by_pupil is not None
            else by_pupil(ProvisionEpisode, lambda e: e.start),
            "last_week_hours": last_week,
            "folders": by_pupil(Folder, lambda f: f.issued_on, reverse=True),
            "plans": by_pupil(Plan, lambda p: p.start),
            "actions": by_pupil(Action, lambda a: a.due),
            "absences": by_pupil(Absence, lambda a: a.start),
            "exclusions": by_pupil(Exclusion, lambda e: e.start),
            "hospital_stays": hospital,
            "travel": by_pupil(PlannedTravel, lambda t: t.leaves),
        }

    def _judge(self, pupils: list[Pupil], inputs: dict[str, dict[str, list]]) -> dict[str, list[rules.Attention]]:
        today, thresholds, calendar = self.today(), self.settings().thresholds, self.school_calendar()
        hours = inputs["last_week_hours"]
        records = {kind: by_pupil for kind, by_pupil in inputs.items() if kind != "last_week_hours"}
        result = {}
        for pupil in pupils:
            pid = pupil.id  # .get, not [], so a pupil with nothing adds no empty list to each dict
            items = rules.needs_attention(
                pupil=pupil,
                today=today,
                calendar=calendar,
                thresholds=thresholds,
                last_week_hours=hours.get(pid, 0.0),
                **{kind: by_pupil.get(pid, ()) for kind, by_pupil in records.items()},
            )
            if items:
                result[pid] = items
        return result

    def _hospital_stays(self, today: date, wanted: set[str]) -> dict[str, list[Stay]]:
        """Each pupil's stays at a hospital ward that have not ended before today."""
        wards = [s.id for s in self.store.find(Site, site_type=SiteType.HOSPITAL_WARD.value)]
        found: dict[str, list[Stay]] = defaultdict(list)
        if wards:
            stays = self.store.find(
                Stay, site_id=wards, where=lambda t: t.c.departed.is_(None) | (t.c.departed >= today)
            )
            for stay in stays:
                if stay.pupil_id in wanted:
                    found[stay.pupil_id].append(stay)
        return found

    def caseload(self) -> list[CaseloadRow]:
        """Every pupil on the caseload with what the list shows and filters on."""
        pupils = self.list_pupils()
        inputs = self._attention_inputs(pupils)
        return self._caseload_rows(pupils, inputs["episodes"], self._judge(pupils, inputs))

    def _caseload_rows(
        self, pupils: list[Pupil], episodes: dict[str, list[ProvisionEpisode]], attention: dict[str, list]
    ) -> list[CaseloadRow]:
        today = self.today()
        schools = {s.id: s for s in self.list_schools()}
        sites = {s.id: s for s in self.list_sites()}
        stays = self.current_stays()
        last = queries.last_visit_dates(self.store)
        rows = []
        for p in pupils:
            school = schools.get(p.base_school_id)
            stay = stays.get(p.id)
            site = sites.get(stay.site_id) if stay else None
            rows.append(
                CaseloadRow(
                    pupil_id=p.id,
                    name=p.display_name,
                    legal_name=p.legal_name,
                    sort_key=pupil_key(p),
                    upn=p.upn,
                    dob=p.dob,
                    nc_year=rules.pupil_nc_year(p, today),
                    cohort=rules.cohort(p, episodes.get(p.id, []), today),
                    base_school_id=p.base_school_id,
                    base_school=school.name if school else "",
                    site_id=site.id if site else None,
                    site=site.name if site else "",
                    last_visit=last.get(p.id),
                    attention=tuple(dict.fromkeys(a.kind for a in attention.get(p.id, []))),
                )
            )
        return rows

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
        monday = hours_week or rules.week_start(self.today()) - timedelta(days=7)
        sunday = monday + timedelta(days=6)
        if monday == rules.week_start(self.today()) - timedelta(days=7):
            hours = inputs["last_week_hours"]  # added up already, for the hours rule
        else:  # a holiday last week: the summary counts an earlier week
            hours = queries.hours_delivered(self.store, monday, min(sunday, self.today()))
        return [
            PupilOverview(
                row=row,
                pupil=pupil,
                episodes=inputs["episodes"].get(pupil.id, []),
                plans=inputs["plans"].get(pupil.id, []),
                actions=inputs["actions"].get(pupil.id, []),
                attention=attention.get(pupil.id, []),
                latest_worker=latest[pupil.id].worker if pupil.id in latest else "",
                hours_last_week=round(hours.get(pupil.id, 0.0), 2),
            )
            for pupil, row in zip(pupils, rows, strict=True)
        ]

    # --- sync status ----------------------------------------------------------------------

    def sync_status(self) -> SyncStatus:
        return SyncStatus(
            unsent=queries.outbox_count(self.store),
            last_sync=self.store.get_setting("last_sync"),
            last_error=self.store.get_setting("last_sync_error"),
            server=self.store.get_setting("sync_server") or "",
        )

    # --- printed reports ----------------------------------------------------------------------

    def report_pdf(self, kind: str, record_id: str = "", **options: object) -> tuple[bytes, str]:
        """A printed report's PDF bytes and title: kind is visit (a visit's id), progress or
        hours (a pupil's id, with optional start and end) or summary. See services/reporting.py."""
        from . import reporting  # reportlab loads when something is first printed, not at start-up

        return reporting.report_pdf(self, kind, record_id, **options)

    def family_notes(self, visit: Visit) -> list[VisitNote]:
        return visit.notes_for(Visibility.FAMILY)

    # --- the audit trail and UK GDPR duties (audit_trail.py, subject_access.py, erasure.py) ---

    def audit_trail(
        self,
        pupil_id: str | None = None,
        start: date | None = None,
        end: date | None = None,
        limit: int | None = None,
    ) -> list:
        """Audit entries newest first (services/audit_trail.AuditEntry)."""
        from . import audit_trail

        return audit_trail.entries(self, pupil_id=pupil_id, start=start, end=end, limit=limit)

    def verify_audit(self) -> object:
        """Walk the hash chain; the result names every row where it is broken."""
        from . import audit_trail

        return audit_trail.verify(self)

    def subject_access(self, pupil_id: str, include_restricted: bool = False) -> object:
        """JSON and PDF of everything held about a pupil (subject_access.SubjectAccessCopy); audited."""
        from . import subject_access

        return subject_access.make_copy(self, pupil_id, include_restricted=include_restricted)

    def erase_pupil(self, pupil_id: str, reason: str) -> Changes:
        from . import erasure

        return erasure.erase(self, pupil_id, reason)

    def retention_review(self) -> list:
        from . import erasure

        return erasure.review(self)

    def apply_retention(self, *, confirmed: bool) -> dict[str, list[str]]:
        from . import erasure

        return erasure.apply(self, confirmed=confirmed)

    @classmethod
    def open_with_keyring(cls, data_dir: Path) -> Waymark | None:
        """The profile opened with the key kept in the OS keyring, or None: no entry, a
        key that no longer fits, keyring unlock turned off, or forbidden by the LA's
        policy (the entry is then removed). The passphrase always works instead."""
        from . import keyring_unlock

        data_dir = Path(data_dir)
        db_key = keyring_unlock.recall(data_dir)
        if db_key is None:
            return None
        try:
            store = Store.open_with_key(data_dir, db_key)
        except StoreError:
            keyring_unlock.forget(data_dir)
            return None
        app = cls(store)
        if not app.settings().keyring_unlock or not keyring_unlock.allowed(app):
            keyring_unlock.forget(data_dir)
            app.close()
            return None
        app.record_sign_in("system keyring")
        return app

    def set_la_policy(self, **policy: object) -> None:
        """The LA's policy, as sync brings it (la_policy.py: keyring unlock, retention, idle lock)."""
        policies.set_policy(self, policy)

    def la_policy(self) -> dict:
        """The LA's policy held here (settings the worker cannot override)."""
        return policies.current(self)

    def keyring_allowed(self) -> bool:
        from . import keyring_unlock

        return keyring_unlock.allowed(self)

    def enable_keyring_unlock(self, passphrase: str) -> None:
        from . import keyring_unlock

        keyring_unlock.enable(self, passphrase)

    def disable_keyring_unlock(self) -> None:
        from . import keyring_unlock

        keyring_unlock.disable(self)


def _check_retention(values: dict) -> None:
    archive = values.get("retention_archive_years")
    if archive is not None and not (isinstance(archive, int) and 0 <= archive <= 50):
        raise ValidationError("Archive after leaving: between 0 and 50 years.")
    destroy = values.get("retention_destroy_years")
    if destroy is not None and not (isinstance(destroy, int) and 1 <= destroy <= 100):
        raise ValidationError("Destroy after the date of birth: between 1 and 100 years.")


def _setting_changes(before: dict, after: dict, prefix: str = "") -> dict[str, list]:
    """Old and new value of each setting that changed; thresholds by name."""
    changes: dict[str, list] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) or isinstance(new, dict):
            changes |= _setting_changes(old or {}, new or {}, f"{prefix}{key}.")
        elif old != new:
            changes[f"{prefix}{key}"] = [old, new]
    return changes


def _same_time(start: time | None, end: time | None, other_start: time | None, other_end: time | None) -> bool:
    """On the same day, the same time: both untimed, the same start, or overlapping times."""
    if start is None or other_start is None:
        return start is None and other_start is None
    if start == other_start:
        return True
    return end is not None and other_end is not None and start < other_end and other_start < end


def _place_for_site(site: Site | None) -> PlaceType:
    if site is None:
        return PlaceType.SITE
    return {
        SiteType.HOSPITAL_WARD: PlaceType.WARD,
        SiteType.HOME: PlaceType.HOME,
        SiteType.HOUSING: PlaceType.HOME,
    }.get(site.site_type, PlaceType.SITE)
