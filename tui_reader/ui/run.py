"""Start the reader: load the settings, open the library, run the app, close up."""

from __future__ import annotations

from pathlib import Path

from tui_reader.core.config import load_config
from tui_reader.core.library import open_library
from tui_reader.core.paths import config_dir as default_config_dir
from tui_reader.core.settings import refresh_settings
from tui_reader.ui.app import StoryreaderApp


def build_app(
    data_dir: Path | None, config_dir: Path | None = None, theme: str | None = None
) -> StoryreaderApp:
    """The app on the library in ``data_dir`` with the settings of ``config_dir``."""
    config_dir = default_config_dir(config_dir)
    config, problems = load_config(config_dir)
    library = open_library(data_dir, refresh_settings(config_dir))
    return StoryreaderApp(library, config, config_dir=config_dir, theme=theme,
                          problems=problems)


def run_app(data_dir: Path | None, config_dir: Path | None = None,
            theme: str | None = None) -> int:
    """Run the reader until the user quits; the exit code."""
    app = build_app(data_dir, config_dir, theme)
    try:
        result = app.run()
    finally:
        app.library.close()
    if app.return_code not in (None, 0):
        return app.return_code
    return result or 0
