"""A yes/no question before something that cannot be undone from the app.

The safe button has the focus, so a stray enter keeps things as they are; ``y``
confirms, ``n`` and escape keep. Every text is shown as typed (``markup=False``): the
question usually quotes a feed's title.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True to go ahead, False to keep things as they are."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes", show=False),
        Binding("n,escape", "keep", "No", show=False),
        Binding("left,h", "app.focus_previous", show=False),
        Binding("right,l", "app.focus_next", show=False),
    ]

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
        & > Vertical {
            width: 64;
            max-width: 100%;
            height: auto;
            border: round $error;
            background: $surface;
            padding: 0 1;
        }
        & #confirm-question { text-style: bold; margin-top: 1; }
        & #confirm-detail { margin-top: 1; color: $text-muted; }
        & Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
        & Button { margin-left: 1; }
    }
    """

    def __init__(self, question: str, detail: str = "", *, title: str = "Are you sure?",
                 confirm: str = "Yes", keep: str = "No") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.dialog_title = title
        self.confirm_label = confirm
        self.keep_label = keep

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.dialog_title  # the caller's words, never a feed's
            yield Static(self.question, id="confirm-question", markup=False)
            if self.detail:
                yield Static(self.detail, id="confirm-detail", markup=False)
            with Horizontal():
                yield Button(f"{self.keep_label} (n)", id="confirm-keep")
                yield Button(f"{self.confirm_label} (y)", variant="error", id="confirm-ok")

    def on_mount(self) -> None:
        self.query_one("#confirm-keep", Button).focus()

    @on(Button.Pressed, "#confirm-ok")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-keep")
    def action_keep(self) -> None:
        self.dismiss(False)
