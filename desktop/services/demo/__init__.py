"""A realistic demo caseload: families on sites, children in hospital and at
home, six months of visits, folders and progress, and a few things that need
attention. Everything goes through the services, so the demo obeys the same
rules as real use. Deterministic: the same profile every time.

One file per part: places and curriculum (the data), people (families, tutees'
details, the statutory examples), visits (site visits and tuition), work (folders,
progress, plans); state.py holds what the steps share and builder.py runs them."""

from __future__ import annotations

from .builder import fill_demo
from .curriculum import GAPS, NEEDS, PACKS, SUBJECT_LEVELS, TOPICS, key_stage, packs_for
from .people import FAMILIES, HOME, HOSPITAL
from .places import SCHOOLS, SECONDARY, SERVICE_CONTACT, SITES
from .visits import rules_week

__all__ = [
    "FAMILIES",
    "GAPS",
    "HOME",
    "HOSPITAL",
    "NEEDS",
    "PACKS",
    "SCHOOLS",
    "SECONDARY",
    "SERVICE_CONTACT",
    "SITES",
    "SUBJECT_LEVELS",
    "TOPICS",
    "fill_demo",
    "key_stage",
    "packs_for",
    "rules_week",
]
