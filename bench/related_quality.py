"""Quality of the related-posts engine: precision@5 on a labelled corpus, against a plain
TF-IDF cosine baseline computed in the same run.

    python -m bench.related_quality [--size N] [--seed S] [--queries Q] [--json]

The corpus is generated (seeded, reproducible) to look like a reader's cache of story
blogs, so every article's true topic is known:

* 12 topics (ghost stories, space opera, epic fantasy, crime, romance, war fiction,
  westerns, post-apocalyptic, sea stories, fairy tales, cosy slice of life, writing craft),
  each a handful of facets of a few dozen words. Many words are deliberately shared by
  confusable topics (captain/crew: space opera and sea stories; blood/night: horror and
  crime; castle/spell: fantasy and fairy tales; convoy/blackout: war and dystopia ...).
* Synonym groups (``ghost|spirit|phantom``): each blog has its own habits, so two posts on
  the same topic from different blogs often share few words.
* An article mostly stays in one or two facets of its topic, with general story words,
  stop words, digressions into another topic and its blog's sign-off boilerplate (which
  mixes topics within one blog). Lengths run from one-sentence teasers to long posts.
* Titles are short and topical, or uninformative ("Chapter 14", "Friday Flash #3").
* Blogs have one to three topics. Categories follow each blog's habits: none, generic
  ("Fiction", "Uncategorized"), or topic names in the blog's own wording, sometimes wrong.
* Some WordPress blogs declare three related posts (Jetpack style): same blog, same topic
  only about 60% of the time.
* A few posts are syndicated to a second blog (same link, same title): duplicates.

precision@5 is the share of the five suggestions (missing ones count as misses) whose
topic is the open article's. Duplicates of the open article are excluded for both methods.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui_reader.core.models import ParsedEntry
from tui_reader.core.related import STOP_WORDS, RelatedEngine, words

# -- the topics ------------------------------------------------------------------------------
# Each topic: facets (space-separated words; ``a|b|c`` is a synonym group), and the category
# names blogs use for it (each blog picks one wording).
TOPICS: dict[str, dict[str, list[str]]] = {
    "ghost stories": {
        "facets": [
            "ghost|spirit|phantom|specter haunted attic cellar whisper footsteps cold candle "
            "portrait mirror seance medium apparition chill manor",
            "creature|beast|thing fangs claws howl werewolf vampire blood moon hunger lair "
            "wolf night",
            "dread|terror|fear scream nightmare darkness shadow corridor locked door crept "
            "trembling night silence",
            "village ritual harvest effigy cult chant bonfire masks sacrifice hollow woods "
            "forest",
            "curse|hex doll music box relic antique inherited grave cemetery tomb coffin "
            "raven",
        ],
        "cats": ["Horror", "horror stories", "Spooky", "Ghost Stories"],
    },
    "space opera": {
        "facets": [
            "starship|spaceship|vessel|craft hull airlock bridge captain crew engine thruster "
            "reactor hyperspace|warp|jump drive",
            "planet colony orbit moon asteroid station dock outpost terraforming atmosphere "
            "gravity",
            "alien|xeno species contact signal translator envoy treaty hive probe",
            "android|robot|synthetic ai neural implant hologram console sensors plasma laser",
            "fleet admiral blockade torpedo shields squadron empire rebellion federation "
            "battle",
        ],
        "cats": ["Science Fiction", "sci-fi", "Space Opera", "SF"],
    },
    "epic fantasy": {
        "facets": [
            "magic|sorcery|spellcraft wizard|mage|sorcerer spell staff runes enchanted arcane "
            "tower apprentice grimoire",
            "quest sword|blade hero prophecy chosen artifact journey companions map road",
            "king|monarch queen throne realm|kingdom crown castle knight court heir usurper "
            "banners",
            "dragon|wyrm elves|elf dwarves orcs goblin griffin troll hoard lair mountain",
            "army siege battle shield spear warlord legion fortress blood",
        ],
        "cats": ["Fantasy", "epic fantasy", "Sword and Sorcery", "High Fantasy"],
    },
    "crime": {
        "facets": [
            "detective|inspector|sleuth case clue suspect alibi motive interrogation deduction "
            "notebook",
            "murder|killing|homicide victim body weapon knife poison blood crime scene "
            "witness night",
            "police|constable|cops precinct warrant arrest forensic fingerprint autopsy "
            "coroner evidence",
            "rain alley whiskey dame gangster smoke neon fedora trenchcoat nightclub city",
            "heist|robbery|theft safe vault diamond jewels getaway accomplice ransom blackmail",
        ],
        "cats": ["Mystery", "crime fiction", "Whodunit", "Detective"],
    },
    "romance": {
        "facets": [
            "love heart kiss longing tender embrace desire sweetheart|beloved|darling smile",
            "wedding|marriage bride groom proposal ring engagement vows bouquet altar",
            "date dinner flirting chemistry crush text coffee awkward blush",
            "breakup heartbreak tears jealousy betrayal reunion forgive second chance letters",
            "ballroom duke countess gown courtship season scandal dowry waltz ball",
        ],
        "cats": ["Romance", "love stories", "Romantic", "Romance Fiction"],
    },
    "war fiction": {
        "facets": [
            "trench|trenches soldier|infantryman|private rifle mud artillery shelling barbed "
            "wire gas mask front sergeant",
            "rationing telegram evacuees factory munitions air raid shelter blackout letters "
            "sweetheart",
            "convoy submarine destroyer torpedo admiral depth charge escort crew",
            "resistance partisan occupation sabotage radio spy courier forged papers "
            "checkpoint bridge",
            "veterans memorial medal wounded hospital nurse armistice grief battle",
        ],
        "cats": ["Historical Fiction", "war stories", "Wartime", "WW1"],
    },
    "westerns": {
        "facets": [
            "frontier prairie canyon mesa desert dust tumbleweed trail wagon homestead",
            "cowboy|cowhand|wrangler horse|mustang|mare saddle spurs lasso cattle herd ranch "
            "drive",
            "outlaw|bandit|desperado sheriff|marshal|lawman posse bounty revolver|six-shooter "
            "holster duel noon jail wanted",
            "saloon stagecoach railroad gold mine prospector rush claim blacksmith poker "
            "whiskey",
            "campfire river crossing stampede coyotes dawn stars night",
        ],
        "cats": ["Western", "westerns", "Frontier Tales", "Wild West"],
    },
    "post-apocalyptic": {
        "facets": [
            "wasteland ruins rubble scavenger|scavver|forager radiation fallout rust bunker "
            "supplies canned",
            "survival|survivors water shelter raiders barricade rations scarce gas generator",
            "plague|virus|outbreak infected quarantine zombies horde bite cure contagion",
            "regime surveillance propaganda ministry citizens curfew drones rebellion "
            "dissident districts",
            "collapse grid blackout flood drought climate refugees convoy city",
        ],
        "cats": ["Post-Apocalyptic", "dystopia", "End Times", "Apocalypse"],
    },
    "sea stories": {
        "facets": [
            "ship|vessel|schooner sail mast deck helm rigging anchor harbor|port voyage crew "
            "captain",
            "pirate|buccaneer|corsair cutlass plunder treasure doubloons parrot flag mutiny "
            "plank rum",
            "storm|gale|tempest waves hurricane shipwreck reef lighthouse fog tide drowned",
            "island lagoon cove map chest palm castaway jungle treasure",
            "frigate broadside cannon admiral midshipman boarding privateer battle",
        ],
        "cats": ["Sea Stories", "nautical fiction", "Pirates", "Tales of the Sea"],
    },
    "fairy tales": {
        "facets": [
            "fairy|sprite|pixie wish wand godmother enchanted spell glitter toadstool",
            "fox rabbit|bunny|hare owl bear mouse hedgehog badger talking burrow meadow",
            "princess prince castle tower slipper ball frog kiss king",
            "witch gingerbread cottage cauldron forest wolf grandmother basket breadcrumbs",
            "bedtime lullaby giggle little moral lesson dream stars teddy",
        ],
        "cats": ["Fairy Tales", "kids stories", "Bedtime Stories", "Fables"],
    },
    "slice of life": {
        "facets": [
            "cafe|coffeehouse|bistro barista latte espresso pastries croissant counter "
            "regulars apron coffee",
            "bake|baking bread dough oven flour cinnamon recipe pie kitchen sourdough",
            "neighbor street bookshop market cat garden porch rain quiet afternoon",
            "grandmother sister brother family holiday dinner table memories letters",
            "garden tomatoes seeds greenhouse allotment flowers harvest compost",
        ],
        "cats": ["Slice of Life", "cozy fiction", "Everyday Stories", "Vignettes"],
    },
    "writing craft": {
        "facets": [
            "draft|manuscript revision|rewrite|editing outline plot pacing chapter scene word "
            "count deadline notebook",
            "publishing agent query letter submission rejection editor contract "
            "self-publishing cover launch",
            "character|protagonist dialogue voice point view tension arc worldbuilding prose "
            "tense",
            "routine morning coffee block motivation procrastination sprint nanowrimo habit",
            "workshop critique beta readers feedback group contest anthology prompt",
        ],
        "cats": ["Writing", "writing tips", "On Craft", "Writer Life"],
    },
}

# Topics whose posts drift into each other's words.
NEIGHBOURS: dict[str, list[str]] = {
    "ghost stories": ["crime", "fairy tales"],
    "space opera": ["post-apocalyptic", "sea stories"],
    "epic fantasy": ["fairy tales", "war fiction"],
    "crime": ["ghost stories", "westerns"],
    "romance": ["slice of life", "war fiction"],
    "war fiction": ["post-apocalyptic", "sea stories"],
    "westerns": ["crime", "epic fantasy"],
    "post-apocalyptic": ["space opera", "war fiction"],
    "sea stories": ["space opera", "war fiction"],
    "fairy tales": ["epic fantasy", "slice of life"],
    "slice of life": ["romance", "writing craft"],
    "writing craft": ["slice of life", "crime"],
}

GENERAL = [
    "story", "tale", "night", "day", "time", "old", "new", "long", "little", "world", "home",
    "life", "way", "eyes", "hand", "voice", "face", "light", "dark", "morning", "evening", "room",
    "house", "road", "city", "man", "woman", "friend", "years", "moment", "found", "left", "told",
    "knew", "thought", "looked", "walked", "turned", "waited", "remember", "feel", "heard", "back",
    "away", "never", "always", "again", "suddenly", "finally", "everything", "nothing",
    "something", "someone", "people", "told", "asked", "answered", "window", "door", "table",
    "hands", "head", "small", "great", "last", "first", "next", "open", "closed", "began",
    "seemed", "watched", "kept"
]
BLOG_WORDS = [
    "readers", "reading", "thanks", "posted", "week", "chapter", "part", "continued",
    "installment", "update", "comment", "comments", "enjoy", "hope", "share", "follow", "next",
    "previous", "serial", "episode"
]
GENERIC_CATS = ["Fiction", "Short Stories", "Serial", "Uncategorized", "Flash Fiction", "Stories"]
FEED_NAME_WORDS = [
    "lantern", "raven", "quill", "hollow", "ember", "tide", "ink", "moth", "willow", "thorn",
    "harbor", "ash", "crow", "fable", "ember", "paper", "atlas", "compass", "mirror", "candle",
    "winter", "copper", "velvet"
]
SIGNOFF_WORDS = [
    "subscribe", "newsletter", "patreon", "support", "kofi", "share", "follow", "friday",
    "tuesday", "weekly", "updates", "archive", "mailing", "list", "tip", "jar"
]
STOPS = sorted(STOP_WORDS)
_SYLLABLES = [c + v for c in "bdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ar", "en")]


def _pseudo_words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        out["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(out)


# Each topic's own long tail: 300 rarer words of the genre (jargon, invented names).
TOPIC_TAILS: dict[str, list[str]] = {}


# Topic-neutral vocabulary with a Zipf-like spread (rare words shared by chance are the
# classic false friends of TF-IDF).
LONG_TAIL = _pseudo_words(30_000, 7)
for _n, _topic in enumerate(TOPICS):
    TOPIC_TAILS[_topic] = _pseudo_words(300, 100 + _n)
TITLE_FILLERS = ["The", "A", "Of", "In the", "At", "Beyond the", "Under the", "After the"]


@dataclass
class Feed:
    url: str
    title: str
    topics: list[str]
    style: dict[str, str]  # synonym group -> this blog's preferred word
    cat_policy: str  # "none" | "generic" | "topic"
    cat_wording: dict[str, str]
    signoff: list[str]
    full_content: bool
    jetpack: bool
    names: list[str]
    entries: list[ParsedEntry] = field(default_factory=list)


@dataclass
class Corpus:
    feeds: list[Feed]
    topic_of: dict[tuple[str, str], str]  # (feed url, guid) -> topic
    duplicates: set[tuple[str, str]]  # syndicated copies (feed url, guid)


def _zipf_choice(rng: random.Random, items: Sequence[str], s: float = 1.0) -> str:
    weights = [1.0 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights)[0]


def _resolve(word: str, style: dict[str, str], rng: random.Random) -> str:
    if "|" not in word:
        return word
    options = word.split("|")
    preferred = style.get(word)
    if preferred and rng.random() < 0.75:
        return preferred
    return rng.choice(options)


def generate_corpus(size: int, seed: int = 1) -> Corpus:
    """About ``size`` articles in ~size/40 blogs, every article labelled with its topic."""
    rng = random.Random(seed)
    topic_names = list(TOPICS)
    n_feeds = max(6, size // 40)
    feeds: list[Feed] = []
    for i in range(n_feeds):
        k = rng.choices([1, 2, 3], [0.55, 0.3, 0.15])[0]
        topics = rng.sample(topic_names, k)
        style = {}
        for topic in topic_names:
            for facet in TOPICS[topic]["facets"]:
                for word in facet.split():
                    if "|" in word:
                        style[word] = rng.choice(word.split("|"))
        name = " ".join(w.capitalize() for w in rng.sample(FEED_NAME_WORDS, 2))
        feeds.append(
            Feed(
                url=f"https://blog{i}.example/feed",
                title=f"The {name} {rng.choice(['Papers', 'Tales', 'Press', 'Journal'])}",
                topics=topics,
                style=style,
                cat_policy=rng.choices(["none", "generic", "topic"], [0.3, 0.3, 0.4])[0],
                cat_wording={t: rng.choice(TOPICS[t]["cats"]) for t in topic_names},
                signoff=rng.sample(SIGNOFF_WORDS, 5) + name.lower().split(),
                full_content=rng.random() < 0.5,
                jetpack=rng.random() < 0.3,
                names=[w.capitalize() for w in _pseudo_words(30, 1000 + i)],
            )
        )
    feed_weights = [1.0 / (i + 1) ** 0.6 for i in range(n_feeds)]
    topic_of: dict[tuple[str, str], str] = {}
    by_feed_topic: dict[tuple[int, str], list[ParsedEntry]] = {}
    start = datetime(2024, 1, 1, tzinfo=UTC)
    counters = Counter()
    for n in range(size):
        fi = rng.choices(range(n_feeds), feed_weights)[0]
        feed = feeds[fi]
        topic = rng.choice(feed.topics)
        counters[fi] += 1
        guid = f"{feed.url}#post-{counters[fi]}"
        entry = _article(rng, feed, topic, topic_names, guid, counters[fi])
        published = start + timedelta(hours=n * 3 * 365 * 24 / size + rng.random() * 12)
        related: tuple[str, ...] = ()
        if feed.jetpack:
            same = by_feed_topic.get((fi, topic), [])
            pool = [e for t in feed.topics for e in by_feed_topic.get((fi, t), [])]
            picks: list[str] = []
            for _ in range(3):
                source = same if same and rng.random() < 0.6 else pool
                if source:
                    picks.append(rng.choice(source).link)
            related = tuple(dict.fromkeys(picks))
        entry = ParsedEntry(
            guid=entry.guid, title=entry.title, link=entry.link, published=published,
            summary=entry.summary, text=entry.text, content_html="",
            categories=entry.categories, related_links=related,
        )
        feed.entries.append(entry)
        topic_of[(feed.url, guid)] = topic
        by_feed_topic.setdefault((fi, topic), []).append(entry)
    duplicates: set[tuple[str, str]] = set()
    for feed in feeds:
        for entry in list(feed.entries):
            if rng.random() < 0.02:
                other = rng.choice(feeds)
                if other is feed:
                    continue
                guid = f"{other.url}#syndicated-{len(other.entries)}"
                copy = ParsedEntry(
                    guid=guid, title=entry.title, link=entry.link, published=entry.published,
                    summary=entry.summary, text=entry.text, categories=entry.categories,
                )
                other.entries.append(copy)
                topic_of[(other.url, guid)] = topic_of[(feed.url, entry.guid)]
                duplicates.add((other.url, guid))
    return Corpus(feeds, topic_of, duplicates)


def _sentence(rng: random.Random, feed: Feed, topic: str, facets: list[str],
              topic_names: list[str], focal: list[str]) -> list[str]:
    out: list[str] = []
    all_facets = TOPICS[topic]["facets"]
    for _ in range(rng.randint(6, 15)):
        r = rng.random()
        if r < 0.05:  # the article's own facets
            word = _zipf_choice(rng, rng.choice(facets).split(), 0.7)
        elif r < 0.075:  # the rest of its topic
            word = _zipf_choice(rng, rng.choice(all_facets).split(), 0.7)
        elif r < 0.11:  # the topic's own long tail (jargon, genre names), rarely repeated
            word = _zipf_choice(rng, TOPIC_TAILS[topic], 1.0)
        elif r < 0.145:  # a digression, usually into a neighbouring topic
            other = rng.choice(NEIGHBOURS[topic] if rng.random() < 0.7 else topic_names)
            word = _zipf_choice(rng, rng.choice(TOPICS[other]["facets"]).split(), 0.7)
        elif r < 0.33:  # everyday story words
            word = _zipf_choice(rng, GENERAL, 0.9)
        elif r < 0.51:  # the long tail: names, things, places of every kind
            word = LONG_TAIL[(int(rng.paretovariate(0.35)) - 1) % len(LONG_TAIL)]
        elif r < 0.56:  # this article's own recurring specifics
            word = rng.choice(focal)
        elif r < 0.61:  # the blog's recurring characters and places
            word = _zipf_choice(rng, feed.names, 1.0)
        elif r < 0.63:
            word = rng.choice(BLOG_WORDS)
        else:
            word = _zipf_choice(rng, STOPS, 0.8)
        out.append(_resolve(word, feed.style, rng))
    return out


def _article(rng: random.Random, feed: Feed, topic: str, topic_names: list[str], guid: str,
             number: int) -> ParsedEntry:
    all_facets = TOPICS[topic]["facets"]
    facets = rng.sample(all_facets, rng.choice([1, 1, 2]))
    # Lengths: teasers of a sentence or two up to long posts.
    n_sent = max(1, int(rng.lognormvariate(1.6 if feed.full_content else 0.9, 0.8)))
    focal = [LONG_TAIL[(int(rng.paretovariate(0.5)) - 1) % len(LONG_TAIL)]
             for _ in range(rng.randint(2, 5))]
    sentences = [_sentence(rng, feed, topic, facets, topic_names, focal)
                 for _ in range(n_sent)]
    if rng.random() < 0.5:
        sentences.append([*rng.sample(feed.signoff, 4), *rng.sample(STOPS, 3)])
    text = " ".join(" ".join(s).capitalize() + "." for s in sentences)
    summary = " ".join(text.split()[:40]) if feed.full_content else text
    title = _title(rng, feed, topic, facets, number)
    slug = "-".join(re.findall(r"[a-z]+", title.lower())[:4])
    link = f"{feed.url.removesuffix('/feed')}/{number}-{slug}"
    categories: list[str] = []
    if feed.cat_policy == "generic":
        categories.append(rng.choice(GENERIC_CATS))
    elif feed.cat_policy == "topic":
        shown = topic if rng.random() < 0.85 else rng.choice(topic_names)
        categories.append(feed.cat_wording[shown])
        if rng.random() < 0.5:
            categories.append(rng.choice(GENERIC_CATS))
    return ParsedEntry(guid=guid, title=title, link=link, summary=summary, text=text,
                       categories=tuple(categories))


def _title(rng: random.Random, feed: Feed, topic: str, facets: list[str], number: int) -> str:
    r = rng.random()
    if r < 0.12:
        return rng.choice([f"Chapter {number}", f"Part {number}", f"Friday Flash #{number}",
                           f"Episode {number}", "An Update", f"Installment {number}"])
    picked: list[str] = []
    for _ in range(rng.choice([1, 2, 2, 3])):
        r = rng.random()
        if r < 0.45:
            word = _zipf_choice(rng, rng.choice(facets).split(), 0.5)
        elif r < 0.6:
            word = _zipf_choice(rng, GENERAL, 0.9)
        elif r < 0.8:
            word = rng.choice(feed.names)
        else:
            word = LONG_TAIL[(int(rng.paretovariate(0.5)) - 1) % len(LONG_TAIL)]
        picked.append(_resolve(word, feed.style, rng))
    title = " ".join(w.capitalize() for w in picked)
    if rng.random() < 0.5:
        title = f"{rng.choice(TITLE_FILLERS)} {title}"
    if rng.random() < 0.2:
        title = f"{title}, Part {rng.randint(1, 6)}"
    return title


# -- the library -----------------------------------------------------------------------------
def build_library(corpus: Corpus, data_dir: Path, rounds: int = 20) -> dict[int, tuple[str, str]]:
    """Store the corpus like ``rounds`` refreshes would: chronologically, one transaction per
    feed per round, with the library's on-stored hooks. Returns article id -> (feed, guid)."""
    from tui_reader.core.storage import Storage
    from tui_reader.core.storage import articles as article_sql
    from tui_reader.core.storage import feeds as feed_sql

    storage = Storage(data_dir)
    engine = RelatedEngine(storage)
    stream = sorted(
        ((e.published, f.url, e) for f in corpus.feeds for e in f.entries),
        key=lambda item: (item[0], item[1]),
    )
    fids: dict[str, int] = {}
    with storage.transaction() as conn:
        for feed in corpus.feeds:
            fids[feed.url] = feed_sql.insert_feed(conn, feed.url, title=feed.title)
    per_round = max(1, math.ceil(len(stream) / rounds))
    for start in range(0, len(stream), per_round):
        batch: dict[str, list[ParsedEntry]] = {}
        for _, url, entry in stream[start : start + per_round]:
            batch.setdefault(url, []).append(entry)
        for url, entries in batch.items():
            with storage.transaction() as conn:
                new, updated = article_sql.store_entries(conn, fids[url], entries)
                engine.on_stored(conn, new, updated)
    ids = {
        row[0]: (row[1], row[2])
        for row in storage.conn.execute(
            "SELECT a.id, f.url, a.guid FROM articles a JOIN feeds f ON f.id = a.feed_id"
        )
    }
    storage.close()
    return ids


# -- the baseline ----------------------------------------------------------------------------
def _norm_title(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.lower()))


class TfidfBaseline:
    """Plain TF-IDF cosine over title + body: sublinear tf, smooth idf, L2 norm, the
    engine's tokenizer (stop words out, light stemming)."""

    def __init__(self, docs: Sequence[tuple[str, str]]) -> None:
        counts = [Counter(words(f"{title} {body}")) for title, body in docs]
        n = len(docs)
        df = Counter(t for c in counts for t in c)
        idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
        self.vectors: list[dict[str, float]] = []
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for i, c in enumerate(counts):
            vec = {t: (1 + math.log(tf)) * idf[t] for t, tf in c.items()}
            norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
            vec = {t: w / norm for t, w in vec.items()}
            self.vectors.append(vec)
            for t, w in vec.items():
                self.postings.setdefault(t, []).append((i, w))

    def neighbours(self, i: int, skip: set[int], k: int) -> list[int]:
        scores: dict[int, float] = {}
        for t, w in self.vectors[i].items():
            for j, wj in self.postings[t]:
                scores[j] = scores.get(j, 0.0) + w * wj
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return [j for j, _ in ranked if j != i and j not in skip][:k]


# -- the evaluation --------------------------------------------------------------------------
WRITTEN = Path(__file__).resolve().with_name("related_corpus.tsv")


@dataclass
class Result:
    size: int
    queries: int
    engine: float
    baseline: float
    variants: dict[str, float]
    engine_ms: float
    build_s: float


def written_corpus(path: Path = WRITTEN) -> Corpus:
    """The small hand-written corpus (bench/related_corpus.tsv): 192 story-blog post
    descriptions written for this project, 16 on each of 12 topics, from 10 blogs that each
    cover several topics; no categories, no declared links: it measures the text alone."""
    feeds: dict[str, Feed] = {}
    topic_of: dict[tuple[str, str], str] = {}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    for n, line in enumerate(lines):
        topic, blog, title, text = line.split("\t")
        url = "https://" + "-".join(blog.lower().split()) + ".example/feed"
        feed = feeds.get(url)
        if feed is None:
            feed = feeds[url] = Feed(url, blog, [], {}, "none", {}, [], True, False, [])
        guid = f"{url}#{n}"
        feed.entries.append(ParsedEntry(
            guid=guid, title=title, link=f"{url.removesuffix('/feed')}/{n}", text=text,
            summary=text, published=start + timedelta(days=n),
        ))
        topic_of[(url, guid)] = topic
    return Corpus(list(feeds.values()), topic_of, set())


def evaluate(size: int, seed: int = 1, queries: int = 1000, k: int = 5,
             variants: bool = True, corpus: Corpus | None = None) -> Result:
    corpus = corpus or generate_corpus(size, seed)
    with tempfile.TemporaryDirectory(prefix="storyreader-related-") as tmp:
        started = time.perf_counter()
        ids = build_library(corpus, Path(tmp))
        build_s = time.perf_counter() - started
        entries = {(f.url, e.guid): e for f in corpus.feeds for e in f.entries}
        order = sorted(ids)
        index_of = {aid: n for n, aid in enumerate(order)}
        docs = [(entries[ids[a]].title, entries[ids[a]].text) for a in order]
        topics = [corpus.topic_of[ids[a]] for a in order]
        links = [entries[ids[a]].link for a in order]
        titles = [_norm_title(entries[ids[a]].title) for a in order]
        rng = random.Random(seed + 1)
        sample = order if len(order) <= queries else rng.sample(order, queries)

        def dups(i: int) -> set[int]:
            return {j for j in range(len(order))
                    if j != i and (links[j] == links[i] or titles[j] == titles[i])}

        baseline = TfidfBaseline(docs)
        base_hits = 0
        for aid in sample:
            i = index_of[aid]
            got = baseline.neighbours(i, dups(i), k)
            base_hits += sum(topics[j] == topics[i] for j in got)

        from tui_reader.core.storage import Storage

        storage = Storage(Path(tmp))
        try:
            configs = {"engine": {}}
            if variants:
                configs.update({
                    "engine, text only": {"use_declared": False, "use_categories": False,
                                          "use_same_feed": False},
                    "engine, text + same blog": {"use_declared": False,
                                                 "use_categories": False},
                    "engine, no declared links": {"use_declared": False},
                    "engine, no categories": {"use_categories": False},
                    "engine, no same-blog bonus": {"use_same_feed": False},
                    "engine, no full-text re-scoring": {"use_rerank": False},
                })
            scores: dict[str, float] = {}
            engine_ms = 0.0
            for name, options in configs.items():
                engine = RelatedEngine(storage, **options)
                hits = 0
                started = time.perf_counter()
                for aid in sample:
                    i = index_of[aid]
                    got = [index_of[item.id] for item in engine.related(aid, k)]
                    hits += sum(topics[j] == topics[i] for j in got)
                if name == "engine":
                    engine_ms = (time.perf_counter() - started) * 1000 / len(sample)
                scores[name] = hits / (k * len(sample))
        finally:
            storage.close()
    return Result(
        size=len(order), queries=len(sample), engine=scores.pop("engine"),
        baseline=base_hits / (k * len(sample)), variants=scores, engine_ms=engine_ms,
        build_s=build_s,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.related_quality",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=4000, help="articles (default 4000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=1000,
                        help="open articles sampled for the measure (default 1000)")
    parser.add_argument("--no-variants", action="store_true",
                        help="skip the engine variants (ablations)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = evaluate(args.size, args.seed, args.queries, variants=not args.no_variants)
    written = evaluate(0, queries=1000, variants=not args.no_variants,
                       corpus=written_corpus())
    if args.json:
        print(json.dumps({**result.__dict__, "written": written.__dict__}, indent=2))
        return 0
    print(f"generated corpus: {result.size} articles, 12 topics, seed {args.seed}; "
          f"{result.queries} open articles; library built in {result.build_s:.1f} s")
    _report(result)
    print(f"\nwritten corpus (bench/related_corpus.tsv): {written.size} articles, 12 topics, "
          "text only; every article opened")
    _report(written)
    return 0


def _report(result: Result) -> None:
    print(f"precision@5  engine            {result.engine:.3f}   "
          f"({result.engine_ms:.1f} ms per article)")
    print(f"precision@5  TF-IDF baseline   {result.baseline:.3f}")
    for name, value in result.variants.items():
        print(f"precision@5  {name:<36} {value:.3f}")


if __name__ == "__main__":
    sys.exit(main())
