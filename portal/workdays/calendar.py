"""Working-day arithmetic (工作日): the administrator's overrides, then chinesecalendar, then rules.

A day is a working day according to, in this order:

1. the administrator's override for that date (a holiday is off, a make-up working day 调休 is on);
2. for a year an administrator marked official: Monday to Friday (the notice's holidays and
   make-up days are all in the overrides, so no rules are guessed for it);
3. ``chinesecalendar`` for the years it carries (1.11.0: 2004–2026);
4. otherwise the rule-based fallback: weekends off and the public holidays of ``holidays``' China
   calendar (which works out the lunar dates); no 调休 is guessed.

A deadline that counts through a day of a year known only to the fallback is *provisional*.
The day of receipt is not counted: counting starts on the next working day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays as holiday_rules

SHANGHAI = ZoneInfo("Asia/Shanghai")

OFFICIAL_PACKAGE = "official-package"
OFFICIAL_ADMIN = "official-admin"
PROVISIONAL = "provisional"

# Days loaded beyond the rough estimate of where a count ends (long holidays, several of them).
_MARGIN_DAYS = 40


class Deadline(NamedTuple):
    date: date
    provisional: bool


class Overrides(NamedTuple):
    """What the administrators entered: the override days of a date range, every official year."""

    days: dict[date, bool]  # date → is a working day
    official_years: frozenset[int]


# Loads the overrides of an inclusive date range; the database one is in portal.workdays.store.
Loader = Callable[[date, date], Overrides]


def local_date(moment: datetime) -> date:
    """The date in Asia/Shanghai of an aware datetime (naive ones are refused: which zone?)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("local_date needs an aware datetime")
    return moment.astimezone(SHANGHAI).date()


def today() -> date:
    return local_date(datetime.now(UTC))


def _plus(day: date, days: int) -> date:
    """``day`` + ``days``, stopping at the last date there is."""
    return day + timedelta(days=min(days, (date.max - day).days))


# --- what the packages know ---------------------------------------------------------------------


@lru_cache(maxsize=512)
def package_knows(year: int) -> bool:
    """Whether chinesecalendar carries ``year`` (asked, not assumed: newer releases know more)."""
    if not 1 <= year <= 9999:
        return False
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def _package_is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # pragma: no cover - package_knows said yes
        return _rules_is_workday(day)


@lru_cache(maxsize=64)
def rule_holidays(year: int, language: str = "zh_CN") -> dict[date, str]:
    """The fallback's public holidays of ``year`` with their names (empty if the rules fail)."""
    try:
        calendar = holiday_rules.country_holidays("CN", years=year, language=language)
        return dict(calendar.items())
    except Exception:  # a broken rule set must not stop deadlines
        return {}


def _rules_is_workday(day: date) -> bool:
    return day.weekday() < 5 and day not in rule_holidays(day.year)


# --- the calendar -------------------------------------------------------------------------------


class WorkCalendar:
    """The working-day rules over a loader of overrides; loads each range it needs once."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader
        self._days: dict[date, bool] = {}
        self._official: set[int] = set()
        self._loaded: list[tuple[date, date]] = []

    def _covered(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self._loaded)

    def load(self, first: date, last: date) -> None:
        """Load the overrides of ``first``…``last`` (inclusive) in one go."""
        if any(start <= first and last <= end for start, end in self._loaded):
            return
        overrides = self._loader(first, last)
        self._days.update(overrides.days)
        self._official.update(overrides.official_years)
        self._loaded.append((first, last))

    def _ensure(self, day: date) -> None:
        if not self._covered(day):
            self.load(day, _plus(day, _MARGIN_DAYS))

    def official_years(self) -> set[int]:
        """Years an administrator marked official (every load brings them all: a handful of rows)."""
        if not self._loaded:
            first = today()
            self.load(first, first)
        return self._official

    def year_status(self, year: int) -> str:
        if year in self.official_years():
            return OFFICIAL_ADMIN
        if package_knows(year):
            return OFFICIAL_PACKAGE
        return PROVISIONAL

    def is_working_day(self, day: date) -> bool:
        self._ensure(day)
        override = self._days.get(day)
        if override is not None:
            return override
        if day.year in self._official:
            return day.weekday() < 5
        if package_knows(day.year):
            return _package_is_workday(day)
        return _rules_is_workday(day)

    def is_provisional_year(self, year: int) -> bool:
        return year not in self.official_years() and not package_knows(year)

    def add_working_days(self, start: date, days: int) -> Deadline:
        """The date ``days`` working days after ``start``, not counting ``start`` itself."""
        if days < 0:
            raise ValueError("days must be >= 0")
        # Working days are about 5/7 of all days; long holidays are covered by the margin.
        self.load(start, _plus(start, days * 7 // 5 + _MARGIN_DAYS))
        if days == 0:
            return Deadline(start, self.is_provisional_year(start.year))
        provisional = False
        day = start
        remaining = days
        limit = _plus(start, days * 7 + 3660)  # refuses an all-holiday calendar
        while remaining:
            if day >= limit:
                raise ValueError("no working days in the calendar")
            day += timedelta(days=1)
            provisional = provisional or self.is_provisional_year(day.year)
            if self.is_working_day(day):
                remaining -= 1
        return Deadline(day, provisional)


def no_overrides(first: date, last: date) -> Overrides:
    """A loader for a calendar without administrators' entries (the packages and rules only)."""
    return Overrides({}, frozenset())
