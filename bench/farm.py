"""A seeded farm of realistic feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents.

Feed ``i`` of a farm is RSS when ``i % 5`` is 0 or 2, Atom when 1 or 3 and JSON Feed when
4, so a 500-feed farm holds 200 RSS, 200 Atom and 100 JSON Feeds (newsboat reads only the
first two). Every feed has ``items`` entries with 1-4 KB HTML bodies: paragraphs of varied
text (a Zipf-weighted vocabulary, typographic quotes and dashes in some posts, a few
accented words), links (absolute and relative), emphasis, lists, quotes, images, headings
and code. RSS feeds differ among themselves the way real ones do: full HTML in
``<description>``, or a short summary plus ``content:encoded``; CDATA or escaped markup.

A farm is written once to ``<work>/farm-<feeds>x<items>-s<seed>-v<n>/`` (``index.json``,
one file per feed and its gzipped copy; ``<work>`` is ``bench/.work`` by default) and
reused: it depends only on its three parameters.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

WORK = Path(__file__).resolve().parent / ".work"
FORMAT_VERSION = 1  # bump when the generated documents change

_WORD_TEXT = """
the of and to in a is that for it as was
with be by on not he this are or his from at which but have an they you were her she there
been one all we their has would when if so no will more can its out into only other time
some what up about than them these may like then first any new over such our years most also
work made after before between many through where much well should those while being both
each under might people own how same day world life city night house river road light water
story small long great little old right place year way part back found left still never last
own between again found every under window garden morning evening winter summer autumn
spring harbour village station market letter kitchen table chair door stair lamp candle
mirror shadow voice silence music song book page chapter word sentence writer reader editor
printer paper ink pencil notebook ship sail crew captain storm wind wave shore island
lighthouse fog tide anchor rope train platform ticket journey map compass mountain valley
forest field meadow hedge fence bridge tower castle wall gate courtyard street alley square
cafe bakery bread coffee tea soup apple pear plum cherry honey salt pepper butter cheese
onion garlic basil thyme mother father sister brother daughter son friend stranger neighbour
teacher doctor nurse farmer baker fisherman soldier sailor clerk judge thief witness
detective inspector remember forget wonder believe notice follow gather carry listen watch
wait return whisper answer promise explain describe discover imagine realise decide hesitate
quiet bright dark cold warm heavy gentle strange familiar ordinary careful sudden slow quick
patient restless ancient broken hidden empty crowded narrow distant nearby slowly quietly
suddenly carefully nearly almost already perhaps rather certainly clock hour minute moment
week month season memory dream promise secret question reason photograph camera film radio
telephone engine wheel bicycle lantern basket blanket coat scarf glove boot pocket button
thread needle cloth wool linen cotton silk velvet
"""
_WORDS = _WORD_TEXT.split()
_ACCENTED = ["café", "naïve", "façade", "résumé", "crème", "Zürich", "São Paulo", "Malmö",
             "déjà vu", "jalapeño", "Ångström", "coöperate"]
_NAMES = ["Ada Brennan", "Tomás Ruiz", "Mei Lin", "Olu Adeyemi", "Sara Holm", "Jonas Weber",
          "Priya Nair", "Liam O'Connor", "Hana Sato", "Marta Kowalska", "Yusuf Demir",
          "Elena Rossi", "Noah Fischer", "Aiko Tanaka", "Kofi Mensah", "Ingrid Berg"]
_TAGS = ["fiction", "essay", "travel", "food", "history", "letters", "notes", "poetry",
         "review", "interview", "photography", "walking", "craft", "family", "music",
         "serial", "short story", "memoir", "sea", "city"]
_LANG_CODE = ["def read(feed):\n    for item in feed:\n        print(item.title)",
              "SELECT title FROM articles\n WHERE read = 0\n ORDER BY date DESC;",
              "$ curl -sI https://example.org/feed.xml | grep -i etag"]


@dataclass(frozen=True)
class FarmFeed:
    """One feed of a farm: where it is served and what it holds."""

    index: int
    kind: str  # "rss", "atom", "jsonfeed"
    path: str  # URL path on the farm server, e.g. "/f/7.xml"
    file: str  # file name inside the farm directory
    title: str
    items: int


@dataclass(frozen=True)
class Farm:
    """A generated farm on disk."""

    directory: Path
    feeds: tuple[FarmFeed, ...]
    items: int
    seed: int

    def readable_by_newsboat(self) -> list[FarmFeed]:
        """The RSS and Atom feeds (newsboat 2.21 has no JSON Feed support)."""
        return [f for f in self.feeds if f.kind != "jsonfeed"]

    def first(self, count: int, *, xml_only: bool = False) -> list[FarmFeed]:
        """The first ``count`` feeds (of RSS/Atom only with ``xml_only``)."""
        pool = self.readable_by_newsboat() if xml_only else list(self.feeds)
        return pool[:count]


def kind_of(index: int) -> str:
    """The format of feed ``index`` (2 RSS : 2 Atom : 1 JSON Feed)."""
    return ("rss", "atom", "rss", "atom", "jsonfeed")[index % 5]


class _Text:
    """Seeded generator of words, sentences and HTML paragraphs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # Zipf-like weights: common words much more frequent than rare ones.
        self.weights = [1.0 / (rank + 8) for rank in range(len(_WORDS))]
        self.fancy = False  # typographic quotes and dashes for this post

    def words(self, n: int) -> list[str]:
        return self.rng.choices(_WORDS, self.weights, k=n)

    def title(self) -> str:
        words = self.words(self.rng.randint(3, 9))
        title = " ".join(words).capitalize()
        roll = self.rng.random()
        if roll < 0.08:
            title += f" & the {self.rng.choice(_WORDS)}"
        elif roll < 0.14:
            title = f"{title}: part {self.rng.randint(2, 12)}"
        elif roll < 0.18:
            title = f"{title} in {self.rng.choice(_ACCENTED)}"
        return title

    def sentence(self) -> str:
        words = self.words(self.rng.randint(6, 24))
        if self.rng.random() < 0.05:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(_ACCENTED))
        if len(words) > 10 and self.rng.random() < 0.4:
            cut = self.rng.randrange(3, len(words) - 3)
            words[cut] += "," if not self.fancy or self.rng.random() < 0.6 else " —"
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        end = self.rng.choices([".", "?", "!", "…" if self.fancy else "..."], [20, 2, 1, 1])[0]
        if self.rng.random() < 0.12:
            quote = ("“", "”") if self.fancy else ('"', '"')
            return f"{quote[0]}{text}{end}{quote[1]} she said."
        return text + end

    def inline_html(self, sentence: str, site: str) -> str:
        """A sentence as HTML, sometimes with a link or emphasis on a few words."""
        words = escape(sentence, quote=False).split(" ")
        roll = self.rng.random()
        if len(words) > 6 and roll < 0.35:
            i = self.rng.randrange(1, len(words) - 3)
            span = " ".join(words[i : i + self.rng.randint(1, 3)])
            if roll < 0.15:
                slug = "-".join(self.words(3))
                href = f"/{slug}/" if self.rng.random() < 0.3 else f"{site}/notes/{slug}"
                tag = f'<a href="{href}">{span}</a>'
            elif roll < 0.25:
                tag = f"<em>{span}</em>"
            else:
                tag = f"<strong>{span}</strong>"
            words[i : i + len(span.split(" "))] = [tag]
        return " ".join(words)

    def body(self, site: str, target: int) -> str:
        """An HTML body of about ``target`` bytes."""
        self.fancy = self.rng.random() < 0.4
        parts: list[str] = []
        size = 0
        while size < target:
            roll = self.rng.random()
            if roll < 0.07 and parts:
                items = "".join(
                    f"<li>{escape(' '.join(self.words(self.rng.randint(2, 7))))}</li>"
                    for _ in range(self.rng.randint(2, 5))
                )
                tag = "ol" if roll < 0.02 else "ul"
                block = f"<{tag}>{items}</{tag}>"
            elif roll < 0.11 and parts:
                block = f"<blockquote><p>{self.inline_html(self.sentence(), site)}</p></blockquote>"
            elif roll < 0.14:
                name = "-".join(self.words(2))
                alt = escape(self.sentence()[:60])
                block = (f'<p><img src="{site}/images/{name}.jpg" alt="{alt}"'
                         ' width="640" height="427"></p>')
            elif roll < 0.17 and parts:
                block = f"<h2>{escape(' '.join(self.words(self.rng.randint(2, 5))).title())}</h2>"
            elif roll < 0.18 and parts:
                block = f"<pre><code>{escape(self.rng.choice(_LANG_CODE))}</code></pre>"
            else:
                sentences = [self.inline_html(self.sentence(), site)
                             for _ in range(self.rng.randint(2, 6))]
                block = "<p>" + " ".join(sentences) + "</p>"
            parts.append(block)
            size += len(block) + 1
        return "\n".join(parts)


def _entries(index: int, items: int, rng: random.Random, site: str) -> list[dict]:
    text = _Text(rng)
    start = datetime(2026, 5, 1, 12, 0, tzinfo=UTC) - timedelta(hours=index)
    authors = rng.sample(_NAMES, rng.randint(1, 3))
    out = []
    for n in range(items):
        title = text.title()
        slug = "-".join(title.lower().split()[:5]).replace("&", "and").replace(":", "")
        when = start - timedelta(hours=n * rng.randint(3, 40), minutes=rng.randint(0, 59))
        body = text.body(site, rng.randint(1000, 4000))
        out.append({
            "n": n,
            "title": title,
            "link": f"{site}/{when:%Y/%m}/{slug}-{n}/",
            "guid": f"{site}/?p={index * 100000 + n}",
            "date": when,
            "author": rng.choice(authors),
            "tags": rng.sample(_TAGS, rng.randint(0, 4)),
            "body": body,
            "summary": " ".join(text.sentence() for _ in range(rng.randint(1, 2))),
        })
    return out


def _rss(index: int, title: str, site: str, entries: list[dict], rng: random.Random) -> str:
    # Three RSS habits: full HTML in CDATA description; escaped HTML description;
    # a plain summary plus content:encoded.
    style = rng.choice(["cdata", "escaped", "encoded"])
    items = []
    for e in entries:
        cats = "".join(f"<category>{escape(t)}</category>" for t in e["tags"])
        if style == "encoded":
            desc = f"<description>{escape(e['summary'])}</description>"
            content = f"<content:encoded><![CDATA[{e['body']}]]></content:encoded>"
        elif style == "cdata":
            desc, content = f"<description><![CDATA[{e['body']}]]></description>", ""
        else:
            desc, content = f"<description>{escape(e['body'])}</description>", ""
        perma = "true" if e["guid"] == e["link"] else "false"
        items.append(
            f"<item><title>{escape(e['title'])}</title><link>{e['link']}</link>"
            f'<guid isPermaLink="{perma}">{e["guid"]}</guid>'
            f"<pubDate>{format_datetime(e['date'])}</pubDate>"
            f"<dc:creator>{escape(e['author'])}</dc:creator>{cats}{desc}{content}</item>"
        )
    newest = format_datetime(entries[0]["date"]) if entries else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel><title>{escape(title)}</title><link>{site}/</link>"
        f"<description>Notes and stories from {escape(title)}</description>"
        f"<language>en</language><lastBuildDate>{newest}</lastBuildDate>"
        f"<generator>bench farm</generator>\n" + "\n".join(items) + "\n</channel></rss>\n"
    )


def _atom(index: int, title: str, site: str, entries: list[dict], rng: random.Random) -> str:
    items = []
    for e in entries:
        cats = "".join(f'<category term="{escape(t)}"/>' for t in e["tags"])
        items.append(
            f"<entry><title>{escape(e['title'])}</title>"
            f'<link rel="alternate" type="text/html" href="{e["link"]}"/>'
            f"<id>tag:{site.removeprefix('https://')},2026:{e['n']}</id>"
            f"<published>{e['date'].isoformat()}</published>"
            f"<updated>{(e['date'] + timedelta(minutes=5)).isoformat()}</updated>"
            f"<author><name>{escape(e['author'])}</name></author>{cats}"
            f'<summary type="text">{escape(e["summary"])}</summary>'
            f'<content type="html">{escape(e["body"])}</content></entry>'
        )
    updated = entries[0]["date"].isoformat() if entries else "2026-05-01T00:00:00+00:00"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
        f"<title>{escape(title)}</title><subtitle>Writing from {escape(title)}</subtitle>"
        f'<link rel="alternate" type="text/html" href="{site}/"/>'
        f'<link rel="self" type="application/atom+xml" href="{site}/atom.xml"/>'
        f"<id>{site}/</id><updated>{updated}</updated>\n" + "\n".join(items) + "\n</feed>\n"
    )


def _jsonfeed(index: int, title: str, site: str, entries: list[dict]) -> str:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": site + "/",
        "feed_url": site + "/feed.json",
        "language": "en",
        "items": [
            {
                "id": e["guid"],
                "url": e["link"],
                "title": e["title"],
                "content_html": e["body"],
                "summary": e["summary"],
                "date_published": e["date"].isoformat(),
                "authors": [{"name": e["author"]}],
                "tags": e["tags"],
            }
            for e in entries
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def feed_document(index: int, items: int, seed: int) -> tuple[FarmFeed, bytes]:
    """Feed ``index`` of a farm and its document bytes (deterministic)."""
    rng = random.Random(f"{seed}:{index}")
    kind = kind_of(index)
    words = rng.sample(_WORDS, 2)
    title = f"{words[0].capitalize()} {words[1].capitalize()} {index}"
    site = f"https://blog{index}.example"
    entries = _entries(index, items, rng, site)
    if kind == "rss":
        text, ext = _rss(index, title, site, entries, rng), "xml"
    elif kind == "atom":
        text, ext = _atom(index, title, site, entries, rng), "xml"
    else:
        text, ext = _jsonfeed(index, title, site, entries), "json"
    name = f"{index}.{ext}"
    return FarmFeed(index, kind, f"/f/{name}", name, title, items), text.encode("utf-8")


def _write_feed(args: tuple[int, int, int, str]) -> FarmFeed:
    index, items, seed, directory = args
    feed, body = feed_document(index, items, seed)
    path = Path(directory) / feed.file
    path.write_bytes(body)
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)  # what the server sends (cached beside)
    path.with_name(path.name + ".gz").write_bytes(comp.compress(body) + comp.flush())
    return feed


class _Serial:
    """A stand-in for a process pool: map in this process."""

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def map(self, fn, iterable, chunksize: int = 1):  # type: ignore[no-untyped-def]
        return map(fn, iterable)


def farm_dir(feeds: int, items: int, seed: int, work: Path = WORK) -> Path:
    return work / f"farm-{feeds}x{items}-s{seed}-v{FORMAT_VERSION}"


def build_farm(feeds: int, items: int = 50, seed: int = 1, *, quiet: bool = True,
               work: Path = WORK) -> Farm:
    """Generate (or reuse) a farm of ``feeds`` feeds with ``items`` entries each.

    A bigger farm with the same ``items`` and ``seed`` has the smaller one as its prefix,
    so feed files are shared: generating reuses any already written by another farm.
    """
    directory = farm_dir(feeds, items, seed, work)
    index_file = directory / "index.json"
    if index_file.exists():
        data = json.loads(index_file.read_text())
        return Farm(directory, tuple(FarmFeed(**f) for f in data["feeds"]), items, seed)
    partial = directory.with_name(directory.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    donors = sorted(work.glob(f"farm-*x{items}-s{seed}-v{FORMAT_VERSION}"))
    found: dict[int, FarmFeed] = {}
    for donor in donors:  # feeds another farm with the same items and seed already has
        meta = json.loads((donor / "index.json").read_text())["feeds"]
        for entry in meta[:feeds]:
            if entry["index"] not in found:
                shutil.copyfile(donor / entry["file"], partial / entry["file"])
                gz = entry["file"] + ".gz"
                if (donor / gz).exists():
                    shutil.copyfile(donor / gz, partial / gz)
                found[entry["index"]] = FarmFeed(**entry)
    missing = [i for i in range(feeds) if i not in found]
    workers = min(os.cpu_count() or 1, 8)
    with ProcessPoolExecutor(workers) if len(missing) > 20 else _Serial() as pool:
        results = pool.map(_write_feed, [(i, items, seed, str(partial)) for i in missing],
                           chunksize=8)
        for done, feed in enumerate(results, 1):
            found[feed.index] = feed
            if not quiet and done % 100 == 0:
                print(f"  farm: generated {done}/{len(missing)} feeds", flush=True)
    out = [found[i] for i in range(feeds)]
    meta = {"feeds": [f.__dict__ for f in out], "items": items, "seed": seed}
    (partial / "index.json").write_text(json.dumps(meta))
    partial.rename(directory)
    return Farm(directory, tuple(out), items, seed)


def opml(urls: list[tuple[str, str]]) -> str:
    """An OPML subscription list of (title, url)."""
    outlines = "\n".join(
        f'    <outline type="rss" text="{escape(t)}" title="{escape(t)}" xmlUrl="{escape(u)}"/>'
        for t, u in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n'
        "  <head><title>bench farm</title></head>\n  <body>\n"
        f"{outlines}\n  </body>\n</opml>\n"
    )
