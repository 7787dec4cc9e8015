"""The summary's counts as the JSON `/v1/overview` answers with."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from desktop.reports.data import CaseloadSummary, OverdueItem

LEFT_OUT = "records this server could not make into the desktop's records (their own rules refused them)"


def counts(summary: CaseloadSummary | None, on: date, left_out: int = 0) -> dict[str, Any]:
    """By cohort, provision type and hours band; reviews overdue; folders not returned;
    and how many records were left out of them, and why. `summary` None: an empty
    caseload (counted as nothing, on `on`)."""
    skipped = {"count": left_out, "reason": LEFT_OUT if left_out else ""}
    if summary is None:
        return {"on": on.isoformat(), "pupils": 0, "by_cohort": {}, "by_provision": {}, "by_hours_band": {},
                "not_banded": 0, "reviews_overdue": [], "folders_out": 0, "folders_overdue": [],
                "left_out": skipped}  # fmt: skip

    def items(overdue: tuple[OverdueItem, ...]) -> list[dict]:
        return [asdict(i) | {"due": i.due.isoformat() if i.due else None} for i in overdue]

    return {
        "on": summary.on.isoformat(),
        "hours_week_start": summary.hours_week_start.isoformat(),
        "pupils": len(summary.rows),
        "by_cohort": dict(summary.by_cohort),
        "by_provision": dict(summary.by_provision),
        "by_hours_band": dict(summary.by_hours_band),
        "not_banded": summary.not_banded,
        "reviews_overdue": items(summary.reviews_overdue),
        "folders_out": summary.folders_out,
        "folders_overdue": items(summary.folders_overdue),
        "left_out": skipped,
    }
