"""The days an outlet is closed whatever its weekly hours: Indonesia's public holidays
(the holidays package) and the closures staff enter (OutletClosure). The one home of
that rule, read by Outlet.period_at(), next_change(), week_hours() and the notices of
the outlet page."""

import dataclasses
import datetime
import functools

import holidays
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

# The holidays package's names for the site's languages (Indonesian by default).
HOLIDAY_LANGUAGES = {"id": "id", "en": "en_US"}
# How far ahead the outlet page tells residents of the days it is closed.
NOTICE_DAYS = 30


@functools.lru_cache(maxsize=16)
def holidays_of(year, language):
    """Indonesia's public holidays of the year, named in the language."""
    # expand=False: a lookup never adds another year to a calendar threads share.
    return holidays.country_holidays("ID", years=year, language=language, expand=False)


def public_holiday(day):
    """The name of Indonesia's public holiday on the date, in the active language
    (Indonesian unless the page is English), or None on other days."""
    language = HOLIDAY_LANGUAGES.get(translation.get_language() or "", "id")
    return holidays_of(day.year, language).get(day)


@dataclasses.dataclass(frozen=True)
class DaysClosed:
    """Days an outlet is closed, first and last included, and why: a public
    holiday's name, or the reason staff gave."""

    starts_on: datetime.date
    ends_on: datetime.date
    reason: str
    holiday: bool = False

    def includes(self, day):
        return self.starts_on <= day <= self.ends_on

    def dates(self):
        """The days as residents read them: "10 Mar", "1–14 Des", "28 Nov – 5 Des"
        (with the years when they differ)."""
        first, last = self.starts_on, self.ends_on
        if first == last:
            return date_format(first, "j M")
        if first.year != last.year:
            return f"{date_format(first, 'j M Y')} – {date_format(last, 'j M Y')}"
        if first.month != last.month:
            return f"{date_format(first, 'j M')} – {date_format(last, 'j M')}"
        return f"{first.day}–{date_format(last, 'j M')}"


def closure_on(outlet, day):
    """Why the outlet is closed all day on the date, whatever its weekly hours (a
    DaysClosed: a closure staff entered, else a public holiday), or None. Reads the
    outlet's closures once (prefetch them: OutletQuerySet.with_opening_state)."""
    for closure in outlet.closures.all():
        if closure.starts_on <= day <= closure.ends_on:
            return DaysClosed(closure.starts_on, closure.ends_on, closure.reason)
    name = public_holiday(day)
    if name:
        return DaysClosed(day, day, name, holiday=True)
    return None


def notices(outlet, today, days=NOTICE_DAYS):
    """What the outlet page tells residents of the days the outlet is closed from
    today to the given number of days ahead, in date order, as sentences ("Tutup
    1–14 Des: renovasi", "Tutup hari ini: Hari Raya Idul Fitri"): see
    days_closed_ahead()."""
    return [notice(closed, today) for closed in days_closed_ahead(outlet, today, days)]


def notice(closed, today):
    """The DaysClosed as the outlet page says it."""
    values = {"dates": closed.dates(), "reason": closed.reason}
    if closed.starts_on == closed.ends_on == today:
        return gettext("Closed today: %(reason)s") % values
    return gettext("Closed %(dates)s: %(reason)s") % values


def days_closed_ahead(outlet, today, days=NOTICE_DAYS):
    """The days the outlet is closed from today to the given number of days ahead
    (DaysClosed, in date order): each closure staff entered overlapping them, and
    each public holiday among them on a weekday the outlet opens (today's whatever
    its hours)."""
    last = today + datetime.timedelta(days=days)
    found = [
        DaysClosed(closure.starts_on, closure.ends_on, closure.reason)
        for closure in outlet.closures.all()
        if closure.starts_on <= last and closure.ends_on >= today
    ]
    weekdays = {hours.weekday for hours in outlet.opening_hours.all()}
    for offset in range(days + 1):
        day = today + datetime.timedelta(days=offset)
        if day != today and day.weekday() not in weekdays:
            continue
        if any(closure.includes(day) for closure in found):
            continue
        name = public_holiday(day)
        if name:
            found.append(DaysClosed(day, day, name, holiday=True))
    return sorted(found, key=lambda closed: (closed.starts_on, closed.ends_on))
