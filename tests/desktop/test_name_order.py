"""Names sort by surname with Unicode collation in the caseload, the LA summary and
`waymark pupil list`: Łukasz Kowalski under K, the Ó Súilleabháin siblings together
and before O'Sullivan, Öberg with the Os rather than after Z."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt

from desktop.domain.records import Pupil
from desktop.services import Waymark
from desktop.ui.caseload_model import Column
from tests.conftest import FAST_SCRYPT, PASSPHRASE
from tests.desktop.shell_helpers import unlock

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = [  # as entered: in no useful order
    ("Zoë", "Smith"),
    ("Seán", "Ó Súilleabháin"),
    ("Tom", "Öberg"),
    ("Łukasz", "Kowalski"),
    ("Niamh", "O'Sullivan"),
    ("Máire", "Ó Súilleabháin"),
    ("Kai", "Ahmed"),
    ("Mirela", "Lăcătuș"),
]
EXPECTED = [
    "Kai Ahmed",
    "Łukasz Kowalski",
    "Mirela Lăcătuș",
    "Máire Ó Súilleabháin",
    "Seán Ó Súilleabháin",
    "Niamh O'Sullivan",
    "Tom Öberg",
    "Zoë Smith",
]


def make_profile(folder: Path) -> None:
    app = Waymark.create_profile(folder, PASSPHRASE, worker_name="Ann Tutor", scrypt_n=FAST_SCRYPT)
    for forename, surname in PEOPLE:
        app.add_pupil(Pupil(forename=forename, surname=surname, dob=date(2016, 3, 2)))
    app.close()


def test_the_caseload_sorts_by_surname(make_window, tmp_path):
    make_profile(tmp_path / "p")
    window = make_window(tmp_path / "p")
    unlock(window, PASSPHRASE)
    table = window.workspace.table
    table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    proxy = window.workspace.proxy
    assert [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())] == EXPECTED
    table.sortByColumn(Column.NAME, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())] == EXPECTED[::-1]


def test_the_la_summary_and_the_pupil_list_sort_by_surname(tmp_path):
    make_profile(tmp_path / "p")
    app = Waymark.open_profile(tmp_path / "p", PASSPHRASE)
    try:
        pdf, _title = app.report_pdf("summary")
        text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
        positions = [text.index(name) for name in EXPECTED]
        assert positions == sorted(positions)
        assert [p.display_name for p in app.list_pupils()] == EXPECTED
    finally:
        app.close()
    listed = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--data-dir", str(tmp_path / "p"), "pupil", "list"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "WAYMARK_PASSPHRASE": PASSPHRASE},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    positions = [listed.stdout.index(name) for name in EXPECTED]
    assert positions == sorted(positions)
