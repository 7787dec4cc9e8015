"""The server's words in the app are shown as text, never drawn as HTML: a server, a proxy or a
captive portal answering with markup (a heading, a link to somewhere else) gets its words shown
as they came. The Connect dialog's refusal, the status bar's sync problem, Changes not sent and
the Conflicts view's messages. Real profiles, the server in-process, the app offscreen. SQLite only."""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui  # mightBeRichText is Qt's, in QtGui
from PySide6.QtGui import QTextDocument

from desktop.services.sync import SyncService
from desktop.tasks import ImmediateTaskRunner
from desktop.ui.sync import ConflictsDialog, ConnectDialog
from tests.conftest import PASSPHRASE
from tests.desktop.conftest import immediate_runner, make_window, ui_settings  # noqa: F401  (fixtures)
from tests.desktop.walk import settle
from tests.sync import helpers as h
from tests.sync.conftest import SERVER, add_user
from tests.sync.rewrite import Rewriting

SQLITE_ONLY = pytest.mark.parametrize("server_url", ["sqlite"], indirect=True)

HTML = "<h1 style='color:red'>Session expired</h1><a href='https://evil.example/login'>Sign in again here</a>"


def shown(label) -> str:
    """What a label draws, as text: its markup drawn as Qt would (rich text, or plain)."""
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.mightBeRichText(label.text())
    )
    if not rich:
        return label.text()
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def test_the_connect_dialog_shows_a_refusals_words_as_text(qtbot, app):
    portal = httpx.MockTransport(lambda request: httpx.Response(401, json={"detail": HTML}))
    dialog = ConnectDialog(ImmediateTaskRunner(), SyncService(app, transport=portal))
    qtbot.addWidget(dialog)
    dialog.server.setText(SERVER)
    dialog.user.setText("ann")
    dialog.password.setText("whatever")
    dialog._connect()
    assert dialog.error.isVisibleTo(dialog)
    assert shown(dialog.error) == HTML  # the words as the server sent them, not a drawn heading and link


@SQLITE_ONLY
def test_a_refusals_words_in_the_status_bar_and_changes_not_sent_are_text(engine, make_device, make_window, tmp_path):  # noqa: F811
    add_user(engine, "ann", "tutor")
    laptop = make_device("laptop", "ann")
    h.pupil(laptop.app, "Levi")

    def refuse_all(doc: dict, _request) -> dict:
        for result in doc["results"]:
            result.update(status="refused", reason=HTML)
        return doc

    laptop.sync_service.transport = Rewriting(laptop.net, "/v1/push", refuse_all)
    assert laptop.sync().refused
    laptop.app.close()
    window = make_window(tmp_path / "laptop")
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    settle()
    assert window.sync_error.isVisibleTo(window)
    assert HTML in shown(window.sync_error)  # "Sync problem: …" and the words as they came
    assert HTML not in shown(window.sync_label)

    dialog = window.open_not_sent()
    settle()
    assert dialog.list.count() == 2
    assert shown(dialog.reason) == f"Why: {HTML}"
    dialog._error(HTML)
    assert shown(dialog.banner) == HTML
    box = dialog.confirm_discard()
    assert box.textFormat() == Qt.TextFormat.PlainText  # the record's name may have come from another laptop
    box.close()


@SQLITE_ONLY
def test_the_conflicts_views_messages_are_text(qtbot, engine, make_device):
    add_user(engine, "ann", "tutor")
    laptop = make_device("laptop", "ann")
    dialog = ConflictsDialog(ImmediateTaskRunner(), laptop.sync_service)
    qtbot.addWidget(dialog)
    for message in (HTML, "That conflict's gone: another laptop resolved it."):
        dialog._error(message)
        assert shown(dialog.heading) == message  # escaped, and drawn as rich text: no &#x27; shown
