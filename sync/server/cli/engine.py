"""The database a command works on, brought up to date before it is used."""

from __future__ import annotations

import argparse
import os

from sqlalchemy import Engine

from .. import db


def open_engine(args: argparse.Namespace) -> Engine:
    url = db.database_url(args.database or os.environ.get("WAYMARK_SERVER_DATABASE"), args.data_dir)
    engine = db.make_engine(url)
    if not db.is_current(engine):
        db.upgrade(engine)
    return engine
