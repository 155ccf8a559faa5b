"""``config.toml``: reading it, creating it on first run, and changing one value in place.

:func:`load_config` never raises for a bad file: it returns the :class:`Config` it could
build (defaults for anything missing or wrong) plus one-line problems that name the file
and, where we can find it, the line. :func:`save_setting` edits one line of the file so
the user's comments and layout survive (used when the user switches theme in the app).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tui_reader.core.errors import ConfigError
from tui_reader.core.paths import config_path

DEFAULT_THEME = "storyreader"

# Every key-bound action, with its default keys (Textual key names, comma-separated
# alternatives). The UI gives its Bindings these ids and passes Config.keys to
# App.set_keymap, so this is the single list of what can be rebound.
DEFAULT_KEYS: dict[str, str] = {
    "next": "j,down",
    "previous": "k,up",
    "first": "g,home",
    "last": "G,end",
    "open": "enter",
    "next_unread": "n",
    "previous_unread": "p",
    "open_in_browser": "o",
    "refresh_feed": "r",
    "refresh_all": "R",
    "toggle_read": "m",
    "mark_feed_read": "A",
    "search": "slash",
    "help": "question_mark",
    "quit": "q",
    "back": "escape",
    "next_pane": "tab",
    "previous_pane": "shift+tab",
    "add_feed": "a",
    "edit_feed": "e",
    "remove_feed": "D",
    "bookmark": "b",
    "share": "s",
    "copy_link": "y",
    "fetch_story": "F",
    "bookmarks_view": "B",
    # Not ctrl+c: terminals and Textual use that for copy.
    "cancel_refresh": "x",
}

ACTION_HELP: dict[str, str] = {
    "next": "next item in the list",
    "previous": "previous item in the list",
    "first": "first item",
    "last": "last item",
    "open": "open the selected feed or story",
    "next_unread": "next unread story",
    "previous_unread": "previous unread story",
    "open_in_browser": "open the story's link in the browser",
    "refresh_feed": "refresh the selected feed",
    "refresh_all": "refresh every feed",
    "toggle_read": "mark the story read / unread",
    "mark_feed_read": "mark every story of the feed read",
    "search": "search",
    "help": "show the keys",
    "quit": "quit",
    "back": "go back / close",
    "next_pane": "focus the next pane",
    "previous_pane": "focus the previous pane",
    "add_feed": "subscribe to a feed",
    "edit_feed": "edit the selected feed: title, tags, whole stories",
    "remove_feed": "unsubscribe from the selected feed (or delete the saved search)",
    "bookmark": "bookmark the story",
    "share": "share the story",
    "copy_link": "copy the story's link",
    "fetch_story": "fetch the whole story from its web page (for a feed of excerpts)",
    "bookmarks_view": "show bookmarks",
    "cancel_refresh": "stop a running refresh",
}


@dataclass(frozen=True, slots=True)
class RefreshConfig:
    concurrency: int = 32
    """Feeds fetched at the same time."""
    per_host_concurrency: int = 6
    """Feeds fetched at the same time from one server (host name and port)."""
    timeout: float = 20.0
    """Seconds before one feed's fetch gives up."""
    max_size_mb: float = 10.0
    """Largest feed document downloaded, in megabytes."""
    auto_refresh_minutes: int = 0
    """Refresh everything this often while the app runs; 0 = off."""
    keep_days: int = 0
    """After a refresh, delete read stories older than this many days; 0 = keep them all.
    Unread and bookmarked stories always stay."""


@dataclass(frozen=True, slots=True)
class ReaderConfig:
    measure: int = 80
    """Widest line of article text, in columns."""
    show_related: bool = True
    related_count: int = 6


@dataclass(frozen=True, slots=True)
class ShareConfig:
    mastodon_instance: str = "mastodon.social"
    """Host name only (a pasted "https://host/" is reduced to "host")."""
    browser: str = ""
    """Command to open links with; empty = the system default browser."""


def _default_keys() -> Mapping[str, str]:
    return MappingProxyType(dict(DEFAULT_KEYS))


@dataclass(frozen=True, slots=True)
class Config:
    theme: str = DEFAULT_THEME
    refresh: RefreshConfig = field(default_factory=RefreshConfig)
    reader: ReaderConfig = field(default_factory=ReaderConfig)
    share: ShareConfig = field(default_factory=ShareConfig)
    keys: Mapping[str, str] = field(default_factory=_default_keys)
    """Every action id -> its keys ("j,down"); "" = unbound. Read-only mapping."""

    def keys_for(self, action: str) -> tuple[str, ...]:
        """The keys bound to ``action``, split: ``("j", "down")``; ``()`` if unbound."""
        return tuple(k for k in self.keys.get(action, "").split(",") if k)


_SECTIONS: dict[str, type] = {
    "refresh": RefreshConfig,
    "reader": ReaderConfig,
    "share": ShareConfig,
}

# (minimum, maximum) for numbers; None = no bound. Exclusive minimum marked by _POSITIVE.
_POSITIVE = "positive"
_RANGES: dict[tuple[str, str], tuple[float | str | None, float | None]] = {
    ("refresh", "concurrency"): (1, 256),
    ("refresh", "per_host_concurrency"): (1, 64),
    ("refresh", "timeout"): (_POSITIVE, 3600),
    ("refresh", "max_size_mb"): (_POSITIVE, 1024),
    ("refresh", "auto_refresh_minutes"): (0, None),
    ("refresh", "keep_days"): (0, None),
    ("reader", "measure"): (20, 1000),
    ("reader", "related_count"): (0, 100),
}

DEFAULT_CONFIG_TEXT = '''\
# storyreader settings.
#
# Written on first run with every setting at its default. Change a value and
# restart storyreader; delete a line to go back to its default, or delete the
# whole file to get a fresh copy. Mistakes are reported with their line number
# when storyreader starts, and the default is used instead.
# The format is TOML: https://toml.io

# Colour theme. Shipped: "storyreader" (dark), "paper" (light, for long reading),
# "high-contrast", "night" (warm, low blue light) and "terminal" (your terminal's
# own 16 colours). Textual's themes ("nord", "gruvbox", "textual-light", ...) work
# too, as do your own theme files in the "themes" folder beside this file.
# Switching theme inside storyreader updates this line.
theme = "storyreader"

[refresh]
# How many feeds are fetched at the same time.
concurrency = 32
# How many of them at most from one server (a blog platform or news site hosting
# many of your feeds), so it is not flooded: browsers open 6 connections per server.
per_host_concurrency = 6
# Seconds to wait for one feed before giving up on it.
timeout = 20
# Largest feed document to download, in megabytes.
max_size_mb = 10
# Refresh every feed this often while storyreader is open, in minutes (0 = off).
auto_refresh_minutes = 0
# After each refresh, delete read stories older than this many days, so the cache
# does not grow forever (0 = keep every story). Unread and bookmarked stories stay,
# and a deleted story still in its feed is not fetched again as a new one.
keep_days = 0

[reader]
# Widest line of article text, in columns (the "measure"). Lines of 60-80
# characters are the easiest to read; the text is narrower if the pane is.
measure = 80
# Show posts related to the one you are reading, beside it (or under it when narrow).
show_related = true
# How many related posts to show.
related_count = 6

[share]
# Your Mastodon server (host name only), for "share to Mastodon".
mastodon_instance = "mastodon.social"
# Command that opens links, e.g. "firefox" or "chromium --new-window"; the link
# is passed as its last argument. Empty = the system's default browser.
browser = ""

[keys]
# Key bindings: action = "keys". Separate alternatives with commas ("j,down").
# Keys are spelled as Textual spells them: letters ("G" is shift+g), digits,
# "enter", "escape", "tab", "shift+tab", "space", "up", "pagedown", "home", "f5",
# "ctrl+r", and punctuation by name ("slash", "question_mark", "comma").
# "" unbinds an action. Uncomment a line to change it; two actions sharing a
# key is reported as a problem. The defaults:
'''


def _keys_block() -> str:
    width = max(len(f'{a} = "{k}"') for a, k in DEFAULT_KEYS.items())
    lines = []
    for action, keys in DEFAULT_KEYS.items():
        entry = f'{action} = "{keys}"'
        lines.append(f"# {entry.ljust(width)}  # {ACTION_HELP[action]}")
    return "\n".join(lines) + "\n"


DEFAULT_CONFIG_TEXT += _keys_block()


# --- locating keys in the text ------------------------------------------------------------

_KEY_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_RE = re.compile(rf"\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN_RE = re.compile(rf"\s*({_DOTTED})\s*=")
_PART_RE = re.compile(_KEY_PART)


def _split_dotted(dotted: str) -> tuple[str, ...]:
    parts = []
    for raw in _PART_RE.findall(dotted):
        if raw[0] == '"':
            raw = raw[1:-1].encode("utf-8").decode("unicode_escape")
        elif raw[0] == "'":
            raw = raw[1:-1]
        parts.append(raw)
    return tuple(parts)


def _scan(text: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """Each header or key line: (1-based line, "header" | "key", full dotted path)."""
    found: list[tuple[int, str, tuple[str, ...]]] = []
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            header = _HEADER_RE.match(line)
            if header:
                table = _split_dotted(header.group(1))
                found.append((number, "header", table))
            continue
        assign = _ASSIGN_RE.match(line)
        if assign:
            found.append((number, "key", table + _split_dotted(assign.group(1))))
    return found


def find_line(text: str, path: tuple[str, ...]) -> int | None:
    """The 1-based line where the TOML key ``path`` (table parts + key) is set.

    tomllib gives no positions, so this scans the text: table headers, dotted keys and
    quoted keys are understood. Falls back to the line of the nearest enclosing table
    (e.g. an inline table); ``None`` if nothing matches.
    """
    entries = _scan(text)
    for length in range(len(path), 0, -1):
        prefix = path[:length]
        for number, _kind, full in entries:
            if full == prefix:
                return number
    return None


# --- reading ------------------------------------------------------------------------------


def display_path(path: Path) -> str:
    """``path`` for messages, with the home directory shortened to ``~``."""
    try:
        return "~/" + str(Path(path).relative_to(Path.home()))
    except ValueError:
        return str(path)


_TOML_POS = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def toml_error_message(where: str, error: tomllib.TOMLDecodeError) -> str:
    """One line: ``where line 3, column 5: Expected '=' after a key ...``."""
    text = str(error).splitlines()[0] if str(error) else "invalid TOML"
    match = _TOML_POS.match(text)
    if match:
        return f"{where} line {match['line']}, column {match['col']}: {match['msg']}"
    return f"{where}: {text}"


def type_name(value: object) -> str:
    """How a TOML value's type reads in a problem message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _expected(kind: type) -> str:
    return {
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        str: "a string",
    }[kind]


def _coerce(kind: type, value: object) -> tuple[bool, Any]:
    """(ok, value) for a TOML value against a field type (float accepts whole numbers)."""
    if kind is bool:
        return isinstance(value, bool), value
    if isinstance(value, bool):
        return False, value
    if kind is int:
        return isinstance(value, int), value
    if kind is float:
        if isinstance(value, int | float):
            return True, float(value)
        return False, value
    if kind is str:
        return isinstance(value, str), value
    return False, value


def _field_types(cls: type) -> dict[str, type]:
    names = {"int": int, "float": float, "bool": bool, "str": str}
    return {f.name: names[str(f.type)] for f in fields(cls)}


def _check_range(section: str, name: str, value: float) -> str | None:
    low, high = _RANGES.get((section, name), (None, None))
    if low == _POSITIVE and value <= 0:
        return "must be more than 0"
    if isinstance(low, int | float) and value < low:
        return f"must be at least {low}"
    if high is not None and value > high:
        return f"must be at most {high}"
    return None


def _clean_instance(value: str) -> str | None:
    """Reduce "https://host/" to "host"; None if it cannot be a host name."""
    host = value.strip()
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", host).split("/", 1)[0].lstrip("@")
    if "@" in host:  # "user@host" pasted from a profile
        host = host.rsplit("@", 1)[1]
    if not host or re.search(r"[\s/\\]", host):
        return None
    return host


_KEY_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def normalize_key(key: str) -> str:
    """A single punctuation character to its Textual key name ("?" -> "question_mark").

    Textual's ``App.set_keymap`` does the same, so "?" and "question_mark" are the same
    key when looking for conflicts.
    """
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return _KEY_NAME_REPLACEMENTS.get(name, name)


def _parse_keys(value: str) -> tuple[str | None, str]:
    """(problem, normalized "a,b") for a key binding string."""
    if not value.strip():
        return None, ""
    tokens = [t.strip() for t in value.split(",")]
    if any(not t for t in tokens):
        return "has an empty key between commas", value
    bad = [t for t in tokens if re.search(r"\s", t)]
    if bad:
        return f"key {bad[0]!r} contains a space (use 'space' for the space bar)", value
    return None, ",".join(normalize_key(t) for t in tokens)


class _Reader:
    """Builds a Config from parsed TOML, collecting problems with line numbers."""

    def __init__(self, where: str, text: str) -> None:
        self.where = where
        self.text = text
        self.problems: list[str] = []

    def report(self, path: tuple[str, ...], message: str) -> None:
        line = find_line(self.text, path)
        at = f"{self.where} line {line}" if line else self.where
        self.problems.append(f"{at}: {message}")

    @staticmethod
    def name(path: tuple[str, ...]) -> str:
        if len(path) == 1:
            return f"'{path[0]}'"
        return f"[{'.'.join(path[:-1])}] '{path[-1]}'"

    def section(self, section: str, cls: type, data: object) -> Any:
        default = cls()
        if not isinstance(data, dict):
            self.report((section,), f"'{section}' must be a table ([{section}]), "
                        f"not {type_name(data)}")
            return default
        types = _field_types(cls)
        values: dict[str, Any] = {}
        for key, raw in data.items():
            path = (section, key)
            if key not in types:
                known = ", ".join(types)
                self.report(path, f"unknown setting {self.name(path)} (known: {known})")
                continue
            ok, value = _coerce(types[key], raw)
            if not ok:
                self.report(path, f"{self.name(path)} must be {_expected(types[key])}, "
                            f"not {type_name(raw)}; using the default "
                            f"{getattr(default, key)!r}")
                continue
            if types[key] in (int, float):
                problem = _check_range(section, key, value)
                if problem:
                    self.report(path, f"{self.name(path)} {problem} (got {raw!r}); "
                                f"using the default {getattr(default, key)!r}")
                    continue
            if (section, key) == ("share", "mastodon_instance"):
                host = _clean_instance(value)
                if host is None:
                    self.report(path, f"{self.name(path)} is not a server name: {raw!r}; "
                                f"using the default {default.mastodon_instance!r}")
                    continue
                value = host
            values[key] = value
        return replace(default, **values)

    def keys(self, data: object) -> Mapping[str, str]:
        keys = dict(DEFAULT_KEYS)
        if not isinstance(data, dict):
            self.report(("keys",), f"'keys' must be a table ([keys]), not {type_name(data)}")
            return MappingProxyType(keys)
        user_set: list[str] = []
        for action, raw in data.items():
            path = ("keys", action)
            if action not in DEFAULT_KEYS:
                self.report(path, f"unknown action {self.name(path)}")
                continue
            if not isinstance(raw, str):
                self.report(path, f"{self.name(path)} must be a string like \"j,down\", "
                            f"not {type_name(raw)}; using the default {DEFAULT_KEYS[action]!r}")
                continue
            problem, normalized = _parse_keys(raw)
            if problem:
                self.report(path, f"{self.name(path)} {problem}; "
                            f"using the default {DEFAULT_KEYS[action]!r}")
                continue
            keys[action] = normalized
            user_set.append(action)
        self.conflicts(keys, user_set)
        return MappingProxyType(keys)

    def conflicts(self, keys: dict[str, str], user_set: list[str]) -> None:
        owners: dict[str, list[str]] = {}
        for action, bound in keys.items():
            for key in bound.split(","):
                if key and action not in owners.setdefault(key, []):
                    owners[key].append(action)
        for key, actions in owners.items():
            if len(actions) < 2:
                continue
            mine = [a for a in user_set if a in actions] or actions
            listed = ", ".join(actions[:-1]) + " and " + actions[-1]
            both = "both " if len(actions) == 2 else ""
            self.report(("keys", mine[0]), f"[keys] key '{key}' is bound to {both}{listed}")


def parse_config(text: str, where: str = "config.toml") -> tuple[Config, list[str]]:
    """A Config from TOML text (no file access); problems are prefixed with ``where``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Config(), [toml_error_message(where, error) + " (using the default settings)"]
    reader = _Reader(where, text)
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key == "theme":
            if not isinstance(raw, str) or not raw.strip():
                reader.report((key,), f"'theme' must be a theme name like \"paper\", "
                              f"not {type_name(raw) if not isinstance(raw, str) else 'empty'}"
                              f"; using {DEFAULT_THEME!r}")
                continue
            values["theme"] = raw.strip()
        elif key in _SECTIONS:
            values[key] = reader.section(key, _SECTIONS[key], raw)
        elif key == "keys":
            values["keys"] = reader.keys(raw)
        else:
            known = ", ".join(["theme", *_SECTIONS, "keys"])
            reader.report((key,), f"unknown setting '{key}' (known: {known})")
    return Config(**values), reader.problems


def load_config(config_dir: Path) -> tuple[Config, list[str]]:
    """Read ``<config_dir>/config.toml``, writing the commented default file if missing.

    Never raises for file problems: returns the defaults (wholly, for unreadable or
    invalid TOML; per setting, for a wrong value) and one-line problems.
    """
    path = config_path(config_dir)
    where = display_path(path)
    if not path.exists():
        try:
            _write_atomic(path, DEFAULT_CONFIG_TEXT)
        except OSError as error:
            return Config(), [f"{where}: cannot create the settings file: "
                              f"{error.strerror or error}"]
        return Config(), []
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return Config(), [f"{where}: not UTF-8 text (using the default settings)"]
    except OSError as error:
        return Config(), [f"{where}: cannot read: {error.strerror or error} "
                          "(using the default settings)"]
    return parse_config(text, where)


# --- writing ------------------------------------------------------------------------------


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def toml_value(value: bool | int | float | str) -> str:
    """A TOML literal for a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _setting_type(path: tuple[str, ...]) -> type:
    if path == ("theme",):
        return str
    if len(path) == 2 and path[0] == "keys":
        if path[1] not in DEFAULT_KEYS:
            raise ConfigError(f"unknown action {path[1]!r}")
        return str
    if len(path) == 2 and path[0] in _SECTIONS:
        types = _field_types(_SECTIONS[path[0]])
        if path[1] in types:
            return types[path[1]]
    raise ConfigError(f"unknown setting {'.'.join(path)!r}")


def _value_end(line: str, start: int) -> int:
    """Index just past the scalar value that begins at ``start`` (before any comment)."""
    if line.startswith(('"""', "'''"), start) or line[start:start + 1] in ("[", "{"):
        raise ConfigError("cannot update a multi-line, list or table value in place")
    quote = line[start:start + 1]
    if quote == '"':
        i = start + 1
        while i < len(line):
            if line[i] == "\\":
                i += 2
                continue
            if line[i] == '"':
                return i + 1
            i += 1
        return len(line)
    if quote == "'":
        end = line.find("'", start + 1)
        return len(line) if end < 0 else end + 1
    hash_at = line.find("#", start)
    segment = line[start:] if hash_at < 0 else line[start:hash_at]
    return start + len(segment.rstrip())


def _edit(text: str, path: tuple[str, ...], literal: str) -> str:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    table, key = path[:-1], path[-1]
    entries = _scan(text)

    for number, kind, full in entries:
        if kind == "key" and full == path:
            line = lines[number - 1]
            match = _ASSIGN_RE.match(line)
            assert match is not None
            start = match.end()
            while start < len(line) and line[start] in " \t":
                start += 1
            end = _value_end(line.rstrip("\r\n"), start)
            lines[number - 1] = line[:start] + literal + line[end:]
            return "".join(lines)

    new_line = f"{toml_value_key(key)} = {literal}{newline}"
    # The table's extent: from its header (or the top) to the next header.
    headers = [(n, full) for n, kind, full in entries if kind == "header"]
    if table:
        starts = [n for n, full in headers if full == table]
        if not starts:
            tail = "" if not lines or lines[-1].endswith(("\n", "\r")) else newline
            return "".join(lines) + f"{tail}{newline}[{'.'.join(table)}]{newline}{new_line}"
        first = starts[0]  # 1-based header line; body is lines[first:]
        later = [n for n, _ in headers if n > first]
        stop = (later[0] - 1) if later else len(lines)
        body_from = first
    else:
        body_from = 0
        stop = (headers[0][0] - 1) if headers else len(lines)

    # Beside the commented-out default ("# key = ..."), if the template left one.
    commented = re.compile(rf"\s*#\s*{re.escape(key)}\s*=")
    for index in range(body_from, stop):
        if commented.match(lines[index]):
            lines.insert(index + 1, new_line)
            return "".join(lines)
    # Otherwise after the table's last setting (or its header).
    insert_at = body_from
    for index in range(body_from, stop):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            insert_at = index + 1
    if not table and insert_at == 0 and headers:
        # Top level with no settings yet: before the first table (and the comments
        # directly above it), with a blank line between.
        insert_at = stop
        while insert_at > 0 and lines[insert_at - 1].strip().startswith("#"):
            insert_at -= 1
        if lines[insert_at].strip():
            new_line += newline
    if insert_at > 0 and not lines[insert_at - 1].endswith(("\n", "\r")):
        lines[insert_at - 1] += newline
    lines.insert(insert_at, new_line)
    return "".join(lines)


def toml_value_key(key: str) -> str:
    """A TOML key, quoted if it is not bare."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def _lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> object:
    node: object = data
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def save_setting(config_dir: Path, key: str, value: bool | int | float | str) -> None:
    """Set one setting in ``config.toml``, keeping every comment and the layout.

    ``key`` is dotted: ``"theme"``, ``"reader.measure"``, ``"keys.refresh_all"``. The file
    is created from the template if missing. Only that value changes (an existing line is
    edited in place; a new one goes beside its commented-out default). Raises
    :class:`ConfigError` for an unknown setting, a value of the wrong type, or a file that
    would not read back correctly (e.g. it is already invalid TOML); the file is then left
    untouched.
    """
    path_parts = tuple(key.split("."))
    kind = _setting_type(path_parts)
    ok, value = _coerce(kind, value)
    if not ok:
        raise ConfigError(f"{key} must be {_expected(kind)}, not {type_name(value)}")
    file = config_path(config_dir)
    where = display_path(file)
    try:
        text = file.read_bytes().decode("utf-8") if file.exists() else DEFAULT_CONFIG_TEXT
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{where}: cannot read: {error}") from error
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(toml_error_message(where, error) + f" (cannot save {key})") from error
    new_text = _edit(text, path_parts, toml_value(value))
    try:
        stored = _lookup(tomllib.loads(new_text), path_parts)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: cannot update {key} in place") from error
    if stored != value or type(stored) is not type(value):
        raise ConfigError(f"{where}: cannot update {key} in place")
    try:
        _write_atomic(file, new_text)
    except OSError as error:
        raise ConfigError(f"{where}: cannot write: {error.strerror or error}") from error
