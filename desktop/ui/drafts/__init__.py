"""Nothing typed is lost: a form keeps a draft in the encrypted store as the user types.

`DraftKeeper` watches a form's fields and, after a pause in typing, saves their
values through the services on the store thread (`Waymark.save_draft`). It finds
the form's draft again when the form opens (after the idle lock, a crash or a
kill), restores it, and throws it away once the record is saved or the user
chooses to discard what they typed.

`DraftedDialog` is the dialog side: Esc or Cancel on a form with typed text asks
before discarding; the idle lock keeps the draft without asking (the window calls
`keep_all_drafts` before it closes the profile, so the last keystrokes are saved
ahead of the close on the same thread).

Fields are found by their accessible names (every form field has one, for screen
readers), so a form needs no code of its own to be kept; a form whose fields are
not plain widgets can override `draft_fields` / `restore_draft`. A field that only
finds things (a search box) is marked with `not_drafted` and never kept.

One draft per form: a form about a pupil keeps one draft per pupil (its key is the
pupil's id), a form for something new that has no pupil keeps one per kind, and
Log a visit keeps one per visit started (its key is made when the form opens), so
a visit begun for Noah and Lily and another for Kai both survive a lock or a kill.
`DraftsBar` offers every kept draft after unlocking; nothing is thrown away unless
the user says so.
"""

from .bar import DraftsBar
from .dialog import DraftedDialog
from .fields import (
    Fields,
    field_widgets,
    not_drafted,
    read_fields,
    read_widget,
    write_fields,
    write_widget,
)
from .keeper import SAVE_AFTER_MS, DraftKeeper, is_private, keep_all_drafts, open_drafts, when_saved

__all__ = [
    "SAVE_AFTER_MS",
    "DraftKeeper",
    "DraftedDialog",
    "DraftsBar",
    "Fields",
    "field_widgets",
    "is_private",
    "keep_all_drafts",
    "not_drafted",
    "open_drafts",
    "read_fields",
    "read_widget",
    "when_saved",
    "write_fields",
    "write_widget",
]
