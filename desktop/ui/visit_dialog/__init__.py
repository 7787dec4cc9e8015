"""Log a visit: quicker than the paper form.

Opened pre-filled by the services (`visit_defaults`): today, where the pupil is
staying, the siblings seen there last time (ticked), the usual times, and each
child's subjects from their own last visit. A typical visit is: Ctrl+N, type
what was covered, Alt+S ("same as last time": each child's own work set), Alt+F
and a note for the family, Ctrl+Return. Every field has a mnemonic (Alt+letter).

Each child on the visit has their own entry. While *Same work for all* is on
(the common case) one form serves every child; turned off (Alt+L), each child
gets a tab of their own (Alt+1, Alt+2, …), starting from what was typed for
all. A child who was there but not taught is marked *not seen* with a reason
(Alt+C, for the child selected in the list): they count no hours.
"""

from .context import VisitContext, load_context
from .dialog import VisitDialog
from .entry import SubjectsEdit, split_subjects

__all__ = ["SubjectsEdit", "VisitContext", "VisitDialog", "load_context", "split_subjects"]
