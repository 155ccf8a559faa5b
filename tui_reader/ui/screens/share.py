"""The share menu (``s``): copy the link or a Markdown link, open it, email it, post it
to Mastodon, Bluesky, Reddit, Hacker News or LinkedIn, or show it as a QR code."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.core.errors import StoryreaderError
from tui_reader.core.share import (
    DEFAULT_MASTODON,
    TARGETS,
    TARGETS_BY_ID,
    Shareable,
    ShareError,
    check_link,
)
from tui_reader.ui.browser import open_in_browser
from tui_reader.ui.clipboard import copy_text
from tui_reader.ui.widgets.qr_code import QRCode

if TYPE_CHECKING:
    from tui_reader.core.library import Library


def can_share(app: App, item: Shareable) -> bool:
    """True if the item has a web link; otherwise say why in a notification."""
    try:
        check_link(item.link)
    except ShareError as exc:
        app.notify(str(exc), title="Cannot share", severity="error", markup=False)
        return False
    return True


def open_link(app: App, url: str, what: str = "browser") -> bool:
    """Hand a web or ``mailto:`` URL to the browser (``[share] browser`` if set); anything
    else is refused, with a note."""
    if not open_in_browser(app, url):
        return False
    app.notify(f"Opening {what}", markup=False)
    return True


def copy_link(app: App, item: Shareable) -> bool:
    """``y``: copy the story's link (refused, with a note, if it is not a web link)."""
    if not can_share(app, item):
        return False
    copy_text(app, item.link, "link")
    return True


def story(app: App, library: Library, article_id: int) -> Shareable | None:
    """The shareable part of a cached article (None, with a note, if it is gone)."""
    try:
        return Shareable.of(library.article(article_id, rendered=False))
    except StoryreaderError as exc:
        app.notify(str(exc), severity="error", markup=False)
        return None


def share_story(
    app: App, library: Library, article_id: int, mastodon_instance: str = DEFAULT_MASTODON
) -> bool:
    """``s``: open the share menu for a cached article (a note instead if it has no web link)."""
    item = story(app, library, article_id)
    if item is None or not can_share(app, item):
        return False
    app.push_screen(ShareScreen(item, mastodon_instance=mastodon_instance))
    return True


def copy_story_link(app: App, library: Library, article_id: int) -> bool:
    """``y``: copy a cached article's link."""
    item = story(app, library, article_id)
    return item is not None and copy_link(app, item)


class ShareScreen(ModalScreen[str | None]):
    """Pick a way to share one story; dismisses with the target id used (None: cancelled)."""

    DEFAULT_CSS = """
    ShareScreen {
        align: center middle;
    }
    ShareScreen #share-dialog {
        width: auto;
        min-width: 44;
        max-width: 90%;
        height: auto;
        max-height: 95%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    ShareScreen #share-title {
        width: 100%;
        text-style: bold;
        margin-bottom: 1;
    }
    ShareScreen #share-options {
        height: auto;
        max-height: 16;
        border: none;
    }
    ShareScreen #share-qr-box {
        display: none;
        height: auto;
        width: 100%;
    }
    ShareScreen.-qr #share-qr-box {
        display: block;
    }
    ShareScreen.-qr #share-options {
        display: none;
    }
    ShareScreen #share-hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        *(
            Binding(target.key, f"share('{target.id}')", target.label, show=False)
            for target in TARGETS
        ),
    ]

    def __init__(self, item: Shareable, *, mastodon_instance: str = DEFAULT_MASTODON) -> None:
        super().__init__()
        self.item = item
        self.mastodon_instance = mastodon_instance

    def compose(self) -> ComposeResult:
        with Vertical(id="share-dialog"):
            yield Label(f"Share: {self.item.title}", id="share-title", markup=False)
            yield OptionList(
                *(Option(f"{t.key}  {t.label}", id=t.id) for t in TARGETS),
                id="share-options",
            )
            with Center(id="share-qr-box"):
                yield QRCode(id="share-qr")
            yield Static(
                "Keys: the letter or digit beside an entry, enter to choose, escape to close",
                id="share-hint", markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#share-options", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.action_share(event.option.id)

    def action_close(self) -> None:
        if self.has_class("-qr"):
            self.remove_class("-qr")
            self.query_one("#share-hint", Static).update(
                "Keys: the letter or digit beside an entry, enter to choose, escape to close"
            )
            self.query_one("#share-options", OptionList).focus()
            return
        self.dismiss(None)

    def action_share(self, target_id: str) -> None:
        """Run one share target on the story."""
        target = TARGETS_BY_ID[target_id]
        try:
            value = target.build(self.item, self.mastodon_instance)
        except ShareError as exc:
            self.notify(str(exc), title="Cannot share", severity="error", markup=False)
            return
        if target.kind == "copy":
            copy_text(self.app, value, target.copied)
            self.dismiss(target.id)
        elif target.kind == "open":
            what = "in the browser" if target.id == "browser" else f"{target.label}"
            if open_link(self.app, value, what):
                self.dismiss(target.id)
        else:
            self.query_one("#share-qr", QRCode).set_data(value)
            self.add_class("-qr")
            self.query_one("#share-hint", Static).update(
                f"{value}\nScan with a phone's camera. Escape: back to the menu"
            )
