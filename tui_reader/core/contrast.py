"""WCAG 2.x colour contrast: relative luminance and contrast ratio.

Pure arithmetic on sRGB triples, so themes can be checked without a terminal
(and without Textual: the UI converts its own colour objects to triples).
See https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio.
"""

from __future__ import annotations

import re

RGB = tuple[int, int, int]

AA_TEXT = 4.5
"""WCAG AA minimum for body text."""
AA_LARGE = 3.0
"""WCAG AA minimum for large text and for non-text UI parts (borders, cursors)."""

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse_hex(color: str) -> RGB:
    """``"#1e2128"`` / ``"1e2128"`` / ``"#fff"`` -> ``(30, 33, 40)``; ValueError otherwise."""
    match = _HEX.fullmatch(color.strip())
    if match is None:
        raise ValueError(f"{color!r} is not a hex colour like #1e2128")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def _as_rgb(color: str | RGB) -> RGB:
    if isinstance(color, str):
        return parse_hex(color)
    r, g, b = color
    return (int(r), int(g), int(b))


def _linear(channel: int) -> float:
    """One 0-255 sRGB channel to linear light."""
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str | RGB) -> float:
    """WCAG relative luminance, 0.0 (black) to 1.0 (white)."""
    r, g, b = _as_rgb(color)
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(first: str | RGB, second: str | RGB) -> float:
    """WCAG contrast ratio between two opaque colours, 1.0 to 21.0 (order does not matter)."""
    a = relative_luminance(first)
    b = relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def blend(top: str | RGB, bottom: str | RGB, alpha: float) -> RGB:
    """``top`` drawn with opacity ``alpha`` over ``bottom`` (what the terminal ends up showing)."""
    t = _as_rgb(top)
    u = _as_rgb(bottom)
    alpha = min(max(alpha, 0.0), 1.0)
    r, g, b = (round(tc * alpha + uc * (1 - alpha)) for tc, uc in zip(t, u, strict=True))
    return (r, g, b)
