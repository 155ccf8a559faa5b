"""Settings the core takes from the user's config file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RefreshSettings:
    """Network limits for one refresh, and how long read stories stay after it."""

    concurrency: int = 32
    timeout: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    per_host: int = 6  # requests in flight to one host (see fetch.DEFAULT_PER_HOST)
    keep_days: int = 0  # after a refresh, read stories older than this go; 0: none do


def refresh_settings(config_dir: Path | None = None) -> RefreshSettings:
    """Refresh limits from ``config.toml`` (defaults where it is silent or missing)."""
    from tui_reader.core.config import load_config
    from tui_reader.core.paths import config_dir as default_config_dir

    config, _problems = load_config(config_dir or default_config_dir())
    refresh = config.refresh
    return RefreshSettings(
        concurrency=refresh.concurrency,
        per_host=refresh.per_host_concurrency,
        timeout=float(refresh.timeout),
        max_bytes=int(refresh.max_size_mb * 1024 * 1024),
        keep_days=refresh.keep_days,
    )
