"""Versioned schema steps, tracked in PRAGMA user_version.

Each step moves a database from version N-1 to N inside one transaction and is
never edited once released: a change to the schema is a new step. The tables
the code queries are built from the migrated database's own description
(schema.py), so the schema is written down once, here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from uuid6 import uuid7

# Every synced table carries these: a device-made UUIDv7 key, the clock of its
# last change (for last-writer-wins merges), and a tombstone flag.
_SYNCED = "id TEXT PRIMARY KEY NOT NULL, updated_at TEXT NOT NULL DEFAULT '', deleted BOOLEAN NOT NULL DEFAULT 0"


def _entity(name: str, columns: str) -> str:
    return f"CREATE TABLE {name} ({_SYNCED}, {columns})"


V1 = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)",
    _entity(
        "school",
        "urn TEXT NOT NULL UNIQUE, la_code TEXT NOT NULL, estab TEXT NOT NULL, name TEXT NOT NULL,"
        " contact_name TEXT NOT NULL DEFAULT '', contact_phone TEXT NOT NULL DEFAULT '',"
        " contact_email TEXT NOT NULL DEFAULT ''",
    ),
    _entity(
        "pupil",
        "forename TEXT NOT NULL, surname TEXT NOT NULL, preferred_forename TEXT NOT NULL DEFAULT '',"
        " preferred_surname TEXT NOT NULL DEFAULT '', dob DATE NOT NULL, sex TEXT NOT NULL,"
        " upn TEXT NOT NULL DEFAULT '', ethnicity TEXT NOT NULL DEFAULT '', nc_year_override INTEGER,"
        " sen TEXT NOT NULL, looked_after BOOLEAN NOT NULL DEFAULT 0, social_worker TEXT NOT NULL DEFAULT '',"
        " first_language TEXT NOT NULL DEFAULT '', eal BOOLEAN NOT NULL DEFAULT 0,"
        " medical_needs TEXT NOT NULL DEFAULT '', traveller_group TEXT NOT NULL,"
        " base_school_id TEXT REFERENCES school(id), address TEXT NOT NULL DEFAULT '',"
        " postcode TEXT NOT NULL DEFAULT '', suppress_address BOOLEAN NOT NULL DEFAULT 0,"
        " archived BOOLEAN NOT NULL DEFAULT 0",
    ),
    _entity(
        "contact",
        "pupil_id TEXT NOT NULL REFERENCES pupil(id), name TEXT NOT NULL, relationship TEXT NOT NULL,"
        " phone TEXT NOT NULL DEFAULT '', needs_reading_help BOOLEAN NOT NULL DEFAULT 0, notes TEXT NOT NULL DEFAULT ''",
    ),
    _entity(
        "site",
        "name TEXT NOT NULL, site_type TEXT NOT NULL, address TEXT NOT NULL DEFAULT '',"
        " postcode TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT ''",
    ),
    _entity(
        "stay",
        "pupil_id TEXT NOT NULL REFERENCES pupil(id), site_id TEXT NOT NULL REFERENCES site(id),"
        " arrived DATE NOT NULL, proposed_weeks INTEGER, departed DATE, travel_pattern TEXT NOT NULL DEFAULT ''",
    ),
    _entity(
        "provision_episode",
        "pupil_id TEXT NOT NULL REFERENCES pupil(id), provision_type TEXT NOT NULL,"
        " provider TEXT NOT NULL DEFAULT '', start DATE NOT NULL, \"end\" DATE,"
        " planned_hours_per_week FLOAT NOT NULL DEFAULT 0, medical_max_hours_per_week FLOAT,"
        " review_date DATE, part_time_consent BOOLEAN NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT ''",
    ),
    _entity(
        "visit",
        'date DATE NOT NULL, start TIME, "end" TIME, place_type TEXT NOT NULL,'
        " site_id TEXT REFERENCES site(id), place_detail TEXT NOT NULL DEFAULT '', worker TEXT NOT NULL DEFAULT '',"
        " subjects JSON NOT NULL DEFAULT '[]', work_covered TEXT NOT NULL DEFAULT '',"
        " work_set TEXT NOT NULL DEFAULT '', work_returned TEXT NOT NULL DEFAULT '',"
        " levels_and_needs TEXT NOT NULL DEFAULT '', outcome TEXT NOT NULL, next_appointment DATETIME",
    ),
    _entity(
        "visit_pupil",
        "visit_id TEXT NOT NULL REFERENCES visit(id), pupil_id TEXT NOT NULL REFERENCES pupil(id)",
    ),
    _entity(
        "visit_note",
        "visit_id TEXT NOT NULL REFERENCES visit(id), text TEXT NOT NULL, visibility TEXT NOT NULL",
    ),
    _entity(
        "concern",
        "pupil_id TEXT NOT NULL REFERENCES pupil(id), raised_on DATE NOT NULL, raised_by TEXT NOT NULL DEFAULT '',"
        " text TEXT NOT NULL, escalated_to TEXT NOT NULL DEFAULT '', closed BOOLEAN NOT NULL DEFAULT 0",
    ),
    _entity(
        "work_pack",
        "title TEXT NOT NULL, subject TEXT NOT NULL, key_stage TEXT NOT NULL DEFAULT '',"
        " nc_years TEXT NOT NULL DEFAULT '', topic TEXT NOT NULL DEFAULT '', items JSON NOT NULL DEFAULT '[]'",
    ),
    _entity(
        "folder",
        "pupil_id TEXT NOT NULL REFERENCES pupil(id), issued_on DATE NOT NULL, expected_back DATE,"
        " returned_on DATE, issued_by TEXT NOT NULL DEFAULT ''",
    ),
    _entity(
        "folder_item",
        "folder_id TEXT NOT NULL REFERENCES folder(id), pack_id TEXT REFERENCES work_pack(id), title TEXT NOT NULL,"
        " subject TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, comment TEXT NOT NULL DEFAULT ''",
    ),
    _entity(
        "progress_entry",
        "pupil_id TEXT NOT NULL REFERENCES pupil(id), subject TEXT NOT NULL, level TEXT NOT NULL,"
        " assessed_on DATE NOT NULL, assessed_by TEXT NOT NULL DEFAULT '', evidence TEXT NOT NULL DEFAULT '',"
        " target TEXT NOT NULL DEFAULT '', learning_gap TEXT NOT NULL DEFAULT ''",
    ),
    _entity(
        "plan",
        "pupil_id TEXT NOT NULL REFERENCES pupil(id), title TEXT NOT NULL, success_criteria TEXT NOT NULL DEFAULT '',"
        " start DATE NOT NULL, review_every_weeks INTEGER NOT NULL DEFAULT 6, next_review DATE,"
        " closed BOOLEAN NOT NULL DEFAULT 0",
    ),
    _entity(
        "review",
        "plan_id TEXT NOT NULL REFERENCES plan(id), held_on DATE NOT NULL, summary TEXT NOT NULL DEFAULT '',"
        " outcome TEXT NOT NULL DEFAULT ''",
    ),
    _entity(
        "action",
        "pupil_id TEXT NOT NULL REFERENCES pupil(id), due DATE NOT NULL, owner TEXT NOT NULL,"
        " next_step TEXT NOT NULL, done BOOLEAN NOT NULL DEFAULT 0",
    ),
    _entity(
        "consent",
        "pupil_id TEXT NOT NULL REFERENCES pupil(id), purpose TEXT NOT NULL, given_by TEXT NOT NULL,"
        " given_on DATE NOT NULL, withdrawn_on DATE",
    ),
    _entity(
        "absence",
        'pupil_id TEXT NOT NULL REFERENCES pupil(id), start DATE NOT NULL, "end" DATE, expected_end DATE,'
        " reason TEXT NOT NULL DEFAULT ''",
    ),
    # The sync outbox: one entry per change, committed with the change itself.
    "CREATE TABLE outbox (id TEXT PRIMARY KEY NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL,"
    " fields JSON NOT NULL, changed_at TEXT NOT NULL)",
    "CREATE TABLE audit_event (id TEXT PRIMARY KEY NOT NULL, at DATETIME NOT NULL, actor TEXT NOT NULL,"
    " action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX ix_visit_pupil_visit ON visit_pupil (visit_id)",
    "CREATE INDEX ix_visit_note_visit ON visit_note (visit_id)",
    "CREATE INDEX ix_folder_item_folder ON folder_item (folder_id)",
]

# Version 2: appointments (booked teaching slots), and the indexes that keep a
# pupil's timeline and the caseload quick with hundreds of thousands of visits.
V2 = [
    _entity(
        "appointment",
        "site_id TEXT REFERENCES site(id), starts_at DATETIME NOT NULL, minutes INTEGER NOT NULL DEFAULT 60,"
        " worker TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '', cancelled BOOLEAN NOT NULL DEFAULT 0",
    ),
    _entity(
        "appointment_pupil",
        "appointment_id TEXT NOT NULL REFERENCES appointment(id), pupil_id TEXT NOT NULL REFERENCES pupil(id)",
    ),
    "CREATE INDEX ix_appointment_starts ON appointment (starts_at)",
    "CREATE INDEX ix_appointment_pupil_pupil ON appointment_pupil (pupil_id, appointment_id)",
    # The visit's date on each link row, backfilled from the visits already held.
    "ALTER TABLE visit_pupil ADD COLUMN visit_date DATE",
    "UPDATE visit_pupil SET visit_date = (SELECT date FROM visit WHERE visit.id = visit_pupil.visit_id)",
    "CREATE INDEX ix_visit_pupil_pupil ON visit_pupil (pupil_id, visit_date)",
    # Covering indexes: a week of sessions is two range scans, no row lookups.
    "CREATE INDEX ix_visit_pupil_date ON visit_pupil (visit_date, visit_id, pupil_id, deleted)",
    'CREATE INDEX ix_visit_date ON visit (date, id, start, "end", outcome, deleted)',
    "CREATE INDEX ix_progress_pupil ON progress_entry (pupil_id, assessed_on)",
    "CREATE INDEX ix_folder_pupil ON folder (pupil_id)",
    "CREATE INDEX ix_episode_pupil ON provision_episode (pupil_id)",
]

# Version 3: the pupil index on the link also holds `deleted` and the visit id,
# so "latest visit" is one seek per pupil and a timeline never touches the table
# rows. Without it, the caseload slowed as the visit history grew (1.44x at ten
# times the visits).
V3 = [
    "DROP INDEX ix_visit_pupil_pupil",
    "CREATE INDEX ix_visit_pupil_pupil ON visit_pupil (pupil_id, deleted, visit_date, visit_id)",
]


def _v4_audit_chain(conn) -> None:
    """Version 4: the audit trail becomes tamper-evident and readable. Each row
    gets its place (seq), the pupils it concerns, old and new values, a salted
    digest of what it says, the previous row's hash and its own, a redacted flag
    (erasure) and a sent flag (sync). Rows already held are chained oldest first."""
    from .audit import chain_all  # the hashing lives with the trail it guards

    for column in (
        "seq INTEGER",
        "pupil_ids JSON NOT NULL DEFAULT '[]'",
        "changes JSON NOT NULL DEFAULT '{}'",
        "salt TEXT NOT NULL DEFAULT ''",
        "content_hash TEXT NOT NULL DEFAULT ''",
        "prev_hash TEXT NOT NULL DEFAULT ''",
        "hash TEXT NOT NULL DEFAULT ''",
        "redacted BOOLEAN NOT NULL DEFAULT 0",
        "sent BOOLEAN NOT NULL DEFAULT 0",
    ):
        conn.execute(f"ALTER TABLE audit_event ADD COLUMN {column}")

    def query(sql: str, params: tuple = ()) -> list[tuple]:
        return conn.execute(sql, params).fetchall()

    def columns(table: str) -> set[str]:
        return {row[1] for row in query(f"PRAGMA table_info({table})")} if table.isidentifier() else set()

    chain_all(query, conn.execute, columns)
    conn.execute("CREATE UNIQUE INDEX ix_audit_seq ON audit_event (seq)")
    conn.execute("CREATE INDEX ix_audit_at ON audit_event (at)")
    conn.execute("CREATE INDEX ix_audit_unsent ON audit_event (sent, seq)")


# Version 5: each child on a visit has their own entry. The link table becomes
# the entry table (its rows keep their ids, so they stay the same synced
# records), takes the work that used to be shared (copied to each child), and
# says whether the child was seen. Notes may be about one child. The visit
# keeps what is shared: when, where, who, the outcome and the next appointment.
MOVED_TO_ENTRIES = ("subjects", "work_covered", "work_returned", "levels_and_needs", "work_set")


def _v5_entries(conn) -> None:
    statements = [
        "ALTER TABLE visit_pupil RENAME TO visit_entry",
        "ALTER TABLE visit_entry ADD COLUMN seen BOOLEAN NOT NULL DEFAULT 1",
        "ALTER TABLE visit_entry ADD COLUMN not_seen_reason TEXT",
        "ALTER TABLE visit_entry ADD COLUMN subjects JSON NOT NULL DEFAULT '[]'",
        "ALTER TABLE visit_entry ADD COLUMN work_covered TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE visit_entry ADD COLUMN work_returned TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE visit_entry ADD COLUMN levels_and_needs TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE visit_entry ADD COLUMN work_set TEXT NOT NULL DEFAULT ''",
        # The shared work, copied to each child.
        "UPDATE visit_entry SET (subjects, work_covered, work_returned, levels_and_needs, work_set) ="
        " (SELECT subjects, work_covered, work_returned, levels_and_needs, work_set FROM visit"
        " WHERE visit.id = visit_entry.visit_id)",
        # A visit that did not happen saw nobody; say why where the outcome says it.
        "UPDATE visit_entry SET seen = 0, not_seen_reason = (SELECT CASE outcome"
        " WHEN 'not_at_home' THEN 'not_at_home' WHEN 'pupil_unwell' THEN 'unwell' END"
        " FROM visit WHERE visit.id = visit_entry.visit_id)"
        " WHERE visit_id IN (SELECT id FROM visit WHERE outcome != 'held')",
        *(f"ALTER TABLE visit DROP COLUMN {column}" for column in MOVED_TO_ENTRIES),
        "ALTER TABLE visit_note ADD COLUMN pupil_id TEXT REFERENCES pupil(id)",
        # The indexes under names that say what they index; the pupil index is as
        # version 3 made it, and the date index also covers `seen` for the hours rules.
        "DROP INDEX ix_visit_pupil_visit",
        "DROP INDEX ix_visit_pupil_pupil",
        "DROP INDEX ix_visit_pupil_date",
        "CREATE INDEX ix_visit_entry_visit ON visit_entry (visit_id)",
        "CREATE INDEX ix_visit_entry_pupil ON visit_entry (pupil_id, deleted, visit_date, visit_id)",
        "CREATE INDEX ix_visit_entry_date ON visit_entry (visit_date, visit_id, pupil_id, deleted, seen)",
    ]
    for statement in statements:
        conn.execute(statement)

    # Changes not yet sent take the new shape: a link's creation becomes an
    # entry's (with its work), and a visit's change to work that moved becomes
    # a change to each of its entries. What was sent is the server's to migrate.
    entry_fields = ["seen", "not_seen_reason", *MOVED_TO_ENTRIES]
    pending = conn.execute(
        "SELECT id, entity, entity_id, fields, changed_at FROM outbox WHERE entity IN ('visit', 'visit_pupil')"
    ).fetchall()
    for outbox_id, entity, entity_id, fields_json, changed_at in pending:
        fields = json.loads(fields_json)
        if entity == "visit_pupil":
            if "deleted" not in fields:
                fields += [f for f in entry_fields if f not in fields]
            conn.execute(
                "UPDATE outbox SET entity = 'visit_entry', fields = ? WHERE id = ?", (json.dumps(fields), outbox_id)
            )
            continue
        moved = [f for f in fields if f in MOVED_TO_ENTRIES]
        if not moved:
            continue
        kept = [f for f in fields if f not in MOVED_TO_ENTRIES]
        if kept:
            conn.execute("UPDATE outbox SET fields = ? WHERE id = ?", (json.dumps(kept), outbox_id))
        else:
            conn.execute("DELETE FROM outbox WHERE id = ?", (outbox_id,))
        if "id" in fields:
            continue  # the visit's creation (it names every field): its entries' creations carry the work
        entries = conn.execute(
            "SELECT id FROM visit_entry WHERE visit_id = ? AND deleted = 0 ORDER BY id", (entity_id,)
        ).fetchall()
        for (entry_id,) in entries:
            conn.execute(
                "INSERT INTO outbox (id, entity, entity_id, fields, changed_at) VALUES (?, 'visit_entry', ?, ?, ?)",
                (str(uuid7()), entry_id, json.dumps(moved), changed_at),
            )


def _v6_statutory(conn) -> None:
    """Version 6: exclusions, planned travel and the school calendar; the NC year
    set by hand becomes an offset from the year by age (a pupil placed a year
    behind stays a year behind as they move up)."""
    for statement in (
        _entity(
            "exclusion",
            "pupil_id TEXT NOT NULL REFERENCES pupil(id), kind TEXT NOT NULL, start DATE NOT NULL,"
            " \"end\" DATE, school_id TEXT REFERENCES school(id), reason TEXT NOT NULL DEFAULT ''",
        ),
        _entity(
            "planned_travel",
            "pupil_id TEXT NOT NULL REFERENCES pupil(id), leaves DATE NOT NULL, returns DATE,"
            " destination TEXT NOT NULL DEFAULT '', agreed_with_school_on DATE, notes TEXT NOT NULL DEFAULT ''",
        ),
        _entity(
            "calendar_entry",
            'academic_year INTEGER NOT NULL, kind TEXT NOT NULL, start DATE NOT NULL, "end" DATE NOT NULL,'
            " name TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT ''",
        ),
        "CREATE INDEX ix_exclusion_pupil ON exclusion (pupil_id)",
        "CREATE INDEX ix_planned_travel_pupil ON planned_travel (pupil_id)",
        "CREATE INDEX ix_calendar_entry_year ON calendar_entry (academic_year)",
        "ALTER TABLE pupil ADD COLUMN nc_year_offset INTEGER",
    ):
        conn.execute(statement)
    # The year set by hand, less the year by age on the day of the upgrade (the
    # arithmetic of rules.nc_year, written out so this step never changes).
    today = date.today()
    this_year = today.year if today.month >= 9 else today.year - 1
    rows = conn.execute("SELECT id, dob, nc_year_override FROM pupil WHERE nc_year_override IS NOT NULL").fetchall()
    for pupil_id, dob, fixed in rows:
        born = date.fromisoformat(str(dob)[:10])
        by_age = this_year - (born.year if born.month >= 9 else born.year - 1) - 5
        conn.execute("UPDATE pupil SET nc_year_offset = ? WHERE id = ?", ((fixed - by_age) or None, pupil_id))
    conn.execute("ALTER TABLE pupil DROP COLUMN nc_year_override")


# Version 7: a pupil's stays by an index, not a scan of every stay (each pupil
# record reads its own, in arrival order).
V7 = ["CREATE INDEX ix_stay_pupil ON stay (pupil_id, arrived)"]

# Version 8, drafts: a form's fields as the user types, so nothing typed is lost to the idle
# lock, a crash or a flat battery. Local to this device: never synced (no id,
# no outbox), one row per form (kind) and subject (key), replaced as typing goes on.
DRAFTS = [
    "CREATE TABLE draft (kind TEXT NOT NULL, key TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',"
    " context JSON NOT NULL DEFAULT '{}', fields JSON NOT NULL DEFAULT '{}', saved_at DATETIME NOT NULL,"
    " PRIMARY KEY (kind, key))",
]


# Version 9: sync with the LA server. Conflict records come from the server
# (and go back when resolved); sync_state holds the server's clock for each
# field of each record, so a push can tell the server what this device had
# seen; sync_rejected keeps changes the server refused, out of the outbox.
V9 = [
    _entity(
        "sync_conflict",
        "entity TEXT NOT NULL, entity_id TEXT NOT NULL, field TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'edit',"
        " kept_value TEXT NOT NULL DEFAULT '', kept_by TEXT NOT NULL DEFAULT '', kept_clock TEXT NOT NULL DEFAULT '',"
        " other_value TEXT NOT NULL DEFAULT '',"
        " other_by TEXT NOT NULL DEFAULT '', other_clock TEXT NOT NULL DEFAULT '', raised_at TEXT NOT NULL DEFAULT '',"
        " resolved BOOLEAN NOT NULL DEFAULT 0, resolution TEXT NOT NULL DEFAULT ''",
    ),
    "CREATE TABLE sync_state (entity TEXT NOT NULL, entity_id TEXT NOT NULL, clocks JSON NOT NULL,"
    " PRIMARY KEY (entity, entity_id))",
    "CREATE TABLE sync_rejected (op_id TEXT PRIMARY KEY NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL,"
    " fields JSON NOT NULL, changed_at TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE INDEX ix_outbox_entity ON outbox (entity_id)",
    "CREATE INDEX ix_outbox_order ON outbox (changed_at, id)",
    "CREATE INDEX ix_sync_conflict_open ON sync_conflict (resolved, deleted)",
]

# Version 10: the records this laptop held from the server when a fresh snapshot began
# (after a 410). Each page it brings takes its records off the list; what is left when
# it ends, the server no longer holds for this user (deleted there and its tombstone
# since forgotten, or no longer theirs), and leaves the laptop (sync_leave.remove_missing).
SWEEP = ["CREATE TABLE sync_sweep (entity TEXT NOT NULL, entity_id TEXT NOT NULL, PRIMARY KEY (entity, entity_id))"]


Step = list[str] | Callable[[object], None]
STEPS: list[Step] = [V1, V2, V3, _v4_audit_chain, _v5_entries, _v6_statutory, V7, DRAFTS, V9, SWEEP]
LATEST = len(STEPS)


def migrate(conn, target: int = LATEST, on_step: Callable[[int, int], None] | None = None) -> int:
    """Bring a DB-API connection up to `target`; return the version it started at.
    `on_step(version, target)` after each step (a new profile shows its progress)."""
    start = conn.execute("PRAGMA user_version").fetchone()[0]
    if start > LATEST:
        raise RuntimeError(f"this profile was written by a newer Waymark (schema {start}; this one knows {LATEST})")
    for version in range(start + 1, target + 1):
        step = STEPS[version - 1]
        conn.execute("BEGIN IMMEDIATE")
        try:
            if callable(step):
                step(conn)
            else:
                for statement in step:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
            if on_step is not None:
                on_step(version, target)
        except Exception:
            conn.execute("ROLLBACK")
            raise
    return start
