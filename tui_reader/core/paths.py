"""Where storyreader keeps things on disk.

Nothing here creates directories: callers that write (the config loader, storage)
create what they need. Every function takes an explicit override so the CLI's
``--config-dir`` / ``--data-dir`` style options and the tests never touch the real home.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "storyreader"
DATABASE_NAME = "library.sqlite3"
CONFIG_NAME = "config.toml"
THEMES_DIRNAME = "themes"


def data_dir(override: Path | None = None) -> Path:
    """The data directory (the library database lives here).

    ``platformdirs.user_data_dir("storyreader")``: on Linux ``$XDG_DATA_HOME/storyreader``,
    by default ``~/.local/share/storyreader``.
    """
    if override is not None:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir(override: Path | None = None) -> Path:
    """The configuration directory (``config.toml`` and the user's ``themes/``).

    ``platformdirs.user_config_dir("storyreader")``: on Linux ``$XDG_CONFIG_HOME/storyreader``,
    by default ``~/.config/storyreader``.
    """
    if override is not None:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def database_path(data_dir: Path) -> Path:
    """The SQLite library inside ``data_dir``."""
    return Path(data_dir) / DATABASE_NAME


def config_path(config_dir: Path) -> Path:
    """The ``config.toml`` inside ``config_dir``."""
    return Path(config_dir) / CONFIG_NAME


def user_themes_dir(config_dir: Path) -> Path:
    """The user's own theme files: ``<config_dir>/themes``."""
    return Path(config_dir) / THEMES_DIRNAME


def _has_themes(directory: Path) -> bool:
    return directory.is_dir() and any(directory.glob("*.toml"))


def shipped_themes_dir(package_root: Path | None = None) -> Path:
    """The themes that ship with storyreader.

    In a wheel they are ``tui_reader/themes`` (pyproject force-includes the top-level
    ``themes/`` there); in a source checkout they are ``<repo>/themes``. The package
    copy wins when both exist. If neither has any theme the source-tree path is
    returned anyway (the theme loader treats a missing directory as empty).
    ``package_root`` (the ``tui_reader`` directory) is for tests.
    """
    if package_root is None:
        package_root = Path(__file__).resolve().parent.parent  # tui_reader/
    packaged = package_root / THEMES_DIRNAME
    if _has_themes(packaged):
        return packaged
    return package_root.parent / THEMES_DIRNAME
