"""Textual's footer, minus the least important keys when the terminal is too narrow.

A plain Footer cuts off whatever does not fit, and the keys on the right are the app's
own (``? Keys``, ``q Quit``): exactly the ones a newcomer needs. This one leaves out
keys in :data:`DROP_FIRST` order until the rest fits.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class ReaderFooter(Footer):
    """A compact footer that drops keys (least useful first) to keep ``? Keys`` visible."""

    DROP_FIRST: ClassVar[tuple[str, ...]] = (
        "copy_link",
        "bookmarks_view",
        "share",
        "follow_link",
        "search",
        "refresh_feed",
        "add_feed",
        "bookmark",
        "toggle_read",
        "back",
        "next_unread",
    )
    """Actions in the order they leave a footer that is too narrow."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        width = self.size.width or self.app.size.width
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        used = sum(self._width(key) for key in keys)
        for action in self.DROP_FIRST:
            if used <= width:
                break
            for key in [k for k in keys if k.action == action]:
                widgets.remove(key)
                keys.remove(key)
                used -= self._width(key)
        yield from widgets

    def _width(self, key: FooterKey) -> int:
        """Cells a key takes in the compact footer: "k Desc" and a space."""
        return cell_len(key.key_display) + 1 + cell_len(key.description) + 1

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.recompose)
