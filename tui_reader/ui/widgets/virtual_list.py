"""A one-row-per-item list drawn with Textual's Line API, for any number of rows.

Only the visible rows are rendered (``render_line``), so a list of 100,000 rows paints
as fast as one of 10. Subclasses say how many rows there are (:meth:`row_count`), how
to draw one (:meth:`render_row`) and what highlighting or opening a row means
(:meth:`on_highlight`, :meth:`on_open`: they post the subclass's own messages).
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class VirtualList(ScrollView, can_focus=True, inherit_bindings=False):
    """A cursor over ``row_count()`` rows; subclasses draw and interpret them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", id="next", show=False,
                tooltip="next item in the list"),
        Binding("k,up", "cursor_up", "Up", id="previous", show=False,
                tooltip="previous item in the list"),
        Binding("g,home", "first", "First", id="first", show=False, tooltip="first item"),
        Binding("G,end", "last", "Last", id="last", show=False, tooltip="last item"),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="one page up"),
        Binding("pagedown", "page_down", "Page down", show=False, tooltip="one page down"),
        Binding("enter", "open", "Open", id="open", tooltip="open the selected feed or story"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"virtual-list--cursor"}

    DEFAULT_CSS = """
    VirtualList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .virtual-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .virtual-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """

    cursor: reactive[int] = reactive(-1, always_update=False, init=False)
    """The highlighted row, or -1 when the list is empty."""

    # -- for subclasses --------------------------------------------------------------------
    def row_count(self) -> int:
        """How many rows the list has."""
        raise NotImplementedError

    def render_row(self, index: int, width: int) -> Text:
        """Row ``index`` as exactly ``width`` cells of plain text with styles."""
        raise NotImplementedError

    def render_empty(self, y: int, width: int) -> Text | None:
        """Line ``y`` of the message shown when there are no rows (None: blank)."""
        return None

    def on_highlight(self, index: int) -> None:
        """The cursor moved to ``index`` (>= 0)."""

    def on_open(self, index: int) -> None:
        """Row ``index`` was opened (enter, a click on the highlighted row, double click)."""

    # -- size and cursor -------------------------------------------------------------------
    def rows_changed(self, *, keep_cursor: bool = True) -> None:
        """Call after the rows changed: resizes the scroll area and clamps the cursor."""
        count = self.row_count()
        self.virtual_size = Size(max(self.scrollable_content_region.width, 1), count)
        if count == 0:
            self.set_reactive(VirtualList.cursor, -1)
        elif not keep_cursor or self.cursor < 0:
            self.set_reactive(VirtualList.cursor, 0)
            self.scroll_to(y=0, animate=False, immediate=True)
        elif self.cursor >= count:
            self.set_reactive(VirtualList.cursor, count - 1)
        self.refresh()

    def move_to(self, index: int, *, notify: bool = True) -> None:
        """Put the cursor on ``index`` (clamped) and scroll it into view."""
        count = self.row_count()
        if count == 0:
            return
        index = max(0, min(index, count - 1))
        if notify:
            self.cursor = index
        else:
            self.set_reactive(VirtualList.cursor, index)
        self.scroll_cursor_visible()
        self.refresh()

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        if new >= 0:
            self.on_highlight(new)

    def scroll_cursor_visible(self, *, center: bool = False) -> None:
        """Scroll just enough to show the cursor row (``center``: into the middle, if it
        was out of sight)."""
        height = self.scrollable_content_region.height
        if self.cursor < 0 or height <= 0:
            return
        top = round(self.scroll_y)
        if top <= self.cursor < top + height:
            return
        if center:
            self.scroll_to(y=max(0, self.cursor - (height - 1) // 2), animate=False,
                           immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        else:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(max(self.scrollable_content_region.width, 1), self.row_count())
        # A list that shrank (the reading layout) shows the cursor with its neighbours.
        self.call_after_refresh(self.scroll_cursor_visible, center=True)

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide "open" from the footer when the user unbound it."""
        is_unbound = getattr(self.app, "is_unbound", None)
        return not (action == "open" and is_unbound is not None and is_unbound("open"))

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.row_count() - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_open(self) -> None:
        if self.cursor >= 0:
            self.on_open(self.cursor)

    # -- mouse -----------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = round(self.scroll_y) + offset.y
        if not 0 <= index < self.row_count():
            return
        event.stop()
        if index == self.cursor or event.chain >= 2:
            self.cursor = index
            self.on_open(index)
        else:
            self.move_to(index)

    # -- drawing ---------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        count = self.row_count()
        if count == 0:
            text = self.render_empty(y, width)
            if text is None:
                return Strip.blank(width, base)
            return self._strip(text, width, base)
        index = round(self.scroll_y) + y
        if index >= count:
            return Strip.blank(width, base)
        text = self.render_row(index, width)
        if index == self.cursor:
            text.stylize(self.get_component_rich_style("virtual-list--cursor"))
        return self._strip(text, width, base)

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        segments = [
            Segment(s.text, base + s.style if s.style else base)
            for s in text.render(self.app.console)
            if s.text
        ]
        return Strip(segments).adjust_cell_length(width, base)
