"""A QR code drawn with half-block characters, dark on light whatever the theme."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from tui_reader.core.share import QR_BORDER, qr_lines, qr_matrix

# Scanners need dark modules on a light ground: never let a dark theme invert them.
QR_STYLE = Style(color="#000000", bgcolor="#ffffff")


class QRCode(Static):
    """The QR code of ``data`` (a link); two module rows per terminal line."""

    DEFAULT_CSS = """
    QRCode {
        width: auto;
        height: auto;
        padding: 0;
    }
    """

    def __init__(self, data: str = "", *, border: int = QR_BORDER, **kwargs: object) -> None:
        self.border = border
        self.data = data
        self.lines: list[str] = []
        super().__init__(self._text(data), **kwargs)  # type: ignore[arg-type]

    def _text(self, data: str) -> Text:
        if not data:
            self.lines = []
            return Text("")
        self.lines = qr_lines(qr_matrix(data, self.border))
        return Text("\n".join(self.lines), style=QR_STYLE, no_wrap=True, end="")

    def set_data(self, data: str) -> None:
        """Show the code of another link."""
        self.data = data
        self.update(self._text(data))
