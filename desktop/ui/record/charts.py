"""The hours chart on the Provision tab: a bar a week against the target."""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import QBarSet, QCategoryAxis, QChart, QChartView, QLineSeries, QStackedBarSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QCursor, QFont, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from desktop.domain.rules import WeekHours

from ..widgets import fmt_date, fmt_hours
from .colours import BELOW_COLOUR, CURRENT_COLOUR, DELIVERED_COLOUR, TARGET_COLOUR
from .provision import hours_summary, week_state


def month_axis(weeks: list[WeekHours]) -> QCategoryAxis:
    """Weeks along the bottom, labelled by month (a label a week would not fit a
    narrow pane): a band per month, from the first week that starts in it."""
    axis = QCategoryAxis()
    axis.setRange(-0.5, len(weeks) - 0.5)
    axis.setStartValue(-0.5)
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionCenter)
    axis.setGridLineVisible(False)
    bands: list[tuple[str, int]] = []  # (label, index of the band's last week)
    for i, week in enumerate(weeks):
        label = f"{week.week_start:%b}" if week.week_start.month != 1 or not bands else f"{week.week_start:%b %Y}"
        if bands and bands[-1][0] == label:
            bands[-1] = (label, i)
        else:
            bands.append((label, i))
    for label, last in bands:
        axis.append(label, last + 0.5)
    return axis


class HoursChart(QChartView):
    """Hours delivered each week as bars, the target as a line; weeks below target
    are drawn in orange (and named in the summary, so colour is not the only signal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Hours delivered each week against the target")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)
        # Nothing to operate: the sentence under the chart carries the same facts for the keyboard and screen reader.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.viewport().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.weeks: list[WeekHours] = []
        self._empty_chart()

    def _empty_chart(self) -> QChart:
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(0)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        old = self.chart()
        self.setChart(chart)
        if old is not None and old is not chart:
            old.deleteLater()
        return chart

    def set_weeks(self, weeks: list[WeekHours], today: date) -> None:
        self.weeks = list(weeks)
        chart = self._empty_chart()
        if not weeks:
            chart.setTitle("No provision recorded")
            self.setAccessibleDescription("No provision recorded.")
            return
        states = [week_state(w, today) for w in weeks]
        bars = QStackedBarSeries()
        bars.setBarWidth(0.7)
        for state, name, colour in (
            ("met", "Delivered", DELIVERED_COLOUR),
            ("below", "Below target", BELOW_COLOUR),
            ("current", "This week so far", CURRENT_COLOUR),
        ):
            if state not in states and state != "met":
                continue
            bar_set = QBarSet(name)
            bar_set.setColor(colour)
            bar_set.setBorderColor(colour)
            bar_set.append([w.delivered if s == state else 0 for w, s in zip(weeks, states, strict=True)])
            bar_set.hovered.connect(self._hovered)
            bars.append(bar_set)
        chart.addSeries(bars)
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() - 1.5, 7))
        x_axis = month_axis(weeks)
        x_axis.setLabelsFont(small)
        top = max(max(w.delivered, w.target, w.planned) for w in weeks)
        y_axis = QValueAxis()
        ceiling = max(5, int(top) + 1)
        step = 1 if ceiling <= 10 else 2 if ceiling <= 20 else 5
        ceiling = -(-ceiling // step) * step
        y_axis.setRange(0, ceiling)
        y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        y_axis.setTickAnchor(0)
        y_axis.setTickInterval(step)
        y_axis.setLabelFormat("%.0f")
        y_axis.setTitleText("Hours")
        y_axis.setLabelsFont(small)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(x_axis)
        bars.attachAxis(y_axis)
        # The target where one applies (tuition); otherwise the hours planned, for reference.
        has_target = any(w.target for w in weeks)
        line = QLineSeries()
        line.setName("Target" if has_target else "Planned")
        pen = QPen(TARGET_COLOUR if has_target else QColor("#7a8593"))
        pen.setWidthF(2)
        pen.setStyle(Qt.PenStyle.DashLine if has_target else Qt.PenStyle.DotLine)
        line.setPen(pen)
        for i, week in enumerate(weeks):  # a step a week, across the whole bar
            value = week.target if has_target else week.planned
            line.append(i - 0.5, value)
            line.append(i + 0.5, value)
        if has_target or any(w.planned for w in weeks):
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)
        self.setAccessibleDescription(hours_summary(weeks, today))

    def _hovered(self, status: bool, index: int) -> None:
        if not status or not 0 <= index < len(self.weeks):
            QToolTip.hideText()
            return
        week = self.weeks[index]
        text = f"Week of {fmt_date(week.week_start)}: {fmt_hours(week.delivered)} delivered"
        if week.target:
            text += f", target {fmt_hours(week.target)}"
        QToolTip.showText(QCursor.pos(), text, self)

    def clear(self) -> None:
        self.weeks = []
        self._empty_chart()
        self.setAccessibleDescription("")
