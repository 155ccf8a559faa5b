"""Every key, generated from the bindings (with the user's ``[keys]``), so it can't go stale."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_reader.core.config import DEFAULT_KEYS
from tui_reader.ui.keys import key_actions, keys_display

SECTIONS = (
    ("lists", "In the feed, story and related lists"),
    ("story", "In the open story"),
    ("reader", "Reading"),
    ("app", "Anywhere"),
    ("search", "In the search"),
    ("bookmarks", "In the bookmarks view"),
)

# Keys that are not bindings of the listed classes (enter goes to the search's input).
EXTRA_ROWS = {
    "app": (("ctrl+p", "Command palette: every action by name"),),
    "search": (("enter", "Open the highlighted story"),),
}


class HelpScreen(ModalScreen[None]):
    """A scrollable table of every key; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", show=False),
        Binding("j,down", "scroll('down')", show=False),
        Binding("k,up", "scroll('up')", show=False),
        Binding("space,pagedown", "scroll('page_down')", show=False),
        Binding("pageup", "scroll('page_up')", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > Vertical {
            width: 90;
            max-width: 100%;
            height: 90%;
            border: round $primary;
            border-title-align: center;
            background: $surface;
        }
        & VerticalScroll { height: 1fr; }
        & #help-footer { color: $text-muted; padding: 0 1; height: auto; }
    }
    """

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Keys"
            with VerticalScroll():
                yield Static(self.key_table(), id="help-table")
            yield Static(Text("escape, q or ? closes · ctrl+p lists every command · "
                              "rebind a key by the name on the right in config.toml [keys]"),
                         id="help-footer")

    def key_table(self) -> Group:
        keymap = getattr(self.app, "keymap_overrides", {})
        actions = key_actions(keymap, with_screens=True)
        parts: list[RenderableType] = []
        for where, title in SECTIONS:
            rows = [a for a in actions if a.where == where]
            if not rows:
                continue
            table = self._new_table()
            for action in rows:
                table.add_row(
                    Text(keys_display(self.app, action.keys)),
                    Text(action.help[:1].upper() + action.help[1:]),
                    Text(action.id if action.id in DEFAULT_KEYS else ""),
                )
            for key, help_text in EXTRA_ROWS.get(where, ()):
                table.add_row(Text(keys_display(self.app, (key,))), Text(help_text), Text(""))
            parts.extend([Text(title, style="bold underline"), table, Text("")])
        return Group(*parts)

    @staticmethod
    def _new_table() -> Table:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("keys", style="bold", no_wrap=True, width=17)
        table.add_column("action", ratio=1)
        table.add_column("id", style="dim", no_wrap=True, width=16)
        return table

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, how: str) -> None:
        scroller = self.query_one(VerticalScroll)
        getattr(scroller, f"scroll_{how}")(animate=False)
