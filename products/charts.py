"""Small charts drawn on the server as inline SVG, each with its numbers as a table
too: the staff summary's horizontal bar charts (BarChart) and the owners' daily
column charts (ColumnChart). Here, in products, so that both apps use them
(products never imports outlets)."""

from dataclasses import dataclass, field

from django.utils.formats import date_format

# Charts are drawn in a viewBox this wide; at a phone's width one unit is about one
# pixel, so the 13-unit labels stay readable when the SVG scales to fit.
CHART_WIDTH = 330
# Room right of the longest bar for its value.
VALUE_SPACE = 48
ROW_HEIGHT = 38
BAR_HEIGHT = 14


def percent_of(part, whole):
    """part as a whole percentage of whole, within 0–100 (100 when whole is 0 and
    part is not, 0 when both are)."""
    if whole <= 0:
        return 100 if part > 0 else 0
    return max(0, min(100, round(100 * part / whole)))


@dataclass
class Bar:
    """One row of a bar chart: a label, its count and where the count is listed."""

    label: str
    value: int
    url: str = ""
    percent: int = 0
    length: float = 0
    top: int = 0

    @property
    def label_y(self):
        return self.top + 13

    @property
    def bar_y(self):
        return self.top + 18

    @property
    def value_x(self):
        return round(self.length + 5, 1)

    @property
    def value_y(self):
        return self.top + 18 + BAR_HEIGHT - 2


@dataclass
class BarChart:
    """A horizontal bar chart: each bar's length is its share of the largest value."""

    id: str
    title: str
    bars: list = field(default_factory=list)
    width: int = CHART_WIDTH

    def __post_init__(self):
        largest = max((bar.value for bar in self.bars), default=0)
        for index, bar in enumerate(self.bars):
            bar.percent = percent_of(bar.value, largest)
            bar.length = round(self.track_width * bar.percent / 100, 1)
            if bar.value and bar.length < 2:
                bar.length = 2  # a count of one among thousands still shows
            bar.top = index * ROW_HEIGHT

    @property
    def height(self):
        return len(self.bars) * ROW_HEIGHT + 4

    @property
    def track_width(self):
        return self.width - VALUE_SPACE

    @property
    def bar_height(self):
        return BAR_HEIGHT

    @property
    def summary(self):
        """The chart as a sentence, for screen readers."""
        return "; ".join(f"{bar.label}: {bar.value}" for bar in self.bars)


# A column chart: the scale's labels left of the plot, the first and last day's
# dates below it.
SCALE_SPACE = 30
PLOT_TOP = 8
PLOT_HEIGHT = 72
DATE_SPACE = 20


@dataclass
class Column:
    """One day of a column chart."""

    day: object  # datetime.date
    value: int
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0

    @property
    def label(self):
        return date_format(self.day, "j M")


@dataclass
class ColumnChart:
    """Vertical columns, one per day, oldest first: each column's height is its share
    of the largest value, which the scale names. `kind` names the series for the
    stylesheet (its colour); the title, not the colour, tells the charts apart."""

    id: str
    title: str
    kind: str
    columns: list = field(default_factory=list)
    width: int = CHART_WIDTH

    def __post_init__(self):
        count = len(self.columns) or 1
        step = (self.width - SCALE_SPACE) / count
        largest = self.largest
        for index, column in enumerate(self.columns):
            column.width = round(max(step * 0.7, 1), 2)
            column.x = round(SCALE_SPACE + index * step + (step - column.width) / 2, 2)
            height = PLOT_HEIGHT * column.value / largest if largest else 0
            if column.value and height < 2:
                height = 2  # one among many still shows
            column.height = round(height, 2)
            column.y = round(self.baseline - height, 2)

    @property
    def largest(self):
        return max((column.value for column in self.columns), default=0)

    @property
    def total(self):
        return sum(column.value for column in self.columns)

    @property
    def plot_top(self):
        return PLOT_TOP

    @property
    def baseline(self):
        return PLOT_TOP + PLOT_HEIGHT

    @property
    def height(self):
        return self.baseline + DATE_SPACE

    @property
    def scale_x(self):
        """Where the scale's labels end (right-aligned)."""
        return SCALE_SPACE - 6

    @property
    def scale_top_y(self):
        return PLOT_TOP + 5

    @property
    def scale_bottom_y(self):
        return self.baseline + 4

    @property
    def date_y(self):
        return self.baseline + 16

    @property
    def plot_left(self):
        return SCALE_SPACE

    @property
    def first(self):
        return self.columns[0] if self.columns else None

    @property
    def last(self):
        return self.columns[-1] if self.columns else None

    @property
    def busiest(self):
        """The day with the largest value (the latest of equals), or None if all
        are zero."""
        best = None
        for column in self.columns:
            if column.value and (best is None or column.value >= best.value):
                best = column
        return best
