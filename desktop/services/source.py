"""What the audit and UK GDPR modules (audit_trail, subject_access, erasure,
keyring_unlock) read from the services. `Waymark` is one; naming it here
rather than importing `api` keeps the import graph free of cycles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from desktop.domain.records import Concern, Pupil
from desktop.store import Store

from .results import PupilRecord, Settings


class RecordSource(Protocol):
    store: Store
    today: Callable[[], date]
    _keyring_change: bool

    @property
    def actor(self) -> str: ...
    def settings(self) -> Settings: ...
    def update_settings(self, **values: object) -> Settings: ...
    def get_pupil(self, pupil_id: str) -> Pupil: ...
    def list_pupils(self, include_archived: bool = False) -> list[Pupil]: ...
    def pupil_record(self, pupil_id: str) -> PupilRecord: ...
    def list_concerns(self, pupil_id: str) -> list[Concern]: ...
    def close(self) -> None: ...
