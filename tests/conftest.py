"""Shared pytest fixtures. Keep each fixture small and documented; add yours below."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.loopback import LoopbackServer


@pytest.fixture
def feed_server() -> Iterator[LoopbackServer]:
    """A started loopback HTTP server (see tests/loopback.py); stopped afterwards."""
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()
