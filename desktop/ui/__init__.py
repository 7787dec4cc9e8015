"""The desktop app's windows, dialogs and Qt models.

The UI calls only the services (`desktop.services.Waymark`), and only through
`desktop.tasks.TaskRunner`, so store work never runs on the UI thread.
"""
