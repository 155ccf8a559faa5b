"""The Bookmarks view (``B``): every bookmark, newest first, filterable by tag.

``e`` edits the note and tags, ``d`` deletes (``u`` undoes), ``o``/enter opens the link,
``s`` shares, ``y`` copies the link. The command palette exports bookmarks (HTML,
Markdown, JSON, CSV, Atom) and imports a browser's bookmark file, here and on the main
screen (:class:`~tui_reader.ui.screens.bookmark_files.BookmarkCommands`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Select, Static

from tui_reader.core.bookmarks import BookmarkService
from tui_reader.core.errors import StoryreaderError
from tui_reader.core.models import Bookmark
from tui_reader.core.share import DEFAULT_MASTODON, Shareable
from tui_reader.ui.screens.bookmark_files import BookmarkCommands
from tui_reader.ui.screens.edit_bookmark import EditBookmarkScreen, EditResult
from tui_reader.ui.screens.share import ShareScreen, can_share, copy_link, open_link

if TYPE_CHECKING:
    from tui_reader.core.library import Library

EMPTY_TEXT = "No bookmarks yet. Press b on a story to bookmark it."


def _date(bookmark: Bookmark) -> str:
    return bookmark.bookmarked_at.strftime("%Y-%m-%d") if bookmark.bookmarked_at else ""


def describe(bookmark: Bookmark) -> str:
    """The detail pane's text for one bookmark."""
    lines = [bookmark.title or bookmark.link]
    if bookmark.link:
        lines.append(bookmark.link)
    meta = [bookmark.feed_title, bookmark.author,
            bookmark.published.strftime("%Y-%m-%d") if bookmark.published else ""]
    meta_line = " · ".join(part for part in meta if part)
    if meta_line:
        lines.append(meta_line)
    saved = f"Bookmarked {_date(bookmark)}" if bookmark.bookmarked_at else "Bookmarked"
    lines.append(saved + (f" · tags: {', '.join(bookmark.tags)}" if bookmark.tags else ""))
    if bookmark.note:
        lines += ["", "Note:", bookmark.note]
    if bookmark.summary:
        lines += ["", bookmark.summary]
    return "\n".join(lines)


def toggle_bookmark(app: App, library: Library, article_id: int) -> bool | None:
    """``b``: bookmark or unbookmark a cached article and say which.

    Returns whether it is bookmarked now (None if the article is gone). Pressing ``b``
    again after removing brings the old bookmark back with its note and tags.
    """
    try:
        added, bookmark = library.bookmarks.toggle(article_id)
    except StoryreaderError as exc:
        app.notify(str(exc), severity="error", markup=False)
        return None
    title = bookmark.title or bookmark.link
    if added:
        app.notify(f"Bookmarked “{title}”", markup=False)
    else:
        app.notify(f"Removed the bookmark of “{title}”. Press b again to undo.", markup=False)
    return added


def open_bookmarks(
    app: App,
    library: Library,
    mastodon_instance: str = DEFAULT_MASTODON,
    on_close: Callable[[bool], None] | None = None,
) -> None:
    """``B``: show the Bookmarks view; ``on_close(changed)`` runs when it closes."""
    if isinstance(app.screen, BookmarksScreen):
        return

    def closed(changed: bool | None) -> None:
        if on_close is not None:
            on_close(bool(changed))

    app.push_screen(BookmarksScreen(library.bookmarks, mastodon_instance=mastodon_instance),
                    closed)


class BookmarksScreen(Screen[bool]):
    """Every bookmark; dismisses with True if anything changed (so lists can refresh)."""

    DEFAULT_CSS = """
    BookmarksScreen {
        layout: vertical;
    }
    BookmarksScreen #bookmarks-bar {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    BookmarksScreen #bookmarks-heading {
        width: 1fr;
        padding-top: 1;
        text-style: bold;
    }
    BookmarksScreen #tag-filter {
        width: 32;
    }
    BookmarksScreen #bookmarks-table {
        height: 2fr;
    }
    BookmarksScreen #bookmark-detail {
        height: 1fr;
        padding: 0 1;
        border-top: solid $primary;
        overflow-y: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", tooltip="back to the reader"),
        Binding("e", "edit", "Edit", tooltip="edit the bookmark's note and tags"),
        Binding("d", "delete", "Delete", tooltip="delete the bookmark"),
        Binding("u", "undo", "Undo", tooltip="bring the last deleted bookmark back"),
        Binding("o", "open", "Open", tooltip="open the bookmark's link in the browser (enter too)"),
        Binding("s", "share", "Share", tooltip="share the bookmark"),
        Binding("y", "copy_link", "Copy link", tooltip="copy the bookmark's link"),
        Binding("t", "filter_tag", "Tag filter", tooltip="show only the bookmarks with a tag"),
    ]

    COMMANDS: ClassVar[set[type[Provider]]] = {BookmarkCommands}

    def __init__(
        self, service: BookmarkService, *, mastodon_instance: str = DEFAULT_MASTODON
    ) -> None:
        super().__init__()
        self.service = service
        self.mastodon_instance = mastodon_instance
        self.tag: str | None = None
        self.bookmarks: dict[str, Bookmark] = {}
        self.deleted: list[Bookmark] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="bookmarks-bar"):
            yield Label("Bookmarks", id="bookmarks-heading")
            yield Select[str]([], prompt="All tags", id="tag-filter")
        table: DataTable[object] = DataTable(id="bookmarks-table", cursor_type="row")
        table.add_columns("Saved", "Title", "Feed", "Tags")
        yield table
        yield Static(EMPTY_TEXT, id="bookmark-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#bookmarks-table", DataTable).focus()

    # -- data ------------------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        """Read the bookmarks again, keeping the cursor on ``select_id`` (or its row)."""
        table = self.query_one("#bookmarks-table", DataTable)
        tags = self.service.tags()
        if self.tag is not None and self.tag not in tags:
            self.tag = None
        self._set_tag_options(tags)
        if select_id is None:
            current = self.current()
            select_id = current.id if current else None
        old_row = table.cursor_row
        rows = self.service.list(self.tag)
        self.bookmarks = {str(b.id): b for b in rows}
        table.clear()
        for bookmark in rows:
            table.add_row(
                _date(bookmark),
                Text(bookmark.title or bookmark.link, no_wrap=True, overflow="ellipsis"),
                Text(bookmark.feed_title, no_wrap=True, overflow="ellipsis"),
                Text(", ".join(bookmark.tags), no_wrap=True, overflow="ellipsis"),
                key=str(bookmark.id),
            )
        if rows:
            index = next((i for i, b in enumerate(rows) if b.id == select_id), None)
            if index is None:
                index = min(max(old_row, 0), len(rows) - 1)
            table.move_cursor(row=index)
        count = len(rows)
        heading = f"Bookmarks ({count})" if self.tag is None else (
            f"Bookmarks tagged {self.tag} ({count})")
        self.query_one("#bookmarks-heading", Label).update(Text(heading))
        self._show_detail()

    def _set_tag_options(self, tags: list[str]) -> None:
        select = self.query_one("#tag-filter", Select)
        with select.prevent(Select.Changed):
            select.set_options([(tag, tag) for tag in tags])
            select.value = self.tag if self.tag is not None else Select.NULL

    def current(self) -> Bookmark | None:
        """The bookmark under the cursor."""
        table = self.query_one("#bookmarks-table", DataTable)
        if not self.bookmarks or table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # no cursor row
            return None
        return self.bookmarks.get(str(key.value))

    def _show_detail(self) -> None:
        bookmark = self.current()
        detail = self.query_one("#bookmark-detail", Static)
        if bookmark is None:
            detail.update(Text(EMPTY_TEXT if self.tag is None else "No bookmarks with this tag."))
        else:
            detail.update(Text(describe(bookmark)))

    def set_tag(self, tag: str | None) -> None:
        """Show only the bookmarks with ``tag`` (None: all)."""
        self.tag = tag
        self.reload()

    # -- events ----------------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) else None
        if value != self.tag:
            self.set_tag(value)
            self.query_one("#bookmarks-table", DataTable).focus()

    # -- actions ---------------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_filter_tag(self) -> None:
        select = self.query_one("#tag-filter", Select)
        select.focus()
        select.expanded = True

    def action_edit(self) -> None:
        bookmark = self.current()
        if bookmark is None:
            return

        def save(result: EditResult | None) -> None:
            if result is None:
                return
            note, tags = result
            updated = self.service.edit(bookmark.id, note=note, tags=tags)
            self.changed = True
            self.reload(select_id=updated.id)
            self.notify("Bookmark saved", markup=False)

        self.app.push_screen(EditBookmarkScreen(bookmark), save)

    def action_delete(self) -> None:
        bookmark = self.current()
        if bookmark is None:
            return
        self.deleted.append(self.service.delete(bookmark.id))
        self.changed = True
        self.reload()
        self.notify(f"Deleted “{bookmark.title or bookmark.link}”. Press u to undo.",
                    title="Bookmark deleted", markup=False)

    def action_undo(self) -> None:
        if not self.deleted:
            self.notify("Nothing to undo", markup=False)
            return
        restored = self.service.restore(self.deleted.pop())
        self.changed = True
        if self.tag is not None and self.tag not in restored.tags:
            self.tag = None
        self.reload(select_id=restored.id)
        self.notify(f"Restored “{restored.title or restored.link}”", markup=False)

    def _shareable(self) -> Shareable | None:
        bookmark = self.current()
        return Shareable.of(bookmark) if bookmark else None

    def action_open(self) -> None:
        item = self._shareable()
        if item and can_share(self.app, item):
            open_link(self.app, item.link, "in the browser")

    def action_share(self) -> None:
        item = self._shareable()
        if item and can_share(self.app, item):
            self.app.push_screen(ShareScreen(item, mastodon_instance=self.mastodon_instance))

    def action_copy_link(self) -> None:
        item = self._shareable()
        if item:
            copy_link(self.app, item)
