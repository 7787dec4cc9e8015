"""`waymark-server`: run the LA server and manage its users and devices.

Errors print one line and exit with status 2; nothing is changed. `main.py` is
the entry point (the parser, the database, the errors); each noun (serve, user,
device, caseload, audit, policy, db) is a module holding its sub-parser and
its actions.
"""

from .main import build_parser, main
from .serve import APP_URL, CONNECTIONS, app_from_environment

__all__ = ["APP_URL", "CONNECTIONS", "app_from_environment", "build_parser", "main"]
