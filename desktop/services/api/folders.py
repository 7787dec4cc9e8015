"""Work packs and the folders of work issued to pupils and returned."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date

from desktop.domain.enums import (
    ItemStatus,
)
from desktop.domain.records import (
    Folder,
    FolderItem,
    WorkPack,
)

from .. import caseload_sets
from ..errors import NotFound, ValidationError
from ..results import Changes
from .core import Core, _require


class FolderServices(Core):
    """Mixed into `Waymark` (api/facade.py); uses the store, clock and write helpers of `Core`."""

    def add_pack(self, pack: WorkPack) -> Changes:
        pack.title = _require(pack.title, "The pack's title")
        pack.subject = _require(pack.subject, "The pack's subject")
        pack.items = [i.strip() for i in pack.items if i.strip()] or [pack.title]
        return self._insert(pack, pack.title)

    def list_packs(self) -> list[WorkPack]:
        return self.store.find(WorkPack, order_by=["subject", "title"])

    def issue_folder(
        self,
        pupil_id: str,
        pack_ids: Iterable[str],
        *,
        issued_on: date | None = None,
        expected_back: date | None = None,
        issued_by: str = "",
    ) -> Changes:
        self.get_pupil(pupil_id)
        items = []
        for pack_id in pack_ids:
            pack = self._get(WorkPack, pack_id, "work pack")
            items += [FolderItem(pack_id=pack.id, title=t, subject=pack.subject) for t in pack.items]
        if not items:
            raise ValidationError("A folder needs at least one work pack.")
        issued_on = issued_on or self.today()
        if expected_back and expected_back < issued_on:
            raise ValidationError("A folder cannot be expected back before it is issued.")
        folder = Folder(
            pupil_id=pupil_id,
            issued_on=issued_on,
            expected_back=expected_back,
            issued_by=issued_by or self.actor,
            items=items,
        )
        return self._insert(folder, f"{len(items)} item(s)")

    def set_item_status(self, folder_id: str, item_id: str, status: ItemStatus, comment: str | None = None) -> Changes:
        folder = self._get(Folder, folder_id, "folder")
        opened = copy.deepcopy(folder)
        item = next((i for i in folder.items if i.id == item_id), None)
        if item is None:
            raise NotFound(f"No item with id '{item_id}' in that folder.")
        item.status = status
        if comment is not None:
            item.comment = comment
        return self._update(folder, f"{item.title}: {status.label}", opened=opened)

    def return_folder(self, folder_id: str, returned_on: date | None = None) -> Changes:
        folder = self._get(Folder, folder_id, "folder")
        opened = copy.deepcopy(folder)
        if folder.returned_on:
            raise ValidationError(f"That folder was already returned on {folder.returned_on:%d/%m/%Y}.")
        folder.returned_on = returned_on or self.today()
        if folder.returned_on < folder.issued_on:
            raise ValidationError("A folder cannot come back before it was issued.")
        for item in folder.items:
            if item.status in (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS):
                item.status = ItemStatus.RETURNED
        return self._update(folder, "returned", opened=opened)

    def list_folders(self, pupil_id: str | None = None, overdue_only: bool = False) -> list[Folder]:
        equals = {"pupil_id": pupil_id} if pupil_id else {}
        found = self.store.find(Folder, order_by=["-issued_on"], **equals)
        return caseload_sets.list_folders(found, self.today(), overdue_only=overdue_only)

    def get_folder(self, folder_id: str) -> Folder:
        return self._get(Folder, folder_id, "folder")
