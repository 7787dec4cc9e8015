"""Subject access (UK GDPR article 15): everything held about one pupil, as
JSON for a machine and a readable PDF for the family.

Other pupils seen at the same visit or appointment are counted, never named.
Safeguarding concerns come only with `include_restricted` (the read is audited
as any concern read is). Making the copy is itself written to the trail.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum

from desktop.domain import enums
from desktop.domain.records import Appointment, Review
from desktop.reports.data import ServiceDetails
from desktop.reports.subject_access import HeldRecord, HeldSection, SubjectAccessReport, render_subject_access

from . import audit_trail
from .source import RecordSource

FORMAT = "waymark-subject-access/1"


@dataclass(frozen=True)
class SubjectAccessCopy:
    data: dict
    json_bytes: bytes
    pdf_bytes: bytes
    includes_restricted: bool


def plain(value: object) -> object:
    """A record as JSON-able values: enums by value, dates as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def gather(app: RecordSource, pupil_id: str, *, include_restricted: bool = False) -> dict:
    record = app.pupil_record(pupil_id)
    pupil = record.pupil
    settings = app.settings()

    def others(ids: list[str]) -> int:
        return len([i for i in ids if i != pupil_id])

    visits = []
    for v in sorted(record.visits, key=lambda v: v.order):
        # The visit as this child had it: their own entry and the notes about the
        # whole visit or about them; a sibling's entry is theirs, never in this copy.
        item = plain(v)
        item.pop("entries")
        entry = v.entry_for(pupil_id)
        if entry is not None:
            own = plain(entry)
            for name in ("id", "visit_id", "pupil_id"):
                own.pop(name)
            item |= own | {"hours": v.hours_for(pupil_id)}
        item["other_pupils_seen"] = others(v.pupil_ids)
        item["notes"] = [{"visibility": n.visibility.value, "text": n.text} for n in v.notes_about(pupil_id)]
        visits.append(item)
    appointments = []
    for a in app.store.find(Appointment, order_by=["starts_at"]):
        if pupil_id in a.pupil_ids:
            item = plain(a)
            item.pop("pupil_ids")
            item["other_pupils"] = others(a.pupil_ids)
            appointments.append(item)
    reviews = app.store.find(Review, plan_id=[p.id for p in record.plans]) if record.plans else []
    data = {
        "format": FORMAT,
        "made_on": app.today().isoformat(),
        "made_by": app.actor,
        "service": settings.service_name,
        "includes_restricted": include_restricted,
        "pupil": plain(pupil) | {"nc_year": record.nc_year},
        "base_school": plain(record.school) if record.school else None,
        "contacts": plain(record.contacts),
        "stays": [plain(stay) | {"site": plain(site)} for stay, site in record.stays],
        "provision": plain(record.episodes),
        "absences": plain(record.absences),
        "visits": visits,
        "appointments": appointments,
        "folders": plain(record.folders),
        "progress": plain(record.progress),
        "plans": [plain(p) | {"reviews": plain([r for r in reviews if r.plan_id == p.id])} for p in record.plans],
        "actions": plain(record.actions),
        "consents": plain(record.consents),
    }
    if include_restricted:
        data["concerns"] = plain(app.list_concerns(pupil_id))  # audited as a restricted read
    else:
        data["concerns_withheld"] = record.concern_count
    # Who read, printed or changed the record; other pupils on a shared row are not named.
    data["audit_trail"] = [
        {
            "at": e.at.isoformat(timespec="seconds"),
            "by": e.actor,
            "action": e.action,
            "record": e.entity,
            "what": e.detail,
        }
        for e in reversed(audit_trail.entries(app, pupil_id=pupil_id))
    ]
    return data


# --- the readable copy -------------------------------------------------------------------

LABELS = {
    "upn": "UPN",
    "dob": "Date of birth",
    "nc_year": "NC year",
    "nc_year_override": "NC year (set by hand)",
    "sen": "SEN",
    "eal": "English as an additional language",
    "urn": "URN",
    "la_code": "LA code",
    "estab": "Establishment number",
    "planned_hours_per_week": "Planned hours a week",
    "medical_max_hours_per_week": "Medically advised maximum hours a week",
}
SKIP = {"id", "pupil_id", "plan_id", "folder_id", "visit_id", "site_id", "base_school_id", "pack_id"}


def _label(name: str) -> str:
    return LABELS.get(name) or name.replace("_", " ").capitalize()


# Fields held as codes, shown by their labels.
ENUMS = {
    "sex": enums.Sex,
    "sen": enums.SenStatus,
    "traveller_group": enums.TravellerGroup,
    "relationship": enums.ContactRelationship,
    "site_type": enums.SiteType,
    "provision_type": enums.ProvisionType,
    "place_type": enums.PlaceType,
    "outcome": enums.Outcome,
    "status": enums.ItemStatus,
    "not_seen_reason": enums.NotSeenReason,
}


def _value(value: object, name: str = "") -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in ENUMS and isinstance(value, str):
        try:
            return ENUMS[name](value).label
        except ValueError:
            return value
    if name == "notes" and isinstance(value, list) and value and isinstance(value[0], dict):
        who = {"family": "For the family", "professional": "Professionals only"}
        return "\n".join(f"{who.get(n['visibility'], n['visibility'])}: {n['text']}" for n in value)
    if isinstance(value, str):
        return _when(value)
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "\n".join(
                "; ".join(f"{_label(k)}: {_value(v, k)}" for k, v in d.items() if k not in SKIP) for d in value
            )
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{_label(k)}: {_value(v, k)}" for k, v in value.items() if k not in SKIP and v not in ("", None)
        )
    return str(value)


def _when(value: str) -> str:
    """ISO dates and times as people write them: 5 Oct 2026, 10:00."""
    try:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            day = date.fromisoformat(value)
            return f"{day.day} {day:%b %Y}"
        if len(value) >= 16 and value[4] == "-" and value[10] == "T":
            moment = datetime.fromisoformat(value)
            return f"{moment.day} {moment:%b %Y %H:%M}"
        if len(value) == 8 and value[2] == ":" and value[5] == ":":
            return value[:5]
    except ValueError:
        pass
    return value


def _fields(item: dict) -> tuple[tuple[str, str], ...]:
    return tuple((_label(k), _value(v, k)) for k, v in item.items() if k not in SKIP)


def _records(items: list[dict], heading) -> tuple[HeldRecord, ...]:
    return tuple(HeldRecord(heading(item), _fields(item)) for item in items)


def _report(app: RecordSource, data: dict) -> SubjectAccessReport:
    pupil = data["pupil"]
    name = f"{pupil['forename']} {pupil['surname']}"
    d = _value
    sections = [
        HeldSection("The pupil", (HeldRecord("Details", _fields(pupil)),)),
        HeldSection("Base school", (HeldRecord(data["base_school"]["name"], _fields(data["base_school"])),))
        if data["base_school"]
        else HeldSection("Base school", ()),
        HeldSection("Parents and carers", _records(data["contacts"], lambda c: c["name"])),
        HeldSection(
            "Stays at sites",
            _records(data["stays"], lambda s: f"{s['site']['name']}, from {d(s['arrived'])}"),
        ),
        HeldSection(
            "Provision",
            _records(data["provision"], lambda e: f"{d(e['provision_type'], 'provision_type')}, from {d(e['start'])}"),
        ),
        HeldSection("Absences for health", _records(data["absences"], lambda a: f"From {d(a['start'])}")),
        HeldSection("Visits and sessions", _records(data["visits"], lambda v: f"Visit on {d(v['date'])}")),
        HeldSection(
            "Appointments",
            _records(data["appointments"], lambda a: f"Appointment {a['starts_at'][:16].replace('T', ' ')}"),
        ),
        HeldSection(
            "Distance-learning folders", _records(data["folders"], lambda f: f"Folder issued {d(f['issued_on'])}")
        ),
        HeldSection("Progress", _records(data["progress"], lambda p: f"{p['subject']}, {d(p['assessed_on'])}")),
        HeldSection("Plans and reviews", _records(data["plans"], lambda p: p["title"])),
        HeldSection("Actions", _records(data["actions"], lambda a: f"Due {d(a['due'])}")),
        HeldSection("Consents", _records(data["consents"], lambda c: c["purpose"])),
    ]
    if "concerns" in data:
        sections.append(
            HeldSection(
                "Safeguarding concerns (restricted)",
                _records(data["concerns"], lambda c: f"Raised {d(c['raised_on'])}"),
            )
        )
    else:
        n = data["concerns_withheld"]
        sections.append(
            HeldSection(
                "Safeguarding concerns",
                (),
                note=f"Not included (restricted): {n} open concern{'s' if n != 1 else ''} held."
                if n
                else "Not included (restricted).",
            )
        )
    trail_rows = tuple(
        HeldRecord(
            f"{e['at'][:16].replace('T', ' ')} · {audit_trail.ACTIONS.get(e['action'], e['action'])}",
            (("By", e["by"]), ("Record", e["record"].replace("_", " ")), ("What", e["what"])),
        )
        for e in data["audit_trail"]
    )
    sections.append(HeldSection("Who has read, printed or changed the record", trail_rows))
    s = app.settings()
    return SubjectAccessReport(
        service=ServiceDetails(
            name=s.service_name, address=s.service_address, phone=s.service_phone, email=s.service_email
        ),
        forename=pupil["preferred_forename"] or pupil["forename"],
        name=name,
        made_on=app.today(),
        includes_restricted="concerns" in data,
        sections=tuple(sections),
    )


def make_copy(app: RecordSource, pupil_id: str, *, include_restricted: bool = False) -> SubjectAccessCopy:
    """JSON and PDF of everything held about the pupil; writes the export to the trail."""
    data = gather(app, pupil_id, include_restricted=include_restricted)
    pdf = render_subject_access(_report(app, data))
    raw = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    with app.store.transaction(app.actor) as tx:
        tx.audit(
            "export",
            "pupil",
            pupil_id,
            "subject access copy" + (" including restricted concerns" if include_restricted else ""),
            pupil_ids=[pupil_id],
            changes={"report": "subject-access", "includes_restricted": include_restricted},
        )
    return SubjectAccessCopy(data, raw, pdf, include_restricted)
