"""The article reader: header, body rendered from the document model, links footer.

:class:`ArticleView` is a vertical scroller holding a centred column of
``measure`` cells (a readable line length): the header, the body in chunks of a
dozen top-level blocks (one :class:`ArticleBlock` each: a long article stays
cheap to mount and lay out, and scrolling only composites cached lines), then
the numbered links. The body's blocks become Rich renderables in
:mod:`tui_reader.ui.render_document`. Every piece of feed text goes into
programmatically built Rich :class:`~rich.text.Text` objects: nothing from a feed
is ever parsed as markup. Links and images are numbered (``text[1]``); digits 1-9 open link n,
``f`` prompts for any number, and a click on a link's text or marker opens it.
Opening a link only posts :class:`ArticleView.LinkOpened`, and only for http,
https and mailto URLs: the app decides what to do with it. Styles come from
component classes (``article-view--link`` ...), so themes and app CSS apply;
a theme change re-renders in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlsplit

from rich.console import Group, RenderableType
from rich.rule import Rule as RichRule
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui_reader.core.document import (
    Block,
    Document,
    Heading,
    Paragraph,
    Span,
    parse_document,
    strip_controls,
)
from tui_reader.core.models import Article
from tui_reader.core.search import Term as SearchTerm
from tui_reader.ui.render_document import LINK_META, DocumentRenderer, DocumentStyles, Prefixed

__all__ = ["OPENABLE_SCHEMES", "ArticleView", "LinkPrompt", "is_openable"]

#: The only URL schemes a link may be opened with.
OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})


def is_openable(url: str) -> bool:
    """Whether ``url`` may be handed to a browser or mail client."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme == "mailto":
        return len(url) > len("mailto:")
    return scheme in OPENABLE_SCHEMES and bool(parts.netloc)


def _clean(text: str) -> str:
    """Feed text for a single line: no control characters, whitespace collapsed."""
    return " ".join(strip_controls(text).split())


# ----------------------------------------------------------------------------- prompt


class LinkPrompt(ModalScreen[int | None]):
    """Ask for a link number; dismisses with the number, or None when cancelled."""

    DEFAULT_CSS = """
    LinkPrompt {
        align: center middle;
        background: $background 40%;
    }
    LinkPrompt > Vertical {
        width: 44;
        height: auto;
        padding: 1 2;
        border: round $accent;
        background: $surface;
    }
    LinkPrompt Label { width: 100%; }
    LinkPrompt Input { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="link_prompt.cancel")
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Open link number (1-{self.count}):", markup=False, id="prompt")
            yield Input(placeholder="number", restrict=r"[0-9]*", max_length=6, id="number")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if value.isdigit() and 1 <= int(value) <= self.count:
            self.dismiss(int(value))
        else:
            self.query_one("#prompt", Label).update(f"No link {value or '?'}: 1-{self.count}")
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)


# ----------------------------------------------------------------------------- widget


class ArticleColumn(Container):
    """The measure-wide column holding the article."""

    DEFAULT_CSS = """
    ArticleColumn {
        height: auto;
        width: 82;
        max-width: 100%;
        padding: 0 1;
    }
    """


class ArticleBlock(Static):
    """A few rendered blocks of the article."""

    DEFAULT_CSS = """
    ArticleBlock { width: 100%; height: auto; margin-bottom: 1; }
    """

    def on_click(self, event: events.Click) -> None:
        """A click on a link's text or marker opens it (see DocumentStyles.click)."""
        number = event.style.meta.get(LINK_META)
        if isinstance(number, int):
            event.stop()
            for ancestor in self.ancestors:
                if isinstance(ancestor, ArticleView):
                    ancestor.open_link(number)
                    break


class ArticleView(VerticalScroll):
    """Shows one article, readable and keyboard-driven; see :meth:`show`."""

    DEFAULT_CSS = """
    ArticleView {
        align-horizontal: center;
        background: $surface;
        scrollbar-gutter: stable;
    }
    ArticleView > ArticleColumn > .-empty { color: $text-muted; text-align: center; margin-top: 2; }
    ArticleView > ArticleColumn > .-hint { color: $text-muted; text-style: italic; }
    ArticleView > .article-view--title { text-style: bold; color: $text; }
    ArticleView > .article-view--meta { color: $text-muted; }
    ArticleView > .article-view--links-title { text-style: bold; }
    ArticleView > .article-view--links { color: $text-muted; }
    ArticleView > .article-view--link { color: $text-primary; text-style: underline; }
    ArticleView > .article-view--link-marker { color: $text-accent; text-style: bold; }
    ArticleView > .article-view--image { color: $text-secondary; text-style: italic; }
    ArticleView > .article-view--code { color: $text-warning; background: $boost; }
    ArticleView > .article-view--mark { background: $warning-muted; }
    ArticleView > .article-view--match { color: $warning; text-style: bold reverse; }
    ArticleView > .article-view--code-block { background: $boost; }
    ArticleView > .article-view--code-border { color: $foreground 25%; }
    ArticleView > .article-view--quote-bar { color: $accent; }
    ArticleView > .article-view--bullet { color: $text-accent; }
    ArticleView > .article-view--term { text-style: bold; }
    ArticleView > .article-view--caption { color: $text-muted; text-style: italic; }
    ArticleView > .article-view--rule { color: $primary 60%; }
    ArticleView > .article-view--table-header { text-style: bold; color: $text-accent; }
    ArticleView > .article-view--table-border { color: $foreground 30%; }
    ArticleView > .article-view--h1 { text-style: bold underline; color: $text-accent; }
    ArticleView > .article-view--h2 { text-style: bold; color: $text-accent; }
    ArticleView > .article-view--h3 { text-style: bold; color: $text-primary; }
    ArticleView > .article-view--h4 { text-style: bold italic; }
    ArticleView > .article-view--refused { color: $text-error; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--title",
        "article-view--meta",
        "article-view--links-title",
        "article-view--links",
        "article-view--link",
        "article-view--link-marker",
        "article-view--image",
        "article-view--code",
        "article-view--mark",
        "article-view--match",
        "article-view--code-block",
        "article-view--code-border",
        "article-view--quote-bar",
        "article-view--bullet",
        "article-view--term",
        "article-view--caption",
        "article-view--rule",
        "article-view--table-header",
        "article-view--table-border",
        "article-view--h1",
        "article-view--h2",
        "article-view--h3",
        "article-view--h4",
        "article-view--refused",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space,pagedown", "page_down", "Page", key_display="space", id="article_view.page_down"
        ),
        Binding("shift+space,pageup", "page_up", "Page up", show=False, id="article_view.page_up"),
        Binding("j,down", "scroll_down", "Down", show=False, id="article_view.line_down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="article_view.line_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="article_view.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="article_view.bottom"),
        Binding("f", "follow_link", "Follow link", id="article_view.follow_link"),
        *(
            Binding(
                str(n), f"open_link({n})", f"Open link {n}", show=False, id=f"article_view.link_{n}"
            )
            for n in range(1, 10)
        ),
    ]

    measure: reactive[int] = reactive(80)
    """The text width in cells (the column is centred; narrower terminals wrap)."""

    class LinkOpened(Message):
        """The reader asked to open link ``number`` (an http, https or mailto URL)."""

        def __init__(self, view: ArticleView, url: str, number: int) -> None:
            super().__init__()
            self.view = view
            self.url = url
            self.number = number

        @property
        def control(self) -> ArticleView:
            return self.view

    def __init__(
        self,
        *,
        measure: int = 80,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._article: Article | None = None
        self._document = Document()
        self._links: tuple[str, ...] = ()
        self._highlight: tuple[SearchTerm, ...] = ()
        self._hint = ""
        self._column = ArticleColumn()
        self._rendered: list[tuple[ArticleBlock, Callable[[DocumentRenderer], RenderableType]]] = []
        self.set_reactive(ArticleView.measure, measure)

    # ------------------------------------------------------------------ public API

    @property
    def article(self) -> Article | None:
        """The article shown, if any."""
        return self._article

    @property
    def document(self) -> Document:
        """The shown article's body as a document model."""
        return self._document

    @property
    def links(self) -> tuple[str, ...]:
        """Every numbered URL: link n is ``links[n - 1]`` (enclosures come last)."""
        return self._links

    def show(
        self, article: Article | None, *, highlight: tuple[SearchTerm, ...] = (),
        hint: str = "",
    ) -> None:
        """Show ``article`` (or the empty state for None), scrolled to the top; ``hint``: a
        line under the story (how to fetch the whole of an excerpt)."""
        self._article = article
        self._highlight = highlight  # search words to mark (from the search screen)
        self._hint = hint
        self._document = _document_of(article) if article is not None else Document()
        enclosures = tuple(e.url for e in article.enclosures) if article is not None else ()
        self._links = self._document.links + tuple(strip_controls(u) for u in enclosures)
        if self.is_mounted:
            self._rebuild()
            self.scroll_home(animate=False)

    def open_link(self, number: int) -> bool:
        """Post :class:`LinkOpened` for link ``number`` if it exists and may be opened."""
        if not 1 <= number <= len(self._links):
            self.notify(f"There is no link {number}.", severity="warning", markup=False)
            return False
        url = self._links[number - 1]
        if not is_openable(url):
            self.notify(
                f"Link {number} was not opened: only http, https and mailto links can be.",
                severity="warning",
                markup=False,
            )
            return False
        self.post_message(self.LinkOpened(self, url, number))
        return True

    # ------------------------------------------------------------------ actions

    def action_open_link(self, number: int) -> None:
        self.open_link(number)

    def action_follow_link(self) -> None:
        if not self._links:
            self.notify("This article has no links.", markup=False)
            return

        def opened(number: int | None) -> None:
            if number is not None:
                self.open_link(number)

        self.app.push_screen(LinkPrompt(len(self._links)), opened)

    # ------------------------------------------------------------------ lifecycle

    def compose(self) -> ComposeResult:
        yield self._column

    def on_mount(self) -> None:
        self._column.styles.width = self.measure + 2
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._rebuild()

    def watch_measure(self, measure: int) -> None:
        self._column.styles.width = max(20, measure) + 2

    def _theme_changed(self, _theme: object) -> None:
        self.call_after_refresh(self._restyle)

    def retitle(self, feed_title: str) -> None:
        """Show the open story under its feed's new title (renamed), where it was."""
        if self._article is not None:
            self._article = replace(self._article, feed_title=feed_title)
            self._restyle()

    def _restyle(self) -> None:
        """Render every block again with the current theme's styles (no remount)."""
        renderer = self._renderer()
        for widget, make in self._rendered:
            widget.update(make(renderer))

    def _renderer(self) -> DocumentRenderer:
        def get(name: str) -> Style:
            return self.get_component_rich_style(f"article-view--{name}")

        return DocumentRenderer(DocumentStyles(get), self._highlight)

    # ------------------------------------------------------------------ building

    def _rebuild(self) -> None:
        renderer = self._renderer()
        widgets: list[ArticleBlock] = []
        self._rendered = []

        def add(make: Callable[[DocumentRenderer], RenderableType]) -> None:
            widget = ArticleBlock(make(renderer))
            widgets.append(widget)
            self._rendered.append((widget, make))

        article = self._article
        if article is None:
            widgets.append(ArticleBlock(Text("No article selected."), classes="-empty"))
        else:
            add(self._header)
            # A few blocks per widget: a long article stays cheap to mount and lay out.
            for chunk in _chunks(self._document.blocks):
                add(_maker(chunk))
            if not self._document.blocks:
                widgets.append(ArticleBlock(Text("This article has no text."), classes="-empty"))
            if self._hint:
                widgets.append(ArticleBlock(Text(self._hint), classes="-hint"))
            if self._links:
                add(self._links_footer)
        with self.app.batch_update():
            self._column.remove_children()
            self._column.mount_all(widgets)

    def _header(self, renderer: DocumentRenderer) -> RenderableType:
        """Title, then feed · author · date (local time), tags, the link and a rule."""
        article = self._article
        assert article is not None
        get = renderer.s.get
        meta_style = get("meta")
        lines: list[RenderableType] = [
            renderer.matches(
                Text(_clean(article.title) or "(untitled)", get("title"), overflow="fold"))
        ]
        meta = [
            _clean(article.feed_title),
            _clean(article.author),
            _format_date(article.published or article.updated),
        ]
        line = " · ".join(part for part in meta if part)
        if line:
            lines.append(Text(line, meta_style, overflow="fold"))
        tags = ", ".join(tag for tag in (_clean(c) for c in article.categories) if tag)
        if tags:
            lines.append(Text(f"Tags: {tags}", meta_style, overflow="fold"))
        link = strip_controls(article.link).strip()
        if link:
            lines.append(Text(link, meta_style, overflow="fold"))
        lines.append(RichRule(characters="─", style=renderer.s.rule))
        return Group(*lines)

    def _links_footer(self, renderer: DocumentRenderer) -> RenderableType:
        """The numbered list of every link, image and attachment URL."""
        styles = renderer.s
        count = len(self._document.links)
        width = len(str(len(self._links))) + 3
        lines: list[RenderableType] = [Text("Links", styles.get("links-title"))]
        url_style = styles.get("links")
        refused = styles.get("refused")
        enclosures = self._article.enclosures if self._article is not None else ()
        for number, url in enumerate(self._links, 1):
            label = f"[{number}]".rjust(width - 1) + " "
            text = Text(url, url_style, overflow="fold")
            if number > count:
                kind = enclosures[number - count - 1].type if enclosures else ""
                text.append(f"  (attachment{': ' + _clean(kind) if kind else ''})", styles.caption)
            if not is_openable(url):
                text.stylize(refused)
                text.append("  (will not be opened)", styles.caption)
            lines.append(Prefixed(text, label, "", styles.marker))
        return Group(*lines)


_CHUNK_BLOCKS = 12


def _chunks(blocks: tuple[Block, ...]) -> list[tuple[Block, ...]]:
    """Top-level blocks in runs of about a dozen, never split after a heading."""
    chunks: list[tuple[Block, ...]] = []
    current: list[Block] = []
    for block in blocks:
        if len(current) >= _CHUNK_BLOCKS and type(current[-1]) is not Heading:
            chunks.append(tuple(current))
            current = []
        current.append(block)
    if current:
        chunks.append(tuple(current))
    return chunks


def _maker(blocks: tuple[Block, ...]) -> Callable[[DocumentRenderer], RenderableType]:
    return lambda renderer: renderer.body(blocks)


def _document_of(article: Article) -> Document:
    """The article's body: its HTML, else its plain text (paragraph per blank line)."""
    if article.content_html.strip():
        return parse_document(article.content_html)
    text = article.text or article.summary
    paragraphs = [" ".join(chunk.split()) for chunk in strip_controls(text).split("\n\n")]
    return Document(tuple(Paragraph((Span(p),)) for p in paragraphs if p))


def _format_date(when: datetime | None) -> str:
    """A datetime in the local time zone, to the minute."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
