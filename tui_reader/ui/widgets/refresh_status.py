"""The line above the footer while feeds refresh: "Refreshing 12/300", a bar, how to stop."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class RefreshStatus(Horizontal):
    """Progress of a running refresh; hidden (``display: none``) when idle."""

    DEFAULT_CSS = """
    RefreshStatus {
        height: 1;
        display: none;
        background: $panel;
        padding: 0 1;
        &.-running { display: block; }
        & > #refresh-label { width: auto; margin-right: 1; }
        & > ProgressBar { width: 1fr; }
        & > #refresh-hint { width: auto; color: $text-muted; margin-left: 1; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.done = 0
        self.total = 0
        self.errors = 0

    def compose(self) -> ComposeResult:
        yield Label("", id="refresh-label", markup=False)
        yield ProgressBar(total=1, show_eta=False, id="refresh-bar")
        yield Label("", id="refresh-hint", markup=False)

    def start(self, total: int, stop_key: str = "x") -> None:
        self.done, self.total, self.errors = 0, total, 0
        self.add_class("-running")
        self.query_one(ProgressBar).update(total=max(total, 1), progress=0)
        self.query_one("#refresh-hint", Label).update(f"{stop_key} to stop")
        self._show_label()

    def advance(self, done: int, total: int, failed: bool) -> None:
        self.done, self.total = done, total
        self.errors += int(failed)
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        self._show_label()

    def stop(self) -> None:
        self.remove_class("-running")

    @property
    def running(self) -> bool:
        return self.has_class("-running")

    def _show_label(self) -> None:
        text = f"Refreshing {self.done}/{self.total} feeds"
        if self.errors:
            text += f" · {self.errors} failed"
        self.query_one("#refresh-label", Label).update(text)
