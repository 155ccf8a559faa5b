"""Posts related to the open story: title, feed and the first words; enter opens one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_reader.core.models import RelatedItem
from tui_reader.ui.text import excerpt, one_line


class RelatedPanel(OptionList, inherit_bindings=False):
    """A short list of :class:`RelatedItem`; :class:`RelatedPanel.Opened` on enter/click."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", id="next", show=False,
                tooltip="next item in the list"),
        Binding("k,up", "cursor_up", "Up", id="previous", show=False,
                tooltip="previous item in the list"),
        Binding("g,home", "first", "First", id="first", show=False, tooltip="first item"),
        Binding("G,end", "last", "Last", id="last", show=False, tooltip="last item"),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("enter", "select", "Open", id="open", tooltip="open the selected feed or story"),
    ]

    DEFAULT_CSS = """
    RelatedPanel {
        height: auto;
        max-height: 12;
        padding: 0;
    }
    """

    EXCERPT_WORDS: ClassVar[int] = 25

    class Opened(Message):
        """A related post was chosen."""

        def __init__(self, panel: RelatedPanel, item: RelatedItem) -> None:
            super().__init__()
            self.panel = panel
            self.item = item

        @property
        def control(self) -> RelatedPanel:
            return self.panel

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[RelatedItem] = []

    def show_items(self, items: Sequence[RelatedItem]) -> None:
        """Replace the list (an empty list hides nothing: the screen decides)."""
        self.items = list(items)
        self.clear_options()
        options: list[Option | None] = []
        for number, item in enumerate(self.items):
            if number:
                options.append(None)
            options.append(Option(self._item_prompt(item), id=str(number)))
        self.add_options(options)
        if self.items:
            self.highlighted = 0

    def _item_prompt(self, item: RelatedItem) -> Text:
        text = Text(one_line(item.title) or "(untitled)", style="bold", end="")
        text.append("  ")
        text.append(one_line(item.feed_title), style="italic")
        words = excerpt(item.excerpt, self.EXCERPT_WORDS)
        if words:
            text.append("\n")
            text.append(words, style="dim")
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Opened(self, self.items[int(event.option.id)]))
