"""The command line reads a date as the app's forms do (domain/dates.py), so a date typed
one way in a dialog is never refused the same way at the prompt."""

from __future__ import annotations

import argparse
from datetime import date

import pytest

from desktop.cli.args import fmt_date, parse_date
from desktop.domain.dates import parse_date as form_date


@pytest.mark.parametrize(
    "typed", ["30/11/2026", "30.11.26", "30-11-2026", "30 Nov 2026", "30 November 2026", "2026-11-30"]
)
def test_the_cli_takes_every_date_a_form_takes(typed):
    assert parse_date(typed) == form_date(typed) == date(2026, 11, 30)


def test_a_date_that_does_not_exist_is_one_clear_sentence():
    with pytest.raises(argparse.ArgumentTypeError, match="'31/02/2026' is not a date that exists"):
        parse_date("31/02/2026")


def test_dates_are_shown_as_the_app_shows_them():
    assert fmt_date(date(2026, 11, 3)) == "3 Nov 2026" and fmt_date(None) == "—"
