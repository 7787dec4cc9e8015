"""The one API the desktop UI and the CLI call.

`Waymark` wraps an open store. Every mutation validates its input first (so
bad input changes nothing) and returns a `Changes` value naming what it
touched; views use it to decide whether to redraw. Reads return domain
records or small view records, never rows or sessions.

One file per part (api/core.py: the store, clock, settings and write helpers;
profile, pupils, visits, folders, plans, caseload, records), mixed together into
`Waymark` in api/facade.py. Import it from here: `from desktop.services.api import Waymark`.
"""

from __future__ import annotations

from .facade import Waymark
from .pupils import PART_TIME_CONSENT

__all__ = ["PART_TIME_CONSENT", "Waymark"]
