"""A tiny app showing ArticleView with an article that uses every element.

Run it by hand (``python tests/apps/article_view_app.py``) or from the snapshot
test. The article's date is shown in local time: set ``TZ=UTC`` for a stable
screen.
"""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App, ComposeResult
from textual.widgets import Footer

from tui_reader.core.models import Article, Author, Enclosure
from tui_reader.ui.widgets.article_view import ArticleView

EVERY_ELEMENT_HTML = """
<p>Storyreader shows <strong>bold</strong>, <em>italic</em>, <b><i>both</i></b>,
<code>inline code</code>, <kbd>Ctrl</kbd>+<kbd>C</kbd>, <s>struck</s>, <u>underlined</u>,
<mark>marked</mark>, x<sup>2</sup> and H<sub>2</sub>O, with a
<a href="https://example.com/first" title="First">first link</a> and a
<a href="javascript:alert(1)">hostile one</a>.</p>
<h1>Heading one</h1>
<h2>Heading two</h2>
<p>A paragraph with a line<br>break and a
verylongwordthatneverendsverylongwordthatneverendsverylongwordthatneverendsverylongwordthatneverends
and a URL https://example.com/a/very/long/path/that/goes/on/and/on/and/on/and/on/and/on/forever.</p>
<h3>Heading three</h3>
<ul>
  <li>First item</li>
  <li>Second item with <a href="https://example.com/second">a link</a>
    <ul><li>Nested item</li><li>Another nested item, long enough to wrap onto a second line so
    that the hanging indent can be seen at work.</li></ul>
  </li>
</ul>
<ol start="9"><li>Ninth</li><li>Tenth</li></ol>
<blockquote><p>A quotation that is long enough to wrap onto more than one line, so the bar
on its left runs along all of it.</p><p>— Someone</p></blockquote>
<pre><code>def greet(name):
    # A comment that is much too long for the measure of the reader, so it has to be cut somewhere
    return f"Hello, {name}!"</code></pre>
<h4>Heading four</h4>
<table>
  <caption>Fruit</caption>
  <thead><tr><th>Name</th><th>Colour</th><th>Count</th></tr></thead>
  <tbody>
    <tr><td>Apple</td><td>Red</td><td>3</td></tr>
    <tr><td>Banana</td><td>Yellow</td><td>12</td></tr>
  </tbody>
</table>
<figure><img src="https://example.com/cat.png" alt="A cat on a mat">
<figcaption>The cat, on its mat.</figcaption></figure>
<dl><dt>Term</dt><dd>Its definition.</dd></dl>
<hr>
<p>The end, with <a href="mailto:author@example.com">mail</a> and an image
<img src="https://example.com/icon.png" alt="icon"> inline.</p>
"""


def every_element_article() -> Article:
    """An article whose body uses every element the sanitizer lets through."""
    return Article(
        id=1,
        feed_url="https://example.com/feed.xml",
        feed_title="Example Feed",
        guid="every-element",
        title="Every element: a test article for the reader",
        link="https://example.com/posts/every-element",
        authors=(Author(name="Ada Lovelace"),),
        published=datetime(2024, 5, 1, 14, 3, tzinfo=UTC),
        content_html=EVERY_ELEMENT_HTML,
        enclosures=(Enclosure(url="https://example.com/episode.mp3", type="audio/mpeg"),),
        categories=("testing", "html"),
    )


class ArticleViewApp(App[None]):
    """ArticleView alone, with a footer showing its keys."""

    def __init__(self, article: Article | None = None) -> None:
        super().__init__()
        self.article = article if article is not None else every_element_article()
        self.opened: list[ArticleView.LinkOpened] = []

    def compose(self) -> ComposeResult:
        yield ArticleView(id="article")
        yield Footer()

    def on_mount(self) -> None:
        view = self.query_one(ArticleView)
        view.show(self.article)
        view.focus()

    def on_article_view_link_opened(self, message: ArticleView.LinkOpened) -> None:
        self.opened.append(message)


app = ArticleViewApp()

if __name__ == "__main__":
    app.run()
