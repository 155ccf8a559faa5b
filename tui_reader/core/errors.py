"""Errors the core raises on purpose. Each carries a one-line, user-facing message."""


class StoryreaderError(Exception):
    """Base of every expected failure; the CLI prints ``str(error)`` on one line."""


class FeedParseError(StoryreaderError):
    """The bytes are not a feed we can read."""


class FetchError(StoryreaderError):
    """The source could not be fetched."""


class NotFoundError(StoryreaderError):
    """An unknown article id, feed URL or bookmark."""


class OPMLError(StoryreaderError):
    """An OPML file that cannot be read."""


class QueryError(StoryreaderError):
    """A search query with a syntax error."""


class ConfigError(StoryreaderError):
    """A config or theme file with a problem."""


class TagError(StoryreaderError):
    """A feed tag that cannot be stored as given (too long, an empty folder name)."""


class StoryError(StoryreaderError):
    """The whole story of an article could not be fetched from its web page
    (``Library.fetch_full_story``); the subclasses say why. Nothing was stored."""


class NoStoryLinkError(StoryError):
    """The article has no http(s) link to fetch its story from."""


class StoryFetchError(StoryError, FetchError):
    """The story's web page could not be fetched (HTTP status, timeout, too big) or is
    not a web page."""


class NoStoryFoundError(StoryError):
    """The web page holds nothing that looks like a story (a list of links, a login)."""
