"""A minimal search: jump to the next story whose title contains the words typed.

A placeholder until full-text search lands; it looks only at the current list's titles.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class SearchDialog(ModalScreen[str | None]):
    """Ask for some words; dismisses with them (or None on escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    DEFAULT_CSS = """
    SearchDialog {
        align: center top;
        & > Vertical {
            margin-top: 3;
            width: 70;
            max-width: 100%;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & .hint { color: $text-muted; }
    }
    """

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Find a story by its title"
            yield Input(placeholder="words in the title", id="search-input")
            yield Static("enter jumps to the next match in this list · escape closes",
                         classes="hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
