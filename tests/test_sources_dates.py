"""parse_date: the date formats feeds use, to aware UTC; garbage to None."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tui_reader.core.dates import parse_date


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # RFC 822 / 2822
        ("Tue, 10 Jun 2003 04:00:00 +0100", utc(2003, 6, 10, 3)),
        ("Tue, 10 Jun 2003 04:00:00 GMT", utc(2003, 6, 10, 4)),
        ("Tue, 10 Jun 2003 04:00:00 EST", utc(2003, 6, 10, 9)),
        ("10 Jun 2003 04:00 -0700", utc(2003, 6, 10, 11)),
        ("Tue, 10 Jun 03 04:00:00 +0000", utc(2003, 6, 10, 4)),
        ("Tue, 10 Jun 2003 04:00:00 -0000", utc(2003, 6, 10, 4)),
        ("  Tue, 10 Jun 2003 04:00:00 +0100  ", utc(2003, 6, 10, 3)),
        # RFC 3339 / ISO 8601, every offset spelling
        ("2003-12-13T18:30:02Z", utc(2003, 12, 13, 18, 30, 2)),
        ("2003-12-13T18:30:02+01:00", utc(2003, 12, 13, 17, 30, 2)),
        ("2003-12-13T18:30:02+0100", utc(2003, 12, 13, 17, 30, 2)),
        ("2003-12-13T18:30:02-04:00", utc(2003, 12, 13, 22, 30, 2)),
        ("2003-12-13T18:30:02.250Z", utc(2003, 12, 13, 18, 30, 2, 250000)),
        ("2003-12-13T18:30:02.123456789Z", utc(2003, 12, 13, 18, 30, 2, 123456)),
        ("2003-12-13 18:30:02", utc(2003, 12, 13, 18, 30, 2)),  # naive: UTC
        ("2003-12-13T18:30:02", utc(2003, 12, 13, 18, 30, 2)),
        ("2003-12-13", utc(2003, 12, 13)),
        # feedparser's long tail
        ("2003-12-13T18:30:02 +01:00", utc(2003, 12, 13, 17, 30, 2)),
        ("Sat Dec 13 18:30:02 2003", utc(2003, 12, 13, 18, 30, 2)),
        # other types
        (datetime(2020, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))), utc(2020, 1, 1, 10)),
        (datetime(2020, 1, 1, 12), utc(2020, 1, 1, 12)),
        (date(2020, 1, 2), utc(2020, 1, 2)),
        (time.struct_time((2020, 1, 2, 3, 4, 5, 3, 2, 0)), utc(2020, 1, 2, 3, 4, 5)),
    ],
)
def test_parse_date(value: object, expected: datetime) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None, "", "   ", "garbage", "yesterday", "Tue, 31 Feb 2003 04:00:00 GMT",
        "0000-00-00T00:00:00Z", "noon on Friday", "Mon, 99 Foo 2003",
        "9999-12-31T23:59:59-23:59", "1" * 10_000, "\x1b]52;c;x\x07", 12345, 1.5, True,
        ["2003-12-13"], {"date": "2003-12-13"}, b"2003-12-13",
    ],
)  # fmt: skip
def test_parse_date_garbage_is_none(value: object) -> None:
    assert parse_date(value) is None
