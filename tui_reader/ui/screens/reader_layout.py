"""The reader screen's panes: which one has the focus, and how they share the terminal.

:class:`ReaderLayout` belongs to :class:`~tui_reader.ui.screens.main.MainScreen`. Wide
terminals (:data:`WIDE` columns and more) show every pane at once while you browse.
Once you read (a story opened, the focus in it) the story takes the room: the feed
pane folds away (``-immersed``), the story list shrinks to a few rows around the
selected story, and the related posts move beside the story (``-side``) when there is
width for its measure plus a column (below it otherwise). Narrow terminals show the
feed and story lists side by side and give the whole screen to the story while you
read it (``-reading``, in app.tcss).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widget import Widget

    from tui_reader.ui.screens.main import MainScreen

WIDE = 100  # columns: every pane at once (the "-wide" breakpoint of MainScreen)
FEEDS_WIDTH = 32  # the feed pane on wide terminals (app.tcss #feeds)
STORY_CHROME = 6  # the story's border, column padding and scrollbar gutter, in columns
RELATED_WIDTH = (34, 40)  # the related column beside the story: narrowest, widest
READING_LIST_ROWS = (3, 7)  # story-list rows while reading: fewest, most


class ReaderLayout:
    """Sizes the reader screen's panes and moves the focus between them.

    The screen keeps the state as reactives (``reading``: the focus is in the story;
    ``immersed``: the reading layout is wanted) and calls :meth:`apply` when the size,
    the open story or ``immersed`` changes."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    # -- sizes -------------------------------------------------------------------------------
    def apply(self) -> None:
        """Size the panes for browsing or reading at the current terminal size.

        Reading (``-immersed``, wide terminals only): no feed pane, a story list of a few
        rows. Related posts go beside the story (``-side``) when the story column has
        room for the measure and the related column, whatever the layout."""
        screen = self.screen
        width, height = screen.size
        if not width:
            return
        config = screen.app_.config.reader
        wide = width >= WIDE
        story_open = screen.article is not None
        immersed = wide and story_open and screen.immersed
        screen.set_class(immersed, "-immersed")
        reader_width = width if immersed or not wide else width - FEEDS_WIDTH
        spare = reader_width - (config.measure + STORY_CHROME)
        side = wide and story_open and config.show_related and spare >= RELATED_WIDTH[0]
        screen.set_class(side, "-side")
        screen.related_panel.styles.width = min(spare, RELATED_WIDTH[1]) if side else None
        fewest, most = READING_LIST_ROWS
        rows = max(fewest, min(most, height // 8))
        screen.article_list.styles.height = rows + 2 if immersed else None  # + its border
        self.place_related()

    def place_related(self) -> None:
        """Beside the story the related column always shows (the story keeps its width
        from one story to the next); below it, only when there is something to show."""
        screen = self.screen
        panel = screen.related_panel
        shown = (screen.article is not None and screen.app_.config.reader.show_related
                 and (bool(panel.items) or screen.has_class("-side")))
        panel.display = shown

    @property
    def is_reading_layout(self) -> bool:
        """The reading layout is on screen (not just remembered on a narrow terminal)."""
        return self.screen.has_class("-immersed")

    # -- focus -------------------------------------------------------------------------------
    def panes(self) -> list[Widget]:
        """The panes tab goes through, in order (the story ones once a story is open)."""
        screen = self.screen
        panes: list[Widget] = [screen.feed_list, screen.article_list]
        if screen.article is not None:
            panes.append(screen.article_view)
            if screen.related_panel.items:
                panes.append(screen.related_panel)
        return panes

    def current_pane(self) -> Widget | None:
        """The pane holding the focus, if any."""
        focused = self.screen.focused
        for pane in self.panes():
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return pane
        return None

    def focus_pane(self, pane: Widget) -> None:
        screen = self.screen
        screen.reading = pane in (screen.article_view, screen.related_panel)
        self.follow_focus(pane)  # before the focus lands: the pane may be folded away
        pane.focus()

    def focus_changed(self, widget: Widget) -> None:
        """The focus moved to ``widget`` (by a key, a click, or :meth:`focus_pane`)."""
        self.screen.reading = self._in_story(widget)
        self.follow_focus(widget)

    def follow_focus(self, widget: Widget) -> None:
        """Reading layout on when the story gets the focus, off on the feed pane (the story
        list keeps whichever layout it is in)."""
        screen = self.screen
        if self._in_story(widget):
            screen.immersed = True
        elif widget is screen.feed_list or screen.feed_list in widget.ancestors:
            screen.immersed = False

    def _in_story(self, widget: Widget) -> bool:
        story = self.screen.query_one("#story")
        return widget is story or story in widget.ancestors

    def step_pane(self, step: int) -> None:
        """Focus the next (1) or previous (-1) pane, round the ends."""
        panes = self.panes()
        current = self.current_pane()
        index = panes.index(current) if current in panes else 0
        self.focus_pane(panes[(index + step) % len(panes)])
