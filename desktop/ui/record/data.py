"""What the record shows, fetched in one background call, and the tables it is drawn from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from desktop.domain import rules
from desktop.services import PupilRecord, Waymark

# Every table a pupil record is drawn from: a change to any of them redraws it.
RECORD_ENTITIES = frozenset(
    {
        "pupil",
        "school",
        "contact",
        "site",
        "stay",
        "provision_episode",
        "visit",
        "visit_entry",
        "visit_note",
        "folder",
        "folder_item",
        "progress_entry",
        "plan",
        "review",
        "action",
        "consent",
        "absence",
        "appointment",
        "concern",
        "exclusion",
        "planned_travel",
        "calendar_entry",  # new term dates move every school-day count
    }
)


@dataclass
class RecordView:
    """What the record shows, fetched in one background call."""

    record: PupilRecord
    sites: dict[str, str]  # site id -> name
    names: dict[str, str]  # pupil id -> display name, for the others seen at the same visits
    today: date
    # Counted on the school calendar, so the tab needs no calendar of its own.
    exclusion_days: dict[str, int | None] = field(default_factory=dict)  # exclusion id -> school days
    provision_due: dict[str, date] = field(default_factory=dict)  # exclusion id -> the sixth school day
    fixed_period_days: int = 0  # this academic year
    role: str = ""  # the user's role on the LA's server: a school is not sent some records


def load_record(app: Waymark, pupil_id: str) -> RecordView:
    record = app.pupil_record(pupil_id)
    sites = {s.id: s.name for s in app.list_sites()}
    names: dict[str, str] = {pupil_id: record.pupil.display_name}
    for visit in record.visits:
        for other in visit.pupil_ids:
            if other not in names:
                names[other] = app.get_pupil(other).display_name
    calendar, today = app.school_calendar(), app.today()
    return RecordView(
        record,
        sites,
        names,
        today,
        exclusion_days={e.id: app.exclusion_days(e) for e in record.exclusions},
        provision_due={e.id: rules.provision_due(e, calendar, app.settings().thresholds) for e in record.exclusions},
        fixed_period_days=rules.fixed_period_days(record.exclusions, today, calendar),
        role=app.sync_role(),
    )
