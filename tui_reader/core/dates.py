"""Feed dates to timezone-aware UTC datetimes.

:func:`parse_date` accepts what feeds put in their date fields: RFC 822/2822
(``Tue, 10 Jun 2003 04:00:00 +0100``, named zones such as ``GMT``/``EST``),
RFC 3339 / ISO 8601 with any offset form (``Z``, ``+01:00``, ``+0100``,
``+01``), and feedparser's long tail of odd formats as a last resort. It also
takes ``datetime`` and ``time.struct_time`` (feedparser's ``*_parsed``).
A value without an offset is taken as UTC. Anything unreadable gives ``None``;
it never raises.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

try:  # feedparser's own parsers: W3DTF variants, asctime, Korean, Greek, ...
    from feedparser.datetimes import _parse_date as _feedparser_parse_date
except ImportError:  # pragma: no cover - feedparser is a dependency
    _feedparser_parse_date = None

__all__ = ["parse_date"]

# A real date is short; a long value is garbage and not worth the slow parsers.
_MAX_LEN = 100


def _utc(dt: datetime) -> datetime | None:
    """``dt`` as aware UTC (naive means UTC), or None if out of range."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _from_struct(value: time.struct_time | tuple[Any, ...]) -> datetime | None:
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _from_string(value: str) -> datetime | None:
    value = value.strip()
    if not value or len(value) > _MAX_LEN:
        return None
    if value[0].isdigit():
        try:
            return _utc(datetime.fromisoformat(value))
        except ValueError:
            pass
    try:
        return _utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    if _feedparser_parse_date is not None:
        try:
            parsed = _feedparser_parse_date(value)
        except Exception:  # a third-party parser on hostile input
            return None
        if parsed is not None:
            return _from_struct(parsed)
    return None


def parse_date(value: object) -> datetime | None:
    """``value`` as an aware UTC datetime, or None when it is not a readable date."""
    try:
        if value is None:
            return None
        if isinstance(value, str):
            return _from_string(value)
        if isinstance(value, datetime):
            return _utc(value)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        if isinstance(value, time.struct_time):
            return _from_struct(value)
    except Exception:  # never raise: a bad date is a missing date
        return None
    return None
