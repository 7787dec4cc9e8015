"""A forgotten passphrase costs nothing that was synced: a new profile, a
login and a pull bring the caseload back (README: "Forgotten passphrase")."""

from __future__ import annotations

import pytest

from desktop.services import Waymark, WrongPassphrase
from tests.sync import helpers as h
from tests.sync.conftest import add_user


def test_a_new_profile_logged_in_gets_the_whole_caseload_back(engine, make_device, tmp_path):
    add_user(engine, "ann", "tutor")
    old = make_device("old-laptop", "ann")
    pupil_id = h.pupil(old.app)
    visit_id = h.visit(old.app, [pupil_id], professional="Dad mentioned moving on", family="Lovely reading")
    h.progress(old.app, pupil_id)
    old.sync()
    before = h.dump(old.app)
    with pytest.raises(WrongPassphrase):  # the old profile stays locked for good
        Waymark.open_profile(tmp_path / "old-laptop", "the passphrase nobody remembers")

    fresh = make_device("new-profile", "ann")
    result = fresh.sync()
    assert result.pulled >= 6 and fresh.port.unsent() == 0
    assert fresh.app.get_visit(visit_id).entries[0].work_covered == "Phonics phase 3"
    after = h.dump(fresh.app)
    assert {k: v for k, v in after.items() if k != "sync_conflict"} == {
        k: v for k, v in before.items() if k != "sync_conflict"
    }
