"""What the record shows, fetched in one background call, and the tables it is drawn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
    }
)


@dataclass
class RecordView:
    """What the record shows, fetched in one background call."""

    record: PupilRecord
    sites: dict[str, str]  # site id -> name
    names: dict[str, str]  # pupil id -> display name, for the others seen at the same visits
    today: date


def load_record(app: Waymark, pupil_id: str) -> RecordView:
    record = app.pupil_record(pupil_id)
    sites = {s.id: s.name for s in app.list_sites()}
    names: dict[str, str] = {pupil_id: record.pupil.display_name}
    for visit in record.visits:
        for other in visit.pupil_ids:
            if other not in names:
                names[other] = app.get_pupil(other).display_name
    return RecordView(record, sites, names, app.today())
