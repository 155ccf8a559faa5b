"""Bookmark files: export every bookmark, import a browser's bookmark file.

From the command palette, on the reader and in the Bookmarks view
(:class:`BookmarkCommands`): export as HTML, Markdown (by tag or by feed), JSON, CSV or
Atom, written atomically in a worker thread; import a browser's bookmark HTML or a JSON
export. :class:`PathPrompt` asks for the file.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui_reader.core.bookmarks import BookmarkService
from tui_reader.core.errors import StoryreaderError
from tui_reader.core.exports import EXTENSIONS, FORMAT_NAMES


def bookmark_service(app: App) -> BookmarkService | None:
    """The bookmark service of the app's library (``app.library.bookmarks``)."""
    library = getattr(app, "library", None)
    return getattr(library, "bookmarks", None)


class PathPrompt(ModalScreen[Path | None]):
    """Ask for a file path (export target or file to import)."""

    DEFAULT_CSS = """
    PathPrompt {
        align: center middle;
    }
    PathPrompt #path-dialog {
        width: 72;
        max-width: 95%;
        height: auto;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    PathPrompt #path-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: str = "") -> None:
        super().__init__()
        self.prompt_title = title
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="path-dialog"):
            yield Label(self.prompt_title, markup=False)
            yield Input(self.default, id="path-input")
            yield Static("enter: go · escape: cancel", id="path-hint")

    def on_mount(self) -> None:
        self.query_one("#path-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(Path(value).expanduser() if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def default_export_path(fmt: str) -> Path:
    return Path.home() / f"storyreader-bookmarks.{EXTENSIONS[fmt]}"


def start_export(app: App, fmt: str, group: str = "tag") -> None:
    """Ask where, then write the export in a thread (atomically) and say how it went."""
    service = bookmark_service(app)
    if service is None:
        app.notify("No library is open", severity="error")
        return

    def write(path: Path | None) -> None:
        if path is None:
            return

        def work() -> None:
            try:
                count = service.export_to(path, fmt, group=group)
            except (OSError, StoryreaderError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                app.call_from_thread(
                    app.notify, f"Export failed: {reason}", severity="error", markup=False
                )
                return
            app.call_from_thread(
                app.notify, f"Exported {count} bookmarks to {path}", title="Exported",
                markup=False,
            )

        app.run_worker(work, thread=True, group="bookmark-export", exclusive=False)

    label = FORMAT_NAMES[fmt] + (f", by {group}" if fmt == "md" else "")
    app.push_screen(
        PathPrompt(f"Export bookmarks as {label} to:", str(default_export_path(fmt))), write
    )


def start_import(app: App, on_done: Callable[[], None] | None = None) -> None:
    """Ask for a bookmark HTML or JSON file and import it."""
    service = bookmark_service(app)
    if service is None:
        app.notify("No library is open", severity="error")
        return

    def run(path: Path | None) -> None:
        if path is None:
            return
        try:
            result = service.import_file(path)
        except (OSError, StoryreaderError) as exc:
            app.notify(f"Import failed: {exc}", severity="error", markup=False)
            return
        skipped = f", {result.skipped} skipped" if result.skipped else ""
        app.notify(f"Imported {result.total} bookmarks: {result.added} new, "
                   f"{result.merged} merged{skipped}", title="Imported", markup=False)
        if on_done:
            on_done()

    app.push_screen(PathPrompt("Import bookmarks from (browser HTML or JSON export):"), run)


def _export_commands() -> list[tuple[str, str, str, str]]:
    """(palette label, help, format, group) for every export."""
    commands = []
    for fmt in ("html", "md", "json", "csv", "atom"):
        groups = ("tag", "feed") if fmt == "md" else ("tag",)
        for group in groups:
            name = FORMAT_NAMES[fmt] if fmt != "md" else f"Markdown, grouped by {group}"
            commands.append((f"Export bookmarks: {name}", "Write every bookmark to a file",
                             fmt, group))
    return commands


class BookmarkCommands(Provider):
    """Command palette entries: export bookmarks in each format, import, show bookmarks."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        commands: list[tuple[str, str, Callable[[], object]]] = [
            (label, help_text, partial(start_export, app, fmt, group))
            for label, help_text, fmt, group in _export_commands()
        ]
        commands.append(("Import bookmarks", "From a browser's bookmark HTML or a JSON export",
                         partial(start_import, app, self._refresh_view)))
        return commands

    def _refresh_view(self) -> None:
        from tui_reader.ui.screens.bookmarks import BookmarksScreen  # it lists these commands

        screen = self.app.screen
        if isinstance(screen, BookmarksScreen):
            screen.reload()

    async def discover(self) -> Hits:
        for label, help_text, callback in self._commands():
            yield DiscoveryHit(label, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=help_text)
