"""Settings the core takes from the user's config file."""

from __future__ import annotations

from pathlib import Path

from tui_reader.core.update import RefreshSettings


def refresh_settings(config_dir: Path | None = None) -> RefreshSettings:
    """Refresh limits from ``config.toml`` (defaults where it is silent or missing)."""
    try:
        from tui_reader.core.config import load_config
        from tui_reader.core.paths import config_dir as default_config_dir
    except ImportError:  # config module not there yet
        return RefreshSettings()
    config, _problems = load_config(config_dir or default_config_dir())
    refresh = config.refresh
    return RefreshSettings(
        concurrency=refresh.concurrency,
        per_host=refresh.per_host_concurrency,
        timeout=float(refresh.timeout),
        max_bytes=int(refresh.max_size_mb * 1024 * 1024),
    )
