"""`waymark report ...`: print a report to a PDF file.

    waymark report visit VISIT_ID --out FILE.pdf [--large-print]
    waymark report progress PUPIL_ID --from DATE [--to DATE] --out FILE.pdf
    waymark report hours PUPIL_ID --from DATE [--to DATE] --out FILE.pdf
    waymark report summary --out FILE.pdf

The output path is checked before anything is rendered, and the PDF is
written to a temporary file beside it and renamed into place, so a failure
never leaves a half-written report behind.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from desktop.services import Waymark
from desktop.services.errors import ValidationError
from desktop.services.files import why_not_written, write_private

from ..args import Output, one_line, parse_date

DESCRIPTIONS = {
    "visit": "a visit report: parent / carer, service and base school copies for each pupil seen",
    "progress": "a travel-period progress record for the base school",
    "hours": "an hours statement: hours planned and delivered each week against the target",
    "summary": "the LA caseload summary: the tracking-sheet columns and counts",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help="print a report to a PDF file")
    report.set_defaults(handler=run)
    kinds = report.add_subparsers(dest="report_kind", metavar="REPORT", required=True)

    def kind(name: str, record: str | None = None, period: bool = False) -> argparse.ArgumentParser:
        p = kinds.add_parser(name, help=DESCRIPTIONS[name], description=DESCRIPTIONS[name])
        if record:
            p.add_argument("record_id", metavar=record)
        if period:
            p.add_argument("--from", dest="start", type=parse_date, required=True, help="first day of the period")
            p.add_argument("--to", dest="end", type=parse_date, help="last day of the period (default: today)")
        p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="where to write the PDF")
        p.add_argument("--json", action="store_true", help="print JSON")
        return p

    kind("visit", "VISIT_ID").add_argument(
        "--large-print", action="store_true", help="print the parent / carer copy in large type (16 pt)"
    )
    kind("progress", "PUPIL_ID", period=True)
    kind("hours", "PUPIL_ID", period=True)
    kind("summary")


def check_writable(path: Path) -> Path:
    """Refuse an output path we could not write, before any work is done: the report
    is a PDF, so the name ends .pdf; it replaces only an ordinary file (never a
    device such as /dev/full, whose every write fails); and the folder takes a new
    file (tried for real: /proc passes every permission check and takes none)."""
    path = path.expanduser()
    try:  # a name the file system cannot take fails here, not after the report is rendered and audited
        encoded = os.fsencode(str(path))
    except (UnicodeError, ValueError):
        encoded = b"\x00"
    if b"\x00" in encoded or not path.name:
        raise ValidationError(f"{one_line(path)} is not a file name.")
    if len(os.fsencode(path.name)) > 255:
        raise ValidationError("That file name is too long (at most 255 bytes).")
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; give a file name such as {path / 'report.pdf'}.")
    if path.suffix.lower() != ".pdf":
        raise ValidationError(f"The report is a PDF: give --out a name ending .pdf (not {path.name}).")
    if not folder.is_dir():
        raise ValidationError(f"Cannot write {path}: the folder {folder} does not exist.")
    if path.exists() and not path.is_file():
        raise ValidationError(f"Cannot write {path}: it is not an ordinary file. Choose a file name in a folder.")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValidationError(f"Cannot write {path}: permission denied.")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise ValidationError(
            f"Cannot write {path}: the folder {folder} does not take new files ({exc.strerror or exc})."
        ) from None
    os.close(fd)
    Path(probe).unlink(missing_ok=True)
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, flush to disk, then rename over it in one step; 0600."""
    write_private(path, data)


def run(args: argparse.Namespace, app: Waymark, _output: Output) -> int:
    # Prints its own line: the report's --json carries the path and size, not a record.
    out = check_writable(args.out)
    kind = args.report_kind
    pdf, title = app.report_pdf(  # reportlab loads here, not when the CLI starts
        kind,
        getattr(args, "record_id", ""),
        start=getattr(args, "start", None),
        end=getattr(args, "end", None),
        large_print=getattr(args, "large_print", False),
        purpose="export",  # a file leaves the app: audited as an export
    )
    try:
        write_atomically(out, pdf)
    except OSError as exc:
        raise ValidationError(f"Cannot write {out}: {why_not_written(exc)}; nothing was written.") from None
    if args.json:
        print(json.dumps({"path": str(out), "report": kind, "title": title, "bytes": len(pdf)}, ensure_ascii=False))
    else:
        print(f"Wrote the {kind} report to {out} ({len(pdf) // 1024 + 1} KB).")
    return 0
