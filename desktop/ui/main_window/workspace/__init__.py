"""The workspace: one unlocked session (workspace.py), assembled from its parts —
the caseload pane (caseload.py), its columns (columns.py), the forms and previews
it opens (commands.py) and the unsaved forms it offers again (unsaved.py)."""

from .workspace import CASELOAD_ENTITIES, Workspace

__all__ = ["CASELOAD_ENTITIES", "Workspace"]
