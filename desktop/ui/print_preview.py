"""Print preview: the report's own PDF bytes shown with QtPdf, so what the user
sees is exactly what prints; Print renders those same pages onto a QPrinter,
and Save as PDF writes the bytes unchanged.

The PDF is held in memory only (a QBuffer, never a temporary file): reports
carry pupils' details and the device's disk is no place to leave a copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QPointF, QRect, QSize, QStandardPaths, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtPdf import QPdfBookmarkModel, QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.files import FULL, why_not_written, write_private

from .widgets import Banner

MAX_PRINT_DPI = 300  # enough for text; A4 at 600 dpi would be a 140 MB image a page


class PrintError(Exception):
    """Printing could not start; the message is for the user."""


def print_pdf(document: QPdfDocument, printer: QPrinter, pages: list[int] | None = None) -> int:
    """Render the document's pages onto the printer, each scaled to fit the paper
    and centred: `pages` (0-based) if given, else the page range chosen in the
    print dialog, else every page. Returns the number of pages sent."""
    count = document.pageCount()
    first, last = 1, count
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), min(printer.toPage() or count, count)
    chosen = [p for p in pages if 0 <= p < count] if pages is not None else list(range(first - 1, last))
    printer.setFullPage(True)  # the PDF has its own margins; map page to paper one to one
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError("The printer could not be started. Check it is connected and try again.")
    sent = 0
    try:
        paper = printer.paperRect(QPrinter.Unit.DevicePixel).toRect()
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        device_per_point = printer.resolution() / 72
        for page in chosen:
            if sent:
                printer.newPage()
            points = document.pagePointSize(page)
            scale = min(
                paper.width() / (points.width() * device_per_point),
                paper.height() / (points.height() * device_per_point),
                1.0,
            )
            width = round(points.width() * device_per_point * scale)
            height = round(points.height() * device_per_point * scale)
            target = QRect(
                QPoint(paper.x() + (paper.width() - width) // 2, paper.y() + (paper.height() - height) // 2),
                QSize(width, height),
            )
            image = document.render(
                page,
                QSize(round(points.width() / 72 * dpi * scale), round(points.height() / 72 * dpi * scale)),
                QPdfDocumentRenderOptions(),
            )
            painter.drawImage(target, image)
            sent += 1
    finally:
        painter.end()
    return sent


@dataclass(frozen=True)
class CopyPages:
    """One copy of a report (from the PDF's outline): "Parent / carer copy — Lily Smith"."""

    title: str
    pages: tuple[int, ...]  # 0-based

    @property
    def kind(self) -> str:
        return self.title.rsplit(" — ", 1)[0]


def report_copies(document: QPdfDocument) -> list[CopyPages]:
    """The copies a report is made of, read from its outline (the visit report names
    each copy there); none for a report without one."""
    model = QPdfBookmarkModel()
    model.setDocument(document)
    marks = []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        title = index.data(int(QPdfBookmarkModel.Role.Title))
        page = index.data(int(QPdfBookmarkModel.Role.Page))
        if title and page is not None and 0 <= int(page) < document.pageCount():
            marks.append((str(title), int(page)))
    copies = []
    for i, (title, first) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else document.pageCount()
        copies.append(CopyPages(title, tuple(range(first, max(end, first + 1)))))
    return copies


def suggested_filename(title: str) -> str:
    """A plain file name from the report's title: no path, nothing a file system dislikes."""
    stem = re.sub(r"[^\w\- ]+", "", title, flags=re.UNICODE).strip()
    stem = re.sub(r"\s+", " ", stem) or "Waymark report"
    return f"{stem}.pdf"


class PrintPreviewDialog(QDialog):
    """Preview a report's PDF; Print (Ctrl+P), print some of its copies (Ctrl+Shift+P),
    Save as PDF (Ctrl+S), previous and next page (Ctrl+PgUp, Ctrl+PgDown). When a
    parent or carer needs help reading, it offers the large-print parent's copy:
    `rerender(large)` makes the report again and hands it to `replace_pdf`."""

    def __init__(
        self,
        pdf_bytes: bytes,
        title: str,
        parent: QWidget | None = None,
        *,
        large_print_offer: str = "",
        rerender: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — print preview")
        self.setAccessibleName(f"Print preview: {title}")
        self._title = title
        self._pdf_bytes = bytes(pdf_bytes)
        self._rerender = rerender

        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(self._pdf_bytes))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self)
        self.view.setAccessibleName("Report pages")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setStyleSheet("QPdfView { background: #8a9099; }")

        self.banner = Banner(self)
        self.page_label = QLabel(self)
        self.page_label.setAccessibleName("Page")
        self.page_label.setObjectName("hint")

        toolbar = QToolBar("Print preview", self)
        toolbar.setAccessibleName("Print preview tools")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.print_action = self._action(toolbar, "&Print…", QKeySequence.StandardKey.Print, self.print_report)
        self.copies_menu = QMenu("Print copies", self)
        self.copies_menu.setAccessibleName("Print some of the copies")
        self.copies_action = self._action(toolbar, "Print c&opies", QKeySequence("Ctrl+Shift+P"), self._show_copies)
        self.copies_action.setMenu(self.copies_menu)
        toolbar.widgetForAction(self.copies_action).setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.save_action = self._action(toolbar, "&Save as PDF…", QKeySequence.StandardKey.Save, self.save_report)
        self.large_print_action = self._action(
            toolbar, "&Large print", QKeySequence("Ctrl+Shift+L"), lambda: self._large_print_toggled()
        )
        self.large_print_action.setCheckable(True)
        self.large_print_action.setVisible(bool(large_print_offer and rerender))
        toolbar.addSeparator()
        self.previous_action = self._action(toolbar, "Pre&vious", QKeySequence("Ctrl+PgUp"), lambda: self.go_to(-1))
        toolbar.addWidget(self.page_label)
        self.next_action = self._action(toolbar, "&Next", QKeySequence("Ctrl+PgDown"), lambda: self.go_to(+1))
        toolbar.addSeparator()
        # Zoom is − and + on the bar (its names are for screen readers and tooltips), so the bar
        # fits a 1366x768 laptop with every button showing.
        self._action(toolbar, "Zoom out", QKeySequence.StandardKey.ZoomOut, lambda: self._zoom(1 / 1.25)).setIconText(
            "−"
        )
        self._action(toolbar, "Zoom in", QKeySequence.StandardKey.ZoomIn, lambda: self._zoom(1.25)).setIconText("+")
        self._action(toolbar, "Fit width", QKeySequence("Ctrl+0"), self._fit_width)
        self._action(toolbar, "Whole page", QKeySequence("Ctrl+9"), self._fit_page)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self._action(toolbar, "Close", QKeySequence.StandardKey.Close, self.reject)
        for button in toolbar.findChildren(QToolButton):  # reachable by Tab, not only by mouse
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus if button.defaultAction() else Qt.FocusPolicy.NoFocus)
            if not button.defaultAction():
                button.setAccessibleName("More tools")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)

        self.view.pageNavigator().currentPageChanged.connect(self._show_page)
        self._fill_copies()
        self._show_page(0)
        if large_print_offer and rerender:
            self.banner.show_message(
                f"{large_print_offer} Large print (Ctrl+Shift+L) prints the parent / carer copy in 16 point type.",
                "info",
            )
        if self.document.status() == QPdfDocument.Status.Error or self.document.pageCount() == 0:
            self.banner.show_message("This report could not be displayed; it was not made correctly. Nothing was lost.")
            self.print_action.setEnabled(False)
            self.save_action.setEnabled(False)
        self._size_to_screen()
        self.view.setFocus()

    # --- pieces ---------------------------------------------------------------------------

    def _action(self, toolbar: QToolBar, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(shortcut)
        action.triggered.connect(slot)
        toolbar.addAction(action)
        button = toolbar.widgetForAction(action)
        plain = text.replace("&", "").strip("▾◀▶ ").rstrip("…")
        button.setAccessibleName(plain)
        shortcut_text = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{plain} ({shortcut_text})" if shortcut_text else plain)
        return action

    def _size_to_screen(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else QRect(0, 0, 1366, 768)
        self.resize(min(1240, int(screen.width() * 0.92)), int(screen.height() * 0.9))

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def _show_page(self, page: int) -> None:
        count = self.document.pageCount()
        self.page_label.setText(f"Page {page + 1} of {count}" if count else "")
        self.previous_action.setEnabled(page > 0)
        self.next_action.setEnabled(page + 1 < count)

    @property
    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to(self, step: int) -> None:
        """The previous (-1) or next (+1) page."""
        page = max(0, min(self.current_page + step, self.document.pageCount() - 1))
        self.view.pageNavigator().jump(page, QPointF(0, 0), self.view.zoomFactor())

    # --- copies --------------------------------------------------------------------------

    def _fill_copies(self) -> None:
        """Each kind of copy (all the parents' copies of a sibling visit), then each copy."""
        self.copies = report_copies(self.document)
        self.copies_menu.clear()
        kinds: dict[str, list[CopyPages]] = {}
        for copy in self.copies:
            kinds.setdefault(copy.kind, []).append(copy)
        for kind, copies in kinds.items():
            if len(copies) > 1:
                pages = [p for c in copies for p in c.pages]
                label = f"Every {kind[0].lower() + kind[1:]} ({len(copies)})"
                self.copies_menu.addAction(label, lambda p=pages, t=label: self.print_pages(p, t))
        if len(kinds) and any(len(c) > 1 for c in kinds.values()):
            self.copies_menu.addSeparator()
        for copy in self.copies:
            self.copies_menu.addAction(copy.title, lambda c=copy: self.print_pages(list(c.pages), c.title))
        self.copies_action.setVisible(len(self.copies) > 1)

    def _show_copies(self) -> None:
        button = self.findChild(QToolBar).widgetForAction(self.copies_action)
        self.copies_menu.popup(button.mapToGlobal(button.rect().bottomLeft()))

    def print_pages(self, pages: list[int], what: str) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"{self._title}: {what}")
        printer.setCreator("Waymark")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Print {what}")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer, pages)

    # --- large print ------------------------------------------------------------------------

    def _large_print_toggled(self) -> None:
        if self._rerender is not None:
            self.large_print_action.setEnabled(False)  # until the report comes back
            self._rerender(self.large_print_action.isChecked())

    def replace_pdf(self, pdf_bytes: bytes) -> None:
        """Show a report made again (large print on or off), on the same page."""
        page = self.current_page
        self._pdf_bytes = bytes(pdf_bytes)
        self.document.close()
        self._buffer.close()
        self._buffer.setData(QByteArray(self._pdf_bytes))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        self._fill_copies()
        self.large_print_action.setEnabled(True)
        self.go_to(page - self.current_page)
        self._show_page(self.current_page)

    def _zoom(self, factor: float) -> None:
        current = self.view.zoomFactor()
        if self.view.zoomMode() != QPdfView.ZoomMode.Custom:
            # The fitted zoom is not reported as a factor; start from the page's width on screen.
            points = self.document.pagePointSize(0)
            current = (self.view.viewport().width() - 24) / max(points.width() * self.logicalDpiX() / 72, 1)
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(current * factor, 4.0)))

    def _fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def _fit_page(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)

    # --- print and save -----------------------------------------------------------------------

    def print_report(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._title)
        printer.setCreator("Waymark")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Print {self._title}")
        dialog.setMinMax(1, self.page_count)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter, pages: list[int] | None = None) -> bool:
        try:
            sent = print_pdf(self.document, printer, pages)
        except PrintError as exc:
            self.banner.show_message(str(exc))
            return False
        self.banner.show_message(f"Sent {sent} page{'s' if sent != 1 else ''} to the printer.", "info")
        return True

    def save_report(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _ = QFileDialog.getSaveFileName(
            self, "Save as PDF", str(Path(folder) / suggested_filename(self._title)), "PDF documents (*.pdf)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            write_private(path, self._pdf_bytes)  # 0600, as the CLI writes: a report can carry a UPN or an address
        except OSError as exc:
            # One sentence; the write went beside the target and was removed, so nothing is left there.
            instead = "free some space or choose another folder" if exc.errno in FULL else "choose another folder"
            self.banner.show_message(
                f"The report was not saved because {why_not_written(exc)}; nothing was left in that folder, "
                f"so {instead} and save again."
            )
            return False
        self.banner.show_message(f"Saved as {path.name}.", "info")
        return True
