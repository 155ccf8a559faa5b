"""Related posts: given an article, the cached articles most like it, best first.

Signals, strongest first:

1. Links the post itself declares related (Jetpack's related posts, a "Related Posts"
   list in its HTML): cached ones come first, in the post's order.
2. Text: TF-IDF over the whole cache, title words counting ``TITLE_WEIGHT`` times.
   Candidates come from two indexes. Each article gets a *signature* (its
   ``SIGNATURE_TERMS`` strongest terms) when it is stored (``on_stored`` hook, inside the
   refresh's transaction); signatures form an inverted index in SQLite, read strongest
   postings first. The open article's rarer words are also looked up in the full-text
   index (FTS5, kept by the articles table's triggers): rare words have short lists, so
   that is cheap, and it finds posts whose shared words missed the short signatures.
   Every candidate is then scored by the TF-IDF cosine of its longer text with the open
   article's.
3. Shared categories/tags, weighted by how rare the category is.
4. The same blog, slightly (blogs keep to their subjects; serials to their characters).
5. Recency, slightly.

The open article, its duplicates (same link, or a near-identical title: a syndicated copy
in another feed) and duplicates among the suggestions are left out.

Costs are bounded: a query reads at most ``POSTINGS_PER_TERM`` postings per term and
re-scores at most ``CANDIDATES + FTS_CANDIDATES`` articles, so it stays fast on a large
cache; upkeep tokenises only the title and the first ``BODY_WORDS``
words of each new article. Memory: a bounded word -> term cache, nothing per article.
No UI imports.
"""

from __future__ import annotations

import heapq
import math
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from difflib import SequenceMatcher
from functools import lru_cache

from tui_reader.core.errors import NotFoundError
from tui_reader.core.models import RelatedItem
from tui_reader.core.storage import Storage
from tui_reader.core.storage import related as index_sql
from tui_reader.core.storage.related import WEIGHT_SCALE, SourceRow

TITLE_WEIGHT = 2  # a title word counts as this many body words
BODY_WORDS = 30  # words of the body indexed on store (its start says what it is about)
TEXT_CHARS = 450  # characters of the body read for that
SIGNATURE_TERMS = 6  # terms kept per article (the re-ranking reads the rest)
SIGNATURE_MIN_DF = 1  # only terms in more articles than this (rarer ones: full-text index)
QUERY_TERMS = 20  # terms of the open article a query starts from
POSTINGS_PER_TERM = 400  # strongest postings read per query term
CATEGORY_WEIGHT = 0.25  # a shared, rare category adds up to this much
SAME_FEED_WEIGHT = 0.1  # a post of the same blog gets this much more
RECENCY_WEIGHT = 0.05  # the newest posts get up to this much more (relative)
RECENCY_HALF_LIFE_DAYS = 180.0
CANDIDATES = 40  # candidates re-ranked, checked for duplicates
RERANK_WORDS = 150  # words of each candidate's body its cosine is computed over
RERANK_CHARS = 2000  # characters read for that
FTS_TERMS = 20  # the article's rarer words looked up in the full-text index
FTS_CANDIDATES = 30  # best full-text matches added to the candidates
RARE_DF_MIN = 50  # "rarer": in at most this many articles,
RARE_DF_SHARE = 0.005  # or this share of the cache, whichever is more
EXCERPT_WORDS = 25
BACKFILL_BATCH = 500  # unindexed older articles indexed per refreshed feed (upgrade path)
CATEGORY_PREFIX = "#"
GENERIC_TITLE_COUNT = 5  # a title more articles share than this is not a post's identity
DUPLICATES_MAX = 50  # copies of one article considered at most
TITLE_MATCHES = 200  # titles containing the open article's, checked for the same title

# Letters only (no digits, no underscore), two or more.
_WORD = re.compile(r"[^\W\d_]{2,}")

STOP_WORDS = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
        "are", "aren", "as", "at", "be", "because", "been", "before", "being", "below", "between",
        "both", "but", "by", "can", "cannot", "could", "couldn", "did", "didn", "do", "does",
        "doesn", "doing", "don", "down", "during", "each", "even", "ever", "every", "few", "for",
        "from", "further", "get", "gets", "got", "had", "hadn", "has", "hasn", "have", "haven",
        "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however",
        "if", "in", "into", "is", "isn", "it", "its", "itself", "just", "let", "ll", "me", "might",
        "more", "most", "much", "must", "mustn", "my", "myself", "no", "nor", "not", "now", "of",
        "off", "on", "once", "one", "only", "or", "other", "ought", "our", "ours", "ourselves",
        "out", "over", "own", "per", "quite", "rather", "re", "really", "said", "same", "say",
        "says", "shall", "shan", "she", "should", "shouldn", "since", "so", "some", "still", "such",
        "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these",
        "they", "this", "those", "though", "through", "thus", "to", "too", "under", "until", "up",
        "upon", "us", "ve", "very", "via", "was", "wasn", "we", "were", "weren", "what", "when",
        "where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with",
        "within", "without", "won", "would", "wouldn", "yet", "you", "your", "yours", "yourself",
        "yourselves"
    ]
)

_TERMS: dict[str, str] = {}  # a lower-cased word -> its term ("" for a stop word)
_TOKENS: dict[str, tuple[str, ...]] = {}  # a white-space token -> its terms
_TERM_CACHE_MAX = 200_000


def stem(word: str) -> str:
    """A light, conservative suffix stripper (plurals, -ing, -ed)."""
    n = len(word)
    if n <= 3:
        return word
    if word.endswith("ies") and n > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) < 3 or not any(c in "aeiouy" for c in base):
                return word
            if suffix == "ed" and base.endswith("i"):
                return base[:-1] + "y"
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                return base[:-1]
            return base
    return word


def _fold(text: str) -> str:
    """Lower case without accents (é → e), other scripts kept."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _term(word: str) -> str:
    term = _TERMS.get(word)
    if term is None:
        folded = _fold(word)
        term = "" if folded in STOP_WORDS else stem(folded)
        if len(_TERMS) < _TERM_CACHE_MAX:
            _TERMS[word] = term
    return term


def _token_terms(token: str) -> tuple[str, ...]:
    found = _TOKENS.get(token)
    if found is None:
        found = tuple(term for word in _WORD.findall(token) if (term := _term(word)))
        if len(_TOKENS) < _TERM_CACHE_MAX:
            _TOKENS[token] = found
    return found


def words(text: str, max_words: int | None = None) -> list[str]:
    """Lower-cased, accent-folded, stemmed content words of ``text`` (stop words out);
    with ``max_words``, of its first that many words.

    Splits on white space and maps each token through a cache (``night.`` and ``night,``
    are seen once each): several times faster than a Unicode regular expression over the
    whole text, with the same result.
    """
    if max_words is not None:
        text = text[: max_words * 12]
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    tokens = text.split() if max_words is None else text.split(None, max_words)[:max_words]
    get = _TOKENS.get
    out: list[str] = []
    for token in tokens:
        found = get(token)
        if found is None:
            found = _token_terms(token)
        if found:
            out.extend(found)
    return out


_KEY_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")


def title_key(title: str) -> str:
    """A title reduced for duplicate detection: folded case and accents, no punctuation."""
    return " ".join(_KEY_WORD.findall(_fold(title)))


def near_identical(a: str, b: str) -> bool:
    """Whether two title keys name the same post: equal, or nearly so when long enough
    (a typo, a site name) and with the same numbers (chapter 12 is not chapter 13)."""
    if not a or not b:
        return False
    if a == b:
        return True
    if min(len(a), len(b)) < 12 or _DIGITS.findall(a) != _DIGITS.findall(b):
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.92


def _body(summary: str, text: str) -> str:
    """The text to index: the body, led by the summary when that is not just its start."""
    summary, text = summary.strip(), text.strip()
    if not text or not summary:
        return text or summary
    head = summary[:40]
    if text.startswith(head) or head in text[:400]:
        return text
    return f"{summary} {text}"


DocTerms = tuple[dict[str, int], tuple[str, ...]]  # term counts, category terms


def _term_counts(title: str, body: str, body_words: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    for word in words(title):
        counts[word] += TITLE_WEIGHT
    counts.update(words(body, body_words))
    return counts


def _doc_terms(row: SourceRow, body_words: int) -> Counter[str]:
    return _term_counts(row.title, _body(row.summary, row.text), body_words)


def doc_terms(title: str, summary: str, text: str, categories: Iterable[str]) -> DocTerms:
    """What the index keeps of an article: its title and first words' term counts, and its
    categories. Needs no connection, so parse workers compute it."""
    counts = _term_counts(title, _body(summary[:TEXT_CHARS], text[:TEXT_CHARS]), BODY_WORDS)
    return dict(counts), _category_terms(tuple(categories))


@lru_cache(maxsize=4096)  # a feed's category sets repeat from post to post
def _category_terms(categories: tuple[str, ...]) -> tuple[str, ...]:
    keys = (title_key(c) for c in categories)
    return tuple(dict.fromkeys(CATEGORY_PREFIX + k for k in keys if k))


def _idf(df: int, n: int) -> float:
    return math.log(1.0 + n / max(df, 1))


def _weights(
    counts: Counter[str], stats: dict[str, tuple[int, int]], n: int
) -> dict[int, float]:
    """Unit-length TF-IDF weights by term id (sublinear tf)."""
    raw: dict[int, float] = {}
    log = math.log
    for term, tf in counts.items():
        info = stats.get(term)
        if info is not None:
            raw[info[0]] = (1.0 + log(tf)) * log(1.0 + n / (info[1] or 1))
    norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
    return {t: w / norm for t, w in raw.items()}


def _dot(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    return sum(w * get(t, 0.0) for t, w in a.items())


def _top(weights: dict[int, float], k: int) -> dict[int, float]:
    if len(weights) <= k:
        return weights
    return dict(heapq.nlargest(k, weights.items(), key=lambda kv: kv[1]))


def _unit(weights: dict[int, float]) -> dict[int, float]:
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def _day(iso: str | None) -> int:
    if not iso:
        return 0
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() // 86400)


def _copy_groups(identity: dict[int, tuple[str, str]]) -> dict[int, int]:
    """Group articles that are copies of each other, directly or through another copy
    (same link, or same title key): article id -> the id standing for its group."""
    parent = {aid: aid for aid in identity}

    def root(aid: int) -> int:
        while parent[aid] != aid:
            parent[aid] = parent[parent[aid]]
            aid = parent[aid]
        return aid

    first: dict[tuple[str, str], int] = {}
    for aid, (link, key) in identity.items():
        for mark in (("link", link), ("title", key)):
            if not mark[1]:
                continue
            other = first.setdefault(mark, aid)
            if other != aid:
                parent[root(aid)] = root(other)
    return {aid: root(aid) for aid in identity}


def excerpt(summary: str, text: str, n_words: int = EXCERPT_WORDS) -> str:
    """The first ``n_words`` words of the summary (or of the body), with … when cut."""
    found = (summary or text).split()
    return " ".join(found[:n_words]) + (" …" if len(found) > n_words else "")


class RelatedEngine:
    """Given an article, the cached articles most like it, best first.

    ``on_stored`` keeps the index up to date; register it with the refresher. The options
    switch signals off (to measure what each brings).
    """

    def __init__(
        self,
        storage: Storage,
        *,
        use_declared: bool = True,
        use_categories: bool = True,
        use_same_feed: bool = True,
        use_rerank: bool = True,
    ) -> None:
        self.storage = storage
        self.use_declared = use_declared
        self.use_categories = use_categories
        self.use_same_feed = use_same_feed
        self.use_rerank = use_rerank

    # -- index upkeep ----------------------------------------------------------------------
    def on_stored(
        self,
        conn: sqlite3.Connection,
        new_ids: Sequence[int],
        updated_ids: Sequence[int],
        terms: Mapping[int, DocTerms] | None = None,
    ) -> None:
        """Index new and updated articles (runs inside the storing transaction).
        ``terms``: their :func:`doc_terms` by id where already computed (parse workers)."""
        ids = list(dict.fromkeys([*new_ids, *updated_ids]))
        if ids:
            self._index(conn, ids, set(new_ids), terms)
        self._backfill(conn)

    def _index(
        self,
        conn: sqlite3.Connection,
        ids: Sequence[int],
        new: set[int],
        known: Mapping[int, DocTerms] | None = None,
    ) -> None:
        known = known or {}
        missing = [aid for aid in ids if aid not in known]
        found = {
            row.id: doc_terms(row.title, row.summary, row.text, row.categories)
            for row in index_sql.sources(conn, missing, TEXT_CHARS)
        } if missing else {}
        docs = [(aid, *terms) for aid in ids if (terms := known.get(aid) or found.get(aid))]
        reindexed = [aid for aid, _, _ in docs if aid not in new]
        if reindexed:
            index_sql.remove_signatures(conn, reindexed)
        df_counts: Counter[str] = Counter()
        added = 0
        for aid, counts, cats in docs:
            if aid in new:
                added += 1
                df_counts.update(counts.keys())
                df_counts.update(cats)
            else:  # re-indexed: known already, just look its terms up
                for term in (*counts, *cats):
                    df_counts.setdefault(term, 0)
        n = index_sql.add_docs(conn, added) if added else max(index_sql.doc_count(conn), 1)
        stats = index_sql.count_terms(conn, df_counts)
        log = math.log
        # term -> (id, idf, shared): a word no other article has yet links to nothing, so
        # it is left to the full-text index (a query looks rare words up there) and the
        # signature's slots go to shared ones.
        info = {term: (tid, log(1.0 + n / (df or 1)), df > SIGNATURE_MIN_DF)
                for term, (tid, df) in stats.items()}
        signatures = []
        for aid, counts, cats in docs:
            weighted = []
            total = 0.0
            for term, tf in counts.items():
                tid, idf, shared = info[term]
                w = (1.0 + log(tf)) * idf
                total += w * w
                if shared:
                    weighted.append((w, tid))
            scale = WEIGHT_SCALE / (math.sqrt(total) or 1.0)
            weighted.sort(reverse=True)
            signature = [(tid, max(1, round(w * scale)))
                         for w, tid in weighted[:SIGNATURE_TERMS]]
            signature += [(info[c][0], 0) for c in cats]
            signatures.append((aid, signature))
        index_sql.put_signatures(conn, signatures)

    def _backfill(self, conn: sqlite3.Connection) -> None:
        """Index articles stored before the index existed, a batch at a time."""
        if index_sql.backfill_done(conn):
            return
        ids = index_sql.unindexed_ids(conn, BACKFILL_BATCH)
        if ids:
            self._index(conn, ids, set(ids))
        if len(ids) < BACKFILL_BATCH:
            index_sql.set_backfill_done(conn)

    def index_all(self) -> int:
        """Index every cached article not indexed yet (e.g. after an upgrade)."""
        total = 0
        while True:
            with self.storage.transaction() as conn:
                ids = index_sql.unindexed_ids(conn, BACKFILL_BATCH)
                if ids:
                    self._index(conn, ids, set(ids))
            total += len(ids)
            if len(ids) < BACKFILL_BATCH:
                return total

    # -- queries ---------------------------------------------------------------------------
    def related(self, article_id: int, limit: int = 6) -> list[RelatedItem]:
        """The ``limit`` cached articles most related to this one, best first.

        :class:`NotFoundError` for an unknown id. Safe to call from a worker thread (each
        thread has its own connection).
        """
        conn = self.storage.conn
        src = index_sql.source(conn, article_id, RERANK_CHARS)
        if src is None:
            raise NotFoundError(f"no article with id {article_id}")
        if limit <= 0:
            return []
        own_key = title_key(src.title)
        excluded, keys, seen_links = self._duplicates(conn, src, own_key)
        declared = self._declared(conn, src, excluded) if self.use_declared else []
        ranked = self._ranked(conn, src, excluded)
        chosen: list[tuple[int, float]] = []
        info = index_sql.items(conn, [a for a, _ in declared], 0)
        top_score = ranked[0][1] if ranked else 0.0
        for position, (aid, _) in enumerate(declared):
            row = info.get(aid)
            if row is None or not self._accept(row.link, title_key(row.title), keys, seen_links):
                continue
            chosen.append((aid, top_score + 1.0 + (len(declared) - position) * 1e-3))
            if len(chosen) >= limit:
                break
        chosen_ids = {a for a, _ in chosen}
        if len(chosen) < limit and ranked:
            pool = [(a, s) for a, s in ranked if a not in chosen_ids]
            meta = index_sql.meta(conn, [a for a, _ in pool])
            identity = {aid: (row.link, title_key(row.title)) for aid, row in meta.items()}
            group = _copy_groups(identity)
            taken: set[int] = set()
            for aid, score in pool:
                if aid not in identity or group[aid] in taken:
                    continue
                link, key = identity[aid]
                if not self._accept(link, key, keys, seen_links):
                    continue
                taken.add(group[aid])
                chosen.append((aid, score))
                if len(chosen) >= limit:
                    break
        rows = index_sql.items(conn, [a for a, _ in chosen], 1500)
        return [
            RelatedItem(
                id=aid, guid=row.guid, title=row.title, feed_url=row.feed_url,
                feed_title=row.feed_title, link=row.link, score=score,
                excerpt=excerpt(row.summary, row.text),
            )
            for aid, score in chosen
            if (row := rows.get(aid)) is not None
        ]

    @staticmethod
    def _duplicates(
        conn: sqlite3.Connection, src: SourceRow, own_key: str
    ) -> tuple[set[int], list[str], set[str]]:
        """The open article's copies (same link or title, and theirs in turn): their ids,
        title keys and links, which no suggestion may match. A title that many articles
        share ("Chapter 12", "Weekly update") names no post in particular: it is ignored."""

        def title_copies(key: str) -> list[int]:
            rows = index_sql.title_matches(conn, f'title : "{key}"', TITLE_MATCHES)
            found = [aid for aid, title in rows if title_key(title) == key]
            return found if len(found) <= GENERIC_TITLE_COUNT else []

        excluded = {src.id}
        keys: list[str] = []
        seen_links = {src.link} if src.link else set()
        frontier = [(src.link, own_key)]
        for _ in range(2):
            found: set[int] = set()
            for link, key in frontier:
                if link:
                    found.update(index_sql.ids_with_link(conn, link, DUPLICATES_MAX))
                if key:
                    copies = title_copies(key)
                    if copies and key not in keys:
                        keys.append(key)
                    found.update(copies)
            found -= excluded
            if not found:
                break
            excluded |= found
            rows = index_sql.items(conn, sorted(found)[:DUPLICATES_MAX], 0)
            frontier = []
            for row in rows.values():
                key = title_key(row.title)
                if row.link and row.link not in seen_links:
                    seen_links.add(row.link)
                    frontier.append((row.link, key))
                elif key and key not in keys:
                    frontier.append(("", key))
        return excluded, keys, seen_links

    @staticmethod
    def _accept(link: str, key: str, keys: list[str], seen_links: set[str]) -> bool:
        """Whether a suggestion is not a duplicate of one already chosen (records it)."""
        if link and link in seen_links:
            return False
        if any(near_identical(key, other) for other in keys):
            return False
        if link:
            seen_links.add(link)
        if key:
            keys.append(key)
        return True

    @staticmethod
    def _declared(
        conn: sqlite3.Connection, src: SourceRow, excluded: set[int]
    ) -> list[tuple[int, float]]:
        """Cached articles the open one links to as related, in its order."""
        links = [link for link in index_sql.declared_links(conn, src.id) if link != src.link]
        found = index_sql.ids_by_links(conn, links)
        out: list[tuple[int, float]] = []
        for link in links:
            aid = found.get(link)
            if aid is not None and aid not in excluded and aid not in {a for a, _ in out}:
                out.append((aid, 0.0))
        return out

    def _ranked(
        self, conn: sqlite3.Connection, src: SourceRow, excluded: set[int]
    ) -> list[tuple[int, float]]:
        """Candidates by text, category, blog and recency score, best first (duplicates of
        the open article already out; near-identical titles are checked by the caller)."""
        n = max(index_sql.doc_count(conn), 1)
        counts = _doc_terms(src, RERANK_WORDS)
        cats = _category_terms(src.categories) if self.use_categories else ()
        stats = index_sql.lookup_terms(conn, [*counts, *cats])
        weights = _weights(counts, stats, n)
        query = _unit(_top(weights, QUERY_TERMS))
        # 1. The signature index: the strongest postings of the article's strongest terms.
        scores: dict[int, float] = {}
        get = scores.get
        for term_id, qw in query.items():
            factor = qw / WEIGHT_SCALE
            for aid, w in index_sql.postings(conn, term_id, POSTINGS_PER_TERM):
                scores[aid] = get(aid, 0.0) + factor * w
        log_n = math.log(1.0 + n)
        category_idf: dict[str, float] = {}
        for term in cats:
            if term in stats:
                term_id, df = stats[term]
                category_idf[term] = rel = _idf(df, n) / log_n
                for aid, _ in index_sql.postings(conn, term_id, POSTINGS_PER_TERM):
                    scores[aid] = get(aid, 0.0) + CATEGORY_WEIGHT * rel
        pool = self._best(scores, excluded, CANDIDATES)
        # 2. The full-text index, for the article's rarer words (short lists, so cheap):
        # posts sharing a word that did not make either signature.
        rare = self._rare_words(src, stats, weights, n)
        if rare:
            seen = set(pool)
            match = " OR ".join(f'"{word}"' for word in rare)
            limit = FTS_CANDIDATES + min(len(excluded), DUPLICATES_MAX)
            for aid in index_sql.text_matches(conn, match, limit):
                if aid not in seen and aid not in excluded:
                    pool.append(aid)
                    seen.add(aid)
        if self.use_rerank and pool:
            final = self._rerank(conn, src, pool, n, category_idf)
        else:
            final = {aid: scores.get(aid, 0.0) for aid in pool}
        meta = index_sql.meta(conn, pool)
        today = int(datetime.now(UTC).timestamp() // 86400)
        ranked = []
        for aid in pool:
            row = meta.get(aid)
            feed_id, day = (row.feed_id, _day(row.sort_date)) if row else (0, 0)
            age = max(0, today - day) if day else 10_000
            score = final[aid] * (1.0 + RECENCY_WEIGHT * 0.5 ** (age / RECENCY_HALF_LIFE_DAYS))
            if self.use_same_feed and feed_id == src.feed_id:
                score += SAME_FEED_WEIGHT
            ranked.append((aid, score))
        ranked.sort(key=lambda kv: -kv[1])
        return ranked

    @staticmethod
    def _rare_words(
        src: SourceRow, stats: dict[str, tuple[int, int]], weights: dict[int, float], n: int
    ) -> list[str]:
        """Surface forms of the article's strongest terms that few articles have."""
        limit = max(RARE_DF_MIN, n * RARE_DF_SHARE)
        wanted = {
            stats[term][0]: term
            for term in stats
            if not term.startswith(CATEGORY_PREFIX) and stats[term][1] <= limit
        }
        best = sorted(wanted, key=lambda t: -weights.get(t, 0.0))[:FTS_TERMS]
        terms = {wanted[t] for t in best}
        found: dict[str, str] = {}
        text = f"{src.title} {_body(src.summary, src.text)}".lower()
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        for word in _WORD.findall(text, 0, RERANK_WORDS * 12):
            term = _term(word)
            if term in terms and term not in found:
                found[term] = word
        return list(found.values())

    def _rerank(
        self,
        conn: sqlite3.Connection,
        src: SourceRow,
        pool: Sequence[int],
        n: int,
        category_idf: dict[str, float],
    ) -> dict[int, float]:
        """Full-text TF-IDF cosine plus shared categories, for every candidate."""
        rows = index_sql.sources(conn, pool, RERANK_CHARS)
        counts = {row.id: _doc_terms(row, RERANK_WORDS) for row in rows}
        counts[src.id] = _doc_terms(src, RERANK_WORDS)
        stats = index_sql.lookup_terms(conn, {t for c in counts.values() for t in c})
        query = _weights(counts.pop(src.id), stats, n)
        out = dict.fromkeys(pool, 0.0)
        for row in rows:
            score = _dot(query, _weights(counts[row.id], stats, n))
            if category_idf:
                shared = sum(category_idf.get(c, 0.0) for c in _category_terms(row.categories))
                score += CATEGORY_WEIGHT * min(shared, 1.0)
            out[row.id] = score
        return out

    @staticmethod
    def _best(scores: dict[int, float], excluded: set[int], k: int) -> list[int]:
        top = heapq.nlargest(k + len(excluded), scores, key=scores.__getitem__)
        return [a for a in top if a not in excluded][:k]
