"""Any record written comes back equal, children and links included, and an
update that changes nothing writes nothing."""

from datetime import date, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.enums import NotSeenReason, Outcome, PlaceType, Visibility
from desktop.domain.records import Pupil, Visit, VisitEntry, VisitNote

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
times = st.times().map(lambda t: t.replace(microsecond=0))
reasons = st.none() | st.sampled_from(NotSeenReason)


@st.composite
def visits(draw, pupil_ids):
    chosen = draw(st.lists(st.sampled_from(pupil_ids), min_size=1, max_size=3, unique=True))
    entries = [
        VisitEntry(
            pupil_id=pupil_id,
            seen=draw(st.booleans()),
            not_seen_reason=draw(reasons),
            subjects=draw(st.lists(text, max_size=4)),
            work_covered=draw(text),
            work_set=draw(text),
            work_returned=draw(text),
            levels_and_needs=draw(text),
        )
        for pupil_id in chosen
    ]
    notes = [
        VisitNote(
            text=draw(text.filter(str.strip)),
            visibility=draw(st.sampled_from(Visibility)),
            pupil_id=draw(st.none() | st.sampled_from(chosen)),  # about the whole visit, or one child
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return Visit(
        date=draw(days),
        start=draw(st.none() | times),
        end=draw(st.none() | times),
        place_type=draw(st.sampled_from(PlaceType)),
        entries=entries,
        outcome=draw(st.sampled_from(Outcome)),
        notes=notes,
    )


def shape(visit: Visit) -> tuple:
    """What a visit holds, its entries taken as a set of children."""
    entries = sorted((e.pupil_id, e.seen, e.not_seen_reason, tuple(e.subjects), e.work_covered) for e in visit.entries)
    return visit.date, entries, [(n.text, n.visibility, n.pupil_id) for n in visit.notes]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_records_round_trip(app, data):
    store = app.store
    pupil_ids = []
    with store.transaction("t") as tx:
        for _ in range(3):
            pupil_ids.append(
                tx.insert(
                    Pupil(
                        forename=data.draw(text),
                        surname=data.draw(text),
                        dob=data.draw(days),
                        suppress_address=data.draw(st.booleans()),
                    )
                )
            )
    visit = data.draw(visits(pupil_ids))
    with store.transaction("t") as tx:
        tx.insert(visit)
    loaded = store.get(Visit, visit.id)
    assert loaded == visit
    with store.transaction("t") as tx:
        assert tx.update(loaded) == []
    changed = data.draw(visits(pupil_ids))
    changed.id = visit.id
    with store.transaction("t") as tx:
        tx.update(changed)
    assert shape(store.get(Visit, visit.id)) == shape(changed)


def test_time_fields_survive(app):
    pupil = Pupil(forename="A", surname="B", dob=date(2015, 1, 1))
    with app.store.transaction("t") as tx:
        tx.insert(pupil)
        visit = Visit.same_for_all(date=date(2026, 1, 5), start=time(9, 5), end=time(10, 45), pupil_ids=[pupil.id])
        tx.insert(visit)
    assert app.store.get(Visit, visit.id).hours == 100 / 60
