"""OPML in and out: nesting to tags, round trips, newsboat compatibility, bad files."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tui_reader.core.errors import OPMLError
from tui_reader.core.library import open_library
from tui_reader.core.opml import parse_opml, read_opml

NESTED = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="News">
    <outline text="Feed A" type="rss" xmlUrl="http://127.0.0.1:9/a.xml"/>
    <outline text="Local"><outline title="Feed B" type="rss" xmlUrl="http://127.0.0.1:9/b.xml"/>
    </outline>
  </outline>
  <outline text="Feed C" type="rss" xmlUrl="http://127.0.0.1:9/c.xml" category="/Stories,/Long"/>
  <outline text="Feed A again" type="rss" xmlUrl="http://127.0.0.1:9/a.xml"/>
</body></opml>"""


def test_nested_outlines_become_folder_path_tags():
    feeds = parse_opml(NESTED)
    assert [(f.url.rsplit("/", 1)[1], f.title, f.tags) for f in feeds] == [
        ("a.xml", "Feed A", ("News",)),
        ("b.xml", "Feed B", ("News/Local",)),
        ("c.xml", "Feed C", ("Stories", "Long")),
    ]


def test_round_trip_through_the_library(tmp_path):
    source = tmp_path / "in.opml"
    source.write_bytes(NESTED)
    with open_library(tmp_path / "one") as lib:
        assert len(lib.import_opml(source)) == 3
        assert lib.import_opml(source) == []  # idempotent
        lib.set_whole_stories("http://127.0.0.1:9/c.xml")
        exported = lib.export_opml()
    out = tmp_path / "out.opml"
    out.write_text(exported)
    with open_library(tmp_path / "two") as lib:
        lib.import_opml(out)
        again = {f.url: f.tags for f in lib.feeds()}
        whole = {f.url for f in lib.feeds() if f.whole_stories}
    assert again == {
        "http://127.0.0.1:9/a.xml": ("News",),
        "http://127.0.0.1:9/b.xml": ("News/Local",),
        "http://127.0.0.1:9/c.xml": ("Long", "Stories"),
    }
    assert whole == {"http://127.0.0.1:9/c.xml"}  # the backup keeps the switch
    assert exported.count('storyreader:wholeStories="true"') == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not xml at all", "not valid OPML"),
        (b"<rss><channel/></rss>", "not OPML"),
        (b"<opml version='2.0'><head/></opml>", "no <body>"),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
         b'"&lol;&lol;&lol;">]><opml><body><outline xmlUrl="&lol2;"/></body></opml>',
         "entity"),
    ],
)
def test_bad_opml_is_one_clear_error(data, message):
    with pytest.raises(OPMLError, match=message):
        parse_opml(data, "x.opml")


def test_unreadable_file(tmp_path):
    with pytest.raises(OPMLError, match="cannot read"):
        read_opml(tmp_path / "missing.opml")


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is not installed")
def test_round_trip_with_newsboat(tmp_path):
    source = tmp_path / "in.opml"
    source.write_bytes(NESTED)
    with open_library(tmp_path / "lib") as lib:
        lib.import_opml(source)
        lib.set_whole_stories("http://127.0.0.1:9/b.xml")  # our own attribute: newsboat skips it
        (tmp_path / "ours.opml").write_text(lib.export_opml())
    nb = ["newsboat", "-u", str(tmp_path / "urls"), "-c", str(tmp_path / "cache.db"),
          "-C", "/dev/null"]
    subprocess.run([*nb, "-i", str(tmp_path / "ours.opml")], check=True, capture_output=True,
                   timeout=60)
    urls = (tmp_path / "urls").read_text()
    assert 'http://127.0.0.1:9/b.xml "News/Local"' in urls
    exported = subprocess.run([*nb, "-e"], check=True, capture_output=True, timeout=60).stdout
    theirs = {f.url for f in parse_opml(exported)}
    assert theirs == {"http://127.0.0.1:9/a.xml", "http://127.0.0.1:9/b.xml",
                      "http://127.0.0.1:9/c.xml"}
