from desktop.services.demo import fill_demo
from desktop.services.results import SyncStatus
from desktop.ui.main_window import format_sync


def test_the_demo_is_not_a_change_to_send(app):
    fill_demo(app)
    status = app.sync_status()
    assert status.unsent == 0
    assert status.server == ""


def test_the_status_bar_says_there_is_no_server_until_there_is_one():
    assert format_sync(SyncStatus(unsent=12, last_sync=None, last_error=None)) == "Not connected to a server"
    assert format_sync(SyncStatus(unsent=0, last_sync=None, last_error=None)) == "Not connected to a server"
    connected = SyncStatus(unsent=2, last_sync=None, last_error=None, server="https://la.example")
    assert format_sync(connected) == "2 changes waiting to sync · Last sync: never"
