"""Edit a bookmark's note and tags (``e`` in the Bookmarks view)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from tui_reader.core.exports import normalize_tags
from tui_reader.core.models import Bookmark

EditResult = tuple[str, tuple[str, ...]]


class EditBookmarkScreen(ModalScreen[EditResult | None]):
    """Dismisses with ``(note, tags)`` on save, None on cancel."""

    DEFAULT_CSS = """
    EditBookmarkScreen {
        align: center middle;
    }
    EditBookmarkScreen #edit-dialog {
        width: 72;
        max-width: 95%;
        height: auto;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    EditBookmarkScreen #edit-title {
        text-style: bold;
        margin-bottom: 1;
    }
    EditBookmarkScreen #edit-note {
        height: 8;
    }
    EditBookmarkScreen #edit-buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    EditBookmarkScreen #edit-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, bookmark: Bookmark) -> None:
        super().__init__()
        self.bookmark = bookmark

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-dialog"):
            yield Label(f"Edit bookmark: {self.bookmark.title or self.bookmark.link}",
                        id="edit-title", markup=False)
            yield Label("Tags (separated by commas)")
            yield Input(", ".join(self.bookmark.tags), id="edit-tags",
                        placeholder="reading, python")
            yield Label("Note")
            yield TextArea(self.bookmark.note, id="edit-note", soft_wrap=True)
            with Horizontal(id="edit-buttons"):
                yield Button("Cancel", id="edit-cancel")
                yield Button("Save (ctrl+s)", id="edit-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#edit-tags", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "edit-save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#edit-note", TextArea).focus()

    def action_save(self) -> None:
        tags = normalize_tags([self.query_one("#edit-tags", Input).value])
        note = self.query_one("#edit-note", TextArea).text
        self.dismiss((note, tags))

    def action_cancel(self) -> None:
        self.dismiss(None)
