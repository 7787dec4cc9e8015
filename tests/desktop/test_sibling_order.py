"""Children on one visit come in a reader's order, by surname and then first name with
the Unicode collation, whatever order they were ticked in: the per-child tabs in Log a
visit, and each child's copies in the printed visit report (read back with pypdf)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt

from desktop.domain.enums import SiteType
from desktop.domain.records import Pupil, Site, Stay
from desktop.services import Waymark
from tests.conftest import FAST_SCRYPT, PASSPHRASE
from tests.desktop.shell_helpers import unlock

# Ticked in this order; "Ł" sorts under L by the collation, before P (by code point it
# would come after Z), and the two Prices by first name.
TICKED = [("Tom", "Price"), ("Amy", "Price"), ("Łucja", "Kowalska")]
EXPECTED = ["Łucja Kowalska", "Amy Price", "Tom Price"]


def family_at_one_site(folder: Path) -> dict[str, str]:
    app = Waymark.create_profile(folder, PASSPHRASE, worker_name="Ann Tutor", scrypt_n=FAST_SCRYPT)
    site = Site(name="Walton Summit", site_type=SiteType.TRANSIT_SITE)
    app.add_site(site)
    ids = {}
    for forename, surname in TICKED:
        pupil = Pupil(forename=forename, surname=surname, dob=date(2016, 3, 1))
        app.add_pupil(pupil)
        app.record_stay(Stay(pupil_id=pupil.id, site_id=site.id, arrived=date(2026, 10, 1)))
        ids[f"{forename} {surname}"] = pupil.id
    app.close()
    return ids


def test_tabs_and_printed_copies_follow_surname_then_first_name(make_window, tmp_path, qtbot):
    folder = tmp_path / "profile"
    ids = family_at_one_site(folder)
    window = make_window(folder)
    unlock(window, PASSPHRASE)
    dialog = window.log_visit(ids["Tom Price"])
    items = {
        dialog.pupils.item(i).data(Qt.ItemDataRole.UserRole): dialog.pupils.item(i)
        for i in range(dialog.pupils.count())
    }
    for name in ("Amy Price", "Łucja Kowalska"):  # Tom is ticked already: the others after him
        items[ids[name]].setCheckState(Qt.CheckState.Checked)
    assert dialog.pupil_ids() != [ids[n] for n in EXPECTED]  # the list keeps the order they came in
    dialog.same_for_all.setChecked(False)
    tabs = [dialog.child_tabs.tabText(i) for i in range(dialog.child_tabs.count())]
    assert tabs == ["&1 Łucja", "&2 Amy", "&3 Tom"]
    for name in EXPECTED:
        dialog.entry_form(ids[name]).work_covered.setPlainText(f"Work for {name.split()[0]}")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()

    visit = window.app.list_visits(ids["Tom Price"])[0]
    pdf, _title = window.app.report_pdf("visit", visit.id)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    whose = []
    for text in pages:
        [name] = [n for n in EXPECTED if n in text]  # each page is one child's copy
        assert f"Work for {name.split()[0]}" in text
        whose.append(name)
    assert whose == [name for name in EXPECTED for _copy in range(3)]  # three copies each, in name order
