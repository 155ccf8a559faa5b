"""Small feed documents for pipeline and CLI tests, built in code so each test can vary them."""

from __future__ import annotations

import json


def rss(title: str = "Harbour News", items: int = 3, *, prefix: str = "item",
        body: str = "<p>Body of {i} with <a href='/rel/{i}'>a relative link</a>.</p>") -> str:
    entries = "".join(
        f"""<item><title>{prefix} {i}</title><link>http://example.test/{prefix}/{i}</link>
        <guid>{prefix}-{i}</guid><pubDate>Mon, 0{1 + i % 9} Jun 2026 10:00:00 +0200</pubDate>
        <author>ann@example.test (Ann Writer)</author><category>boats</category>
        <description><![CDATA[{body.format(i=i)}]]></description></item>"""
        for i in range(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>http://example.test/</link>
<description>d</description>{entries}</channel></rss>"""


def atom(title: str = "Night Shift", items: int = 2) -> str:
    entries = "".join(
        f"""<entry><title>night {i}</title><id>urn:night:{i}</id>
        <link rel="alternate" href="/night/{i}"/><updated>2026-05-0{i + 1}T22:00:00Z</updated>
        <author><name>Bea</name></author>
        <content type="html">&lt;p&gt;night text {i}&lt;/p&gt;</content>
        </entry>"""
        for i in range(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://night.test/"><title>{title}</title>
<id>urn:night</id><updated>2026-05-02T22:00:00Z</updated>{entries}</feed>"""


def json_feed(title: str = "Long Table") -> str:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": "http://table.test/",
        "feed_url": "http://table.test/feed.json",
        "items": [
            {
                "id": "bread-1",
                "url": "/bread",
                "title": "Bread at dawn",
                "content_html": "<p>Rye <img src='/img/rye.jpg' alt='rye loaf'></p>",
                "summary": "A baker's morning",
                "date_published": "2026-04-01T06:30:00+01:00",
                "date_modified": "2026-04-02T08:00:00+01:00",
                "authors": [{"name": "Cal", "url": "http://table.test/cal"}],
                "tags": ["bread", "family"],
                "attachments": [{"url": "/audio/bread.mp3", "mime_type": "audio/mpeg",
                                 "size_in_bytes": 1234}],
            },
        ],
    })


def wordpress_posts() -> str:
    return json.dumps([
        {
            "id": 7,
            "date_gmt": "2026-03-03T12:00:00",
            "modified_gmt": "2026-03-04T12:00:00",
            "guid": {"rendered": "http://wp.test/?p=7"},
            "link": "http://wp.test/2026/03/clock-repair/",
            "title": {"rendered": "Clock repair &amp; patience"},
            "content": {"rendered": "<p>The clockmaker <strong>waits</strong>.</p>"},
            "excerpt": {"rendered": "<p>A clockmaker waits.</p>"},
            "_embedded": {"author": [{"name": "Dora", "link": "http://wp.test/author/dora"}]},
        }
    ])


def html_page_linking(feed_path: str) -> str:
    return f"""<!doctype html><html><head><title>Site</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="{feed_path}">
</head><body><p>Welcome</p></body></html>"""
