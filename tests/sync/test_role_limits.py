"""The app's idea of what a role may change (desktop/services/role_limits.py) agrees
with what the LA's server refuses (sync/server/scope.py and merge): every kind of
record and every withheld field, so the app never offers a school what is refused."""

from __future__ import annotations

from desktop.services.role_limits import limits_for
from sync.protocol.serving import serving
from sync.server.scope import push_refusal
from sync.server.shapes import CONFLICT_ENTITY, SHAPES, Shared


def test_the_app_offers_a_school_exactly_the_kinds_of_record_the_server_takes():
    limits = limits_for("school")
    for entity, shape in SHAPES.items():
        if entity == CONFLICT_ENTITY:
            continue  # resolving a conflict writes the record it is about
        _fields, reason = push_refusal("school", entity, {"deleted": False})
        takes = not reason and not isinstance(shape, Shared)  # merger refuses schools shared reference data
        assert limits.may_write(entity) == takes, entity
        if not takes:
            assert "school" in limits.why_not(entity) and "would not be sent" in limits.why_not(entity)


def test_every_field_withheld_from_a_school_is_not_offered_and_is_refused():
    limits = limits_for("school")
    withheld = serving("school").withheld
    assert withheld  # the allow-list names some
    for entity, fields in withheld.items():
        for field in fields:
            assert not limits.may_fill(entity, field), (entity, field)
            assert push_refusal("school", entity, {field: "12 Mill Lane"})[1], (entity, field)
    assert limits.may_fill("pupil", "medical_needs") and limits.may_fill("visit", "place_type")
    assert not limits.may_add_pupils and not limits.may_write_professional


def test_a_worker_or_an_unconnected_laptop_may_change_everything():
    for role in ("", "tutor", "tes", "la-lead"):
        limits = limits_for(role)
        assert all(limits.may_write(entity) for entity in SHAPES), role
        assert limits.may_fill("pupil", "address") and limits.may_add_pupils and limits.may_write_professional
