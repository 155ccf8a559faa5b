"""The storyreader Textual app: themes, keymap, the reader screen, help and the palette."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel

from tui_reader.core.config import Config
from tui_reader.ui.commands import ReaderCommands
from tui_reader.ui.screens.bookmark_files import BookmarkCommands

if TYPE_CHECKING:
    from tui_reader.core.library import Library
    from tui_reader.ui.screens.main import MainScreen

UNBOUND = "unbound"
"""The key given to an action the user unbound ("" in [keys]): no terminal sends it.

Textual's keymap can replace a binding's keys but not remove them, so an unbound action
gets this key, and ``check_action`` hides it from the footer."""


class StoryreaderApp(App[int]):
    """A keyboard-driven feed reader over one :class:`Library`."""

    CSS_PATH = "app.tcss"
    TITLE = "storyreader"
    COMMANDS: ClassVar = App.COMMANDS | {ReaderCommands, BookmarkCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", id="help", tooltip="show the keys"),
        Binding("q", "quit", "Quit", id="quit", tooltip="quit"),
    ]

    def __init__(
        self,
        library: Library,
        config: Config | None = None,
        *,
        config_dir: Path | None = None,
        theme: str | None = None,
        problems: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.config = config or Config()
        self.config_dir = config_dir
        self._theme_name = theme or self.config.theme
        self._problems = list(problems or [])
        self._theme_ready = False
        self.keymap_overrides: dict[str, str] = {
            action: keys or UNBOUND for action, keys in self.config.keys.items()
        }
        if self.keymap_overrides.get("quit") == UNBOUND:
            self.keymap_overrides["quit"] = "ctrl+q"  # always a way out

    # -- start -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._setup_themes()
        self.set_keymap(self.keymap_overrides)
        for problem in self._problems:
            self.notify(problem, title="Settings", severity="warning", timeout=10)

    def get_default_screen(self) -> MainScreen:
        from tui_reader.ui.screens.main import MainScreen

        return MainScreen(self.library)

    def _setup_themes(self) -> None:
        try:
            from tui_reader.core.paths import user_themes_dir
            from tui_reader.ui.themes import apply_theme, register_themes
        except ImportError:  # theme support not installed: Textual's default theme
            return
        user_dir = user_themes_dir(self.config_dir) if self.config_dir else None
        self._problems.extend(register_themes(self, user_dir=user_dir))
        problem = apply_theme(self, self._theme_name)
        if problem:
            self._problems.append(problem)
        self._theme_ready = True

    def watch_theme(self, theme: str) -> None:
        """Remember a theme chosen in the app (command palette) in config.toml."""
        if not self._theme_ready or self.config_dir is None or theme == self._theme_name:
            return
        self._theme_name = theme
        try:
            from tui_reader.core.config import save_setting

            save_setting(self.config_dir, "theme", theme)
        except Exception as error:  # a broken config file must not break theme switching
            self.notify(f"Theme not saved: {error}", severity="warning")

    # -- keys ------------------------------------------------------------------------------
    def is_unbound(self, binding_id: str) -> bool:
        """Whether the user's [keys] left this action without a key."""
        return self.keymap_overrides.get(binding_id) == UNBOUND

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self.is_unbound(action)

    def key_for(self, binding_id: str, default: str = "") -> str:
        """How the first key of a binding id is shown (e.g. "x"), after the user's keymap."""
        from tui_reader.ui.keys import key_actions, keys_display

        for action in key_actions(self.keymap_overrides):
            if action.id == binding_id and action.keys:
                return keys_display(self, action.keys[:1])
        return default

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's notify, but plain text unless asked: messages quote feed titles."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # -- actions ---------------------------------------------------------------------------
    def action_help(self) -> None:
        from tui_reader.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        from tui_reader.ui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.save_state()
        self.exit(0)

    def open_link(self, url: str) -> bool:
        """Open an http, https or mailto link: ``[share] browser`` or the system's browser."""
        from tui_reader.ui.browser import open_in_browser

        return open_in_browser(self, url)

