"""Normalization is pinned to NORMALIZE_VERSION: a refresh skips entries whose raw
source is unchanged, so stored entries keep what the normalization of their version made
of them. A change to that output must come with a new version (and a new digest here)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tui_reader.core.sources import parse_feed
from tui_reader.core.sources.normalize import NORMALIZE_VERSION

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
# NORMALIZE_VERSION -> digest of every fixture feed's normalized entries.
DIGESTS = {1: "d681b898ab1c2a2536f17e6cdc67f0e084ba0461955740a66edf37480a1b0752"}


def normalized_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(FEEDS.iterdir()):
        parsed = parse_feed(path.read_bytes(), "https://example.com/feeds/" + path.name)
        digest.update(path.name.encode())
        digest.update(repr(parsed.entries).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def test_a_change_to_normalized_output_bumps_normalize_version() -> None:
    assert normalized_digest() == DIGESTS.get(NORMALIZE_VERSION), (
        "what normalizing makes of the fixture feeds changed: bump NORMALIZE_VERSION in "
        "tui_reader/core/sources/normalize.py and record the new digest in this test"
    )
