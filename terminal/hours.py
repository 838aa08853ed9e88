"""Opening hours: when the kiosk serves villagers, and when it sleeps (the black screen).

`[kiosk] opening_hours` in kiosk.toml, in the village's time zone (`[kiosk] timezone`):

    opening_hours = "07:00-21:00"                            # every day
    opening_hours = "mon-fri 07:00-16:00; sat 08:00-12:00"   # the other days closed
    opening_hours = "mon-fri 07:00-12:00, 13:00-16:00"       # a lunch break
    opening_hours = "06:00-22:00; sun closed"                # a later rule overrides its days
    opening_hours = "fri,sat 18:00-01:00"                    # past midnight, into the next day

Rules are separated by ";". A rule is optional days — `mon tue wed thu fri sat sun`, a range
`mon-fri` (`fri-mon` wraps), or a list `mon,wed,fri` — then one or more spans `HH:MM-HH:MM`
separated by ",", or the word `closed`. A rule without days means every day; a rule names
days only for itself, and a later rule replaces the hours of the days it names (days no rule
names are closed). Times run from 00:00 to 24:00 (`07.00` is read as `07:00`); a span that
ends at or before its start runs past midnight. Without the setting the kiosk is always open.
No Qt here: the UI asks `Kiosk.check_hours()` (terminal/kiosk.py) and renders the session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
DAY_MINUTES = 24 * 60
_SPAN = re.compile(r"^(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})$")
_HOURS_START = re.compile(r"(\d|closed\b)")

Span = tuple[int, int]  # minutes after the day's midnight: start, end (end > 1440: next day)


@dataclass(frozen=True)
class Closure:
    """The kiosk is closed; it opens again at `opens_at` (village time). `say_day`: that is
    more than a night away, so say the day ("Senin"), not just the time."""

    opens_at: datetime
    say_day: bool = False


@dataclass(frozen=True)
class OpeningHours:
    """The spans of each weekday (Monday first). `text` is what the configuration said."""

    week: tuple[tuple[Span, ...], ...]
    text: str = ""

    @property
    def always_open(self) -> bool:
        return all(spans == ((0, DAY_MINUTES),) for spans in self.week)

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        """The hours `text` says; ValueError with a sentence saying what is wrong."""
        if not isinstance(text, str):
            raise ValueError('must be a text, like "07:00-21:00" or "mon-fri 07:00-16:00"')
        week: list[tuple[Span, ...]] = [() for _ in DAYS]
        rules = [r.strip() for r in text.lower().split(";")]
        if not any(rules):
            raise ValueError('is empty: leave the setting out for a kiosk that is always open, '
                             'or write hours like "07:00-21:00"')
        for rule in filter(None, rules):
            found = _HOURS_START.search(rule)
            if found is None:
                raise ValueError(f'"{rule}" has no hours (e.g. "mon-fri 07:00-16:00", or '
                                 f'"sun closed")')
            days = _days(rule[:found.start()].strip(), rule)
            spans = _spans(rule[found.start():].strip(), rule)
            for day in days:
                week[day] = spans
        if not any(week):
            raise ValueError(f'"{text}" never opens: every day is closed')
        return cls(tuple(week), text)

    # -- when --------------------------------------------------------------------------------

    def _intervals(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """The opening intervals from the day before `now` to a week after, joined where one
        ends as the next begins; in `now`'s time zone."""
        tz = now.tzinfo
        start = now.date() - timedelta(days=1)
        found = []
        for n in range(9):
            day = start + timedelta(days=n)
            midnight = datetime.combine(day, time(0), tzinfo=tz)
            for begin, end in self.week[day.weekday()]:
                found.append((midnight + timedelta(minutes=begin),
                              midnight + timedelta(minutes=end)))
        found.sort()
        joined: list[tuple[datetime, datetime]] = []
        for begin, end in found:
            if joined and begin <= joined[-1][1]:
                joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
            else:
                joined.append((begin, end))
        return joined

    def is_open(self, now: datetime) -> bool:
        return any(b <= now < e for b, e in self._intervals(now))

    def next_change(self, now: datetime) -> datetime | None:
        """When the kiosk next opens (closed now) or closes (open now); None: never."""
        if self.always_open:
            return None
        for begin, end in self._intervals(now):
            if now < begin:
                return begin
            if now < end:
                return end
        raise AssertionError("a week without opening hours")  # parse() refuses that

    def closure(self, now: datetime) -> Closure | None:
        """Closed at `now`: when it opens again. Open: None."""
        if self.is_open(now):
            return None
        opens = self.next_change(now)
        return Closure(opens, say_day=opens.date() > now.date() + timedelta(days=1))


ALWAYS_OPEN = OpeningHours(tuple(((0, DAY_MINUTES),) for _ in DAYS))


def _days(words: str, rule: str) -> list[int]:
    if not words:
        return list(range(7))
    days: list[int] = []
    for item in re.sub(r"\s+", "", words).split(","):
        ends = item.split("-")
        if len(ends) > 2 or not all(ends):
            raise ValueError(f'"{item}" in "{rule}" is not a day or a range of days '
                             f'(e.g. "mon-fri" or "sat")')
        for end in ends:
            if end not in DAYS:
                raise ValueError(f'unknown day "{end}" in "{rule}" (the days are '
                                 f'{" ".join(DAYS)})')
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        days += [(first + i) % 7 for i in range((last - first) % 7 + 1)]
    return days


def _minutes(hours: str, minutes: str, span: str) -> int:
    h, m = int(hours), int(minutes)
    if h > 24 or m > 59 or (h == 24 and m):
        raise ValueError(f'"{hours}:{minutes}" in "{span}" is not a time of day '
                         f'(00:00 to 24:00)')
    return h * 60 + m


def _spans(words: str, rule: str) -> tuple[Span, ...]:
    if words == "closed":
        return ()
    spans: list[Span] = []
    for part in words.split(","):
        part = part.strip()
        m = _SPAN.match(part)
        if m is None:
            raise ValueError(f'{_quote(part, rule)} is not a span of hours like "07:00-16:00"')
        begin = _minutes(m[1], m[2], part)
        end = _minutes(m[3], m[4], part)
        if begin == DAY_MINUTES:
            raise ValueError(f'{_quote(part, rule)} opens at 24:00: write 00:00 of the next day')
        if begin == end:
            raise ValueError(f'{_quote(part, rule)} opens and closes at the same time')
        if end < begin:
            end += DAY_MINUTES  # past midnight
        spans.append((begin, end))
    spans.sort()
    for (b1, e1), (b2, _) in zip(spans, spans[1:], strict=False):
        if b2 < e1:
            raise ValueError(f'"{rule}": {_clock(b1)}-{_clock(e1)} and the span after it '
                             f'overlap')
    return tuple(spans)


def _quote(part: str, rule: str) -> str:
    return f'"{part}"' if part == rule else f'"{part}" in "{rule}"'


def _clock(minutes: int) -> str:
    minutes %= DAY_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"

