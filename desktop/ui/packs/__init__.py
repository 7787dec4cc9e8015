"""Work packs and distance-learning folders.

Packs are provided before a period of travel; a folder issued from them goes
with the family and its items come back returned and marked. Packs that do not
come back are a signal (DOMAIN.md, "The distance-learning folder"), so an
overdue folder stands out in red on the pupil's record.

- `PackLibraryDialog`: the pack library (find, look inside, add).
- `AddPackDialog`: a new pack, one item a line.
- `IssueFolderDialog`: issue a folder to a pupil from packs, with an expected-back date.
- `FoldersPanel`: a pupil's folders and items, used by the pupil record.

A file per part: library.py, issue.py, folders.py, over shared.py.
"""

from .folders import FoldersPanel, folder_overdue
from .issue import IssueChoices, IssueFolderDialog, load_issue_choices
from .library import AddPackDialog, PackLibraryDialog
from .shared import (
    DEFAULT_WEEKS_AWAY,
    FOLDER_ROLE,
    ID_ROLE,
    KEY_STAGES,
    OVERDUE_BACKGROUND,
    OVERDUE_TEXT,
    RETURNED_TEXT,
    STATUS_COLOURS,
    pack_years,
    suits,
)

__all__ = [
    "DEFAULT_WEEKS_AWAY",
    "FOLDER_ROLE",
    "ID_ROLE",
    "KEY_STAGES",
    "OVERDUE_BACKGROUND",
    "OVERDUE_TEXT",
    "RETURNED_TEXT",
    "STATUS_COLOURS",
    "AddPackDialog",
    "FoldersPanel",
    "IssueChoices",
    "IssueFolderDialog",
    "PackLibraryDialog",
    "folder_overdue",
    "load_issue_choices",
    "pack_years",
    "suits",
]
