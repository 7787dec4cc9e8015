"""`waymark export subject-access PUPIL_ID --out DIR [--include-restricted]`:
everything held about a pupil (UK GDPR article 15), as JSON and a readable PDF.

The folder is made if missing (readable by you only); the files are written
beside their final names and renamed into place, readable by you only.
Safeguarding concerns are included only with --include-restricted; making the
copy is written to the audit trail either way.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from desktop.services import ValidationError, Waymark
from desktop.services.files import why_not_written, write_private_all

from ..args import Output


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("export", help="export records (subject access)")
    noun.set_defaults(handler=run)
    kinds = noun.add_subparsers(dest="export_kind", metavar="EXPORT", required=True)
    p = kinds.add_parser(
        "subject-access",
        help="everything held about a pupil, as JSON and PDF",
        description="Everything held about a pupil, as subject-access.json and subject-access.pdf in DIR.",
    )
    p.add_argument("pupil_id", metavar="PUPIL_ID")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder to write the two files to")
    p.add_argument(
        "--include-restricted", action="store_true", help="include safeguarding concerns (the read is audited)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")


def _folder(path: Path) -> Path:
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        raise ValidationError(f"{path} is a file; give a folder for the two files.")
    if not path.exists():
        if not path.parent.is_dir():
            raise ValidationError(f"Cannot write to {path}: the folder {path.parent} does not exist.")
        try:
            path.mkdir(mode=0o700)
        except OSError as exc:
            raise ValidationError(f"Cannot make {path}: {exc.strerror or exc}.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValidationError(f"Cannot write to {path}: permission denied.")
    return path


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    folder = _folder(args.out)
    app.get_pupil(args.pupil_id)  # an unknown pupil says so before anything is made
    copy = app.subject_access(args.pupil_id, include_restricted=args.include_restricted)
    paths = {"json": folder / "subject-access.json", "pdf": folder / "subject-access.pdf"}
    try:
        write_private_all([(paths["json"], copy.json_bytes), (paths["pdf"], copy.pdf_bytes)])  # both or neither
    except OSError as exc:
        raise ValidationError(f"Cannot write to {folder}: {why_not_written(exc)}; neither file was written.") from None
    data = {k: str(v) for k, v in paths.items()} | {"includes_restricted": copy.includes_restricted}
    if out.as_json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        extra = " Safeguarding concerns are included." if copy.includes_restricted else ""
        print(f"Wrote {paths['json']} and {paths['pdf']}.{extra}")
    return 0
