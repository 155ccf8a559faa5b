"""The command palette (ctrl+p): every key-bound action of the reader, by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui_reader.ui.keys import KeyAction, key_actions, keys_display

if TYPE_CHECKING:
    from textual.dom import DOMNode


class ReaderCommands(Provider):
    """Lists :func:`tui_reader.ui.keys.key_actions` and runs them on the reader screen."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        from tui_reader.ui.screens.main import MainScreen

        app = self.app
        main = next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)
        commands = []
        for action in key_actions(getattr(app, "keymap_overrides", {})):
            target, name = self._target(action, main)
            if target is None:
                continue
            title = action.help[:1].upper() + action.help[1:]
            help_text = f"{keys_display(app, action.keys)}  ·  {action.id or action.action}"
            # The action method itself: an action the user unbound still runs from here.
            method = getattr(target, f"action_{name}")
            commands.append((title, help_text, partial(target.call_next, method)))
        return commands

    def _target(self, action: KeyAction, main: DOMNode | None) -> tuple[DOMNode | None, str]:
        """Where the action runs: the reader screen if it has it, else the app."""
        for name in (action.id, action.action):
            if not name or "." in name or "(" in name:
                continue
            if main is not None and hasattr(main, f"action_{name}"):
                return main, name
            if hasattr(self.app, f"action_{name}"):
                return self.app, name
        return None, ""

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = max(matcher.match(title), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)
