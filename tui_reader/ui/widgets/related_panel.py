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
    """A short list of :class:`RelatedItem`; :class:`RelatedPanel.Opened` on enter/click.

    Each item wraps inside the panel (the scrollbar has its own gutter, so no text
    runs under it): the title in bold, then the feed's name, muted, leading into the
    first :attr:`EXCERPT_WORDS` words. Feed text is plain :class:`~rich.text.Text`,
    never markup.
    """

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
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        & > .option-list--option { padding: 0 1; }
        & > .option-list--separator { color: $foreground 12%; }
        & > .option-list--option-disabled { color: $text-muted; text-style: italic; }
        /* The chosen item: a bar of the accent colour, brighter while the panel has
           the focus. Its text keeps the foreground colour (muted parts are dimmed). */
        & > .option-list--option-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: none;
        }
        &:focus > .option-list--option-highlighted {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: none;
        }
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

    def show_items(self, items: Sequence[RelatedItem], *, empty: str = "") -> None:
        """Replace the list; with no items, show ``empty`` (if given) as a muted line.

        Showing the same items again changes nothing (no flicker, the choice stays)."""
        items = list(items)
        if items == self.items and self.option_count:
            return
        self.items = items
        self.clear_options()
        options: list[Option | None] = []
        for number, item in enumerate(self.items):
            if number:
                options.append(None)
            options.append(Option(self._item_prompt(item), id=str(number)))
        if not options and empty:
            options.append(Option(Text(empty), disabled=True))
        self.add_options(options)
        if self.items:
            self.highlighted = 0
        self.scroll_home(animate=False)

    def _item_prompt(self, item: RelatedItem) -> Text:
        """The title in bold, then the feed's name (muted) leading into the excerpt."""
        text = Text(end="")  # Text(title, style=...) would make the whole prompt bold
        text.append(one_line(item.title) or "(untitled)", style="bold")
        feed = one_line(item.feed_title)
        words = excerpt(item.excerpt, self.EXCERPT_WORDS)
        if feed or words:
            text.append("\n")
        if feed:
            text.append(feed, style="dim italic")
            if words:
                text.append(" · ", style="dim")
        text.append(words, style="dim")
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Opened(self, self.items[int(event.option.id)]))
