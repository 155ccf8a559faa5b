"""Every key-bound action of the reader, read from the Bindings themselves.

The help screen and the command palette both list :func:`key_actions`, so neither can
go stale: a binding added to a class in :func:`binding_owners` shows up in both, with
the keys the user's ``[keys]`` table gave it. The keys of the search and bookmarks
screens (:data:`SCREEN_SECTIONS`) are listed in the help only: the palette runs its
actions on the reader screen, where those would do something else or nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

UNBOUND = "unbound"  # the key of an action the user unbound (see ui.app.UNBOUND)

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode


@dataclass(frozen=True, slots=True)
class KeyAction:
    """One action with every key that triggers it."""

    id: str | None  # the binding id the config's [keys] table uses (None: not rebindable)
    action: str
    description: str  # short, as in the footer
    help: str  # one line for the help screen and the palette
    keys: tuple[str, ...]
    where: str  # "lists", "story", "reader", "app", or one of SCREEN_SECTIONS


SCREEN_SECTIONS = ("search", "bookmarks")
"""Screens over the reader whose keys work only there: in the help, not in the palette."""


def binding_owners(*, with_screens: bool = False) -> list[tuple[str, type[DOMNode]]]:
    """The classes whose bindings make up the reader, with where they apply.

    The story view and the screens are listed with their own bindings only (not the
    scrolling or focus keys every Textual scroller or screen inherits). ``with_screens``
    adds the search and bookmarks screens (:data:`SCREEN_SECTIONS`)."""
    from tui_reader.ui.app import StoryreaderApp
    from tui_reader.ui.screens.main import MainScreen
    from tui_reader.ui.widgets.article_view import ArticleView
    from tui_reader.ui.widgets.feed_list import FeedList
    from tui_reader.ui.widgets.related_panel import RelatedPanel

    owners: list[tuple[str, type[DOMNode]]] = [
        ("lists", FeedList),
        ("story", ArticleView),
        ("reader", MainScreen),
        ("app", StoryreaderApp),
        ("lists", RelatedPanel),
    ]
    if with_screens:
        from tui_reader.ui.screens.bookmarks import BookmarksScreen
        from tui_reader.ui.screens.search import SearchScreen

        owners += [("search", SearchScreen), ("bookmarks", BookmarksScreen)]
    return owners


# Words for the story view's keys where its bindings carry no tooltip.
_STORY_HELP = {
    "page_down": "page down in the story",
    "page_up": "page up in the story",
    "scroll_down": "scroll the story down a line",
    "scroll_up": "scroll the story up a line",
    "scroll_home": "top of the story",
    "scroll_end": "end of the story",
    "follow_link": "open a link of the story by its number",
}

# Bindings that differ only by a number ("open link 1" ... "open link 9") are listed once.
_NUMBERED = re.compile(r"^(?P<name>[a-z_]+)\(\d+\)$")


def _bindings(owner: type[DOMNode], own_only: bool = False) -> list[Binding]:
    if own_only:
        return list(Binding.make_bindings(owner.__dict__.get("BINDINGS", [])))
    merged = owner._merged_bindings
    assert merged is not None
    return [b for bindings in merged.key_to_bindings.values() for b in bindings]


def key_actions(
    keymap: dict[str, str] | None = None, *, with_screens: bool = False
) -> list[KeyAction]:
    """Every action once (merged by binding id, else by action), in a stable order.

    ``keymap`` (binding id -> "key,key") replaces the keys of the bindings it names,
    as ``App.set_keymap`` does. ``with_screens`` adds the keys of the search and
    bookmarks screens, each kept apart from the reader's (for the help, not the palette).
    """
    keymap = keymap or {}
    order: list[str] = []
    found: dict[str, dict[str, Any]] = {}
    for where, owner in binding_owners(with_screens=with_screens):
        screen = where in SCREEN_SECTIONS
        for binding in _bindings(owner, own_only=screen or where == "story"):
            if binding.system or "." in binding.action:
                continue  # Textual's own screen actions (copy text) are not the reader's
            numbered = None if screen else _NUMBERED.match(binding.action)
            if numbered:
                binding = Binding(binding.key, numbered["name"],
                                  binding.description.rstrip("0123456789 ") + " n",
                                  tooltip=f"{binding.description.rstrip('0123456789 ').lower()}"
                                  " number n")
            name = binding.id or binding.action
            if screen:
                name = f"{where}:{name}"  # the bookmarks' "share" is not the reader's
            entry = found.get(name)
            if entry is None:
                order.append(name)
                entry = found[name] = {
                    "id": binding.id, "action": binding.action, "where": where,
                    "description": binding.description, "help": binding.tooltip,
                    "keys": [], "fixed": [],
                }
            entry["id"] = entry["id"] or binding.id
            entry["help"] = entry["help"] or binding.tooltip
            if where == "story" and not entry["help"]:
                entry["help"] = _STORY_HELP.get(binding.action, "")
            # Keys of bindings without an id cannot be changed by the keymap.
            bucket = entry["keys"] if binding.id else entry["fixed"]
            if binding.key not in bucket:
                bucket.append(binding.key)
    actions = []
    for name in order:
        entry = found[name]
        keys = list(entry["keys"])
        if entry["id"] and entry["id"] in keymap:
            keys = [k for k in keymap[entry["id"]].split(",") if k and k != UNBOUND]
        keys += [k for k in entry["fixed"] if k not in keys]
        actions.append(KeyAction(
            id=entry["id"], action=entry["action"], description=entry["description"],
            help=entry["help"] or entry["description"], keys=tuple(keys), where=entry["where"],
        ))
    return actions


def keys_display(app: App[Any], keys: tuple[str, ...]) -> str:
    """Keys as the footer shows them: ``j, ↓``; "(unbound)" for none."""
    if not keys:
        return "(unbound)"
    if len(keys) > 2 and all(k.isdigit() for k in keys):
        return f"{keys[0]}…{keys[-1]}"
    return ", ".join(app.get_key_display(Binding(key, "")) for key in keys)
