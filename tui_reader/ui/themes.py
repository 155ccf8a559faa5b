"""Theme files: TOML in ``themes/`` (shipped) and ``<config_dir>/themes`` (the user's).

A theme's name is its file's stem; its keys map onto :class:`textual.theme.Theme`
(the format is documented in ``themes/README.md``). :func:`load_themes` never raises:
a file it cannot use becomes a one-line problem naming the file (and the line, where
it can be found) and is skipped. Textual's built-in themes stay registered beside ours.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import Theme

from tui_reader.core import contrast
from tui_reader.core.config import (
    DEFAULT_THEME,
    display_path,
    find_line,
    toml_error_message,
    type_name,
)
from tui_reader.core.paths import shipped_themes_dir

if TYPE_CHECKING:
    from textual.app import App

COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
    "foreground",
)
REQUIRED_KEYS = ("primary", "background", "foreground")
NUMBER_KEYS = ("luminosity_spread", "text_alpha")
BOOL_KEYS = ("dark", "ansi")
KNOWN_KEYS = frozenset((*COLOUR_KEYS, *NUMBER_KEYS, *BOOL_KEYS, "variables"))

_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
_VARIABLE_NAME_RE = re.compile(r"[a-z0-9-]+")
_ALPHA_RE = re.compile(r"^(?P<colour>\S+)\s+(?P<percent>\d+(?:\.\d+)?)%$")


class ThemeFileError(Exception):
    """A theme file that cannot become a Theme; ``problems`` are one-line messages."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if problems else "bad theme file")
        self.problems = problems


def _variable_problem(name: str, value: str) -> str | None:
    """Why a ``[variables]`` value would break Textual's CSS, or None if it is fine.

    Theme variables are colours (optionally ``"<colour> 35%"`` or ``"auto 87%"``) or
    text styles (``"bold"``, ``"b reverse"``, ``"not underline"``).
    """
    words = value.split()
    if words and all(word in VALID_STYLE_FLAGS for word in words):
        return None
    colour = value.strip()
    match = _ALPHA_RE.match(colour)
    if match:
        colour = match["colour"]
        if not 0 <= float(match["percent"]) <= 100:
            return f"'{name}' has an opacity over 100%"
    if colour == "auto" and match:
        return None
    try:
        Color.parse(colour)
    except ColorParseError as error:
        return f"'{name}' is neither a colour nor a text style: {error}"
    return None


def theme_from_toml(name: str, text: str, where: str) -> tuple[Theme, list[str]]:
    """Build a Theme from TOML text: (theme, warnings) or ThemeFileError.

    Fatal: invalid TOML, a missing required colour, a value of the wrong type, a colour
    Textual cannot parse. Warnings (the theme still loads): unknown keys (ignored) and bad
    ``[variables]`` entries (dropped).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError([toml_error_message(where, error)]) from error

    def at(*path: str) -> str:
        line = find_line(text, path)
        return f"{where} line {line}" if line else where

    errors: list[str] = []
    warnings: list[str] = []
    if not _NAME_RE.fullmatch(name):
        errors.append(f"{where}: the file name is the theme's name and may only use "
                      "letters, digits, '-' and '_'")
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KNOWN_KEYS:
            known = ", ".join(sorted(KNOWN_KEYS))
            warnings.append(f"{at(key)}: unknown key '{key}' ignored (known: {known})")
        elif key in COLOUR_KEYS:
            if not isinstance(value, str):
                errors.append(f"{at(key)}: '{key}' must be a colour string like \"#1e2128\", "
                              f"not {type_name(value)}")
                continue
            try:
                Color.parse(value)
            except ColorParseError as error:
                errors.append(f"{at(key)}: '{key}' is not a colour: {error}")
                continue
            kwargs[key] = value
        elif key in BOOL_KEYS:
            if not isinstance(value, bool):
                errors.append(f"{at(key)}: '{key}' must be true or false, not {type_name(value)}")
                continue
            kwargs[key] = value
        elif key in NUMBER_KEYS:
            if isinstance(value, bool) or not isinstance(value, int | float):
                errors.append(f"{at(key)}: '{key}' must be a number, not {type_name(value)}")
            elif not 0 <= value <= 1:
                errors.append(f"{at(key)}: '{key}' must be between 0 and 1, not {value}")
            else:
                kwargs[key] = float(value)
        else:  # variables
            if not isinstance(value, dict):
                errors.append(f"{at(key)}: 'variables' must be a table ([variables]), "
                              f"not {type_name(value)}")
                continue
            variables: dict[str, str] = {}
            for var, var_value in value.items():
                if not _VARIABLE_NAME_RE.fullmatch(var):
                    problem = f"'{var}' is not a Textual variable name like footer-key-foreground"
                elif not isinstance(var_value, str):
                    problem = f"'{var}' must be a string, not {type_name(var_value)}"
                else:
                    problem = _variable_problem(var, var_value)
                if problem:
                    warnings.append(f"{at('variables', var)}: {problem}; ignored")
                else:
                    variables[var] = var_value
            kwargs["variables"] = variables
    for key in REQUIRED_KEYS:
        if key not in data:
            errors.append(f"{where}: missing '{key}' (every theme needs "
                          f"{', '.join(REQUIRED_KEYS)})")
    if errors:
        raise ThemeFileError(errors)
    if "dark" not in kwargs:
        background = Color.parse(kwargs["background"])
        kwargs["dark"] = background.ansi is not None or background.brightness < 0.5
    theme = Theme(name=name, **kwargs)
    try:
        theme.to_color_system().generate()
    except Exception as error:  # a combination Textual refuses: report, never crash
        raise ThemeFileError([f"{where}: Textual cannot use this theme: {error}"]) from error
    return theme, warnings


def load_theme_file(path: Path, where: str | None = None) -> tuple[Theme, list[str]]:
    """One theme file: (theme, warnings); raises ThemeFileError with the problems."""
    where = where or display_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ThemeFileError([f"{where}: not UTF-8 text"]) from error
    except OSError as error:
        raise ThemeFileError([f"{where}: cannot read: {error.strerror or error}"]) from error
    return theme_from_toml(path.stem, text, where)


def _theme_files(directory: Path | None) -> tuple[list[Path], list[str]]:
    if directory is None or not directory.exists():
        return [], []
    try:
        files = sorted(
            p for p in directory.iterdir() if p.suffix == ".toml" and not p.name.startswith(".")
        )
    except OSError as error:
        return [], [f"{display_path(directory)}: cannot list themes: {error.strerror or error}"]
    return files, []


def load_themes(
    shipped_dir: Path | None, user_dir: Path | None = None
) -> tuple[list[Theme], list[str]]:
    """Every usable theme from both directories, and one-line problems.

    Shipped themes come first (by name), then the user's; a user file with the same stem
    as a shipped one replaces it (unless the user file is broken: then the shipped one
    stays and the problem is reported). Missing directories are simply empty.
    """
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for directory, shipped in ((shipped_dir, True), (user_dir, False)):
        files, listing_problems = _theme_files(directory)
        problems.extend(listing_problems)
        for path in files:
            where = f"themes/{path.name}" if shipped else display_path(path)
            try:
                theme, warnings = load_theme_file(path, where)
            except ThemeFileError as error:
                problems.extend(error.problems)
                continue
            problems.extend(warnings)
            themes.pop(theme.name, None)  # an override moves to the user's place
            themes[theme.name] = theme
    return list(themes.values()), problems


def register_themes(
    app: App[Any],
    shipped_dir: Path | None = None,
    user_dir: Path | None = None,
) -> list[str]:
    """Load and register storyreader's themes (and the user's) on ``app``; return problems.

    ``shipped_dir`` defaults to :func:`tui_reader.core.paths.shipped_themes_dir`; pass
    ``user_themes_dir(config_dir)`` as ``user_dir``. Textual's built-ins stay available
    (a user theme with a built-in's name replaces it).
    """
    themes, problems = load_themes(
        shipped_dir if shipped_dir is not None else shipped_themes_dir(), user_dir
    )
    for theme in themes:
        app.register_theme(theme)
    return problems


def apply_theme(app: App[Any], name: str, fallback: str = DEFAULT_THEME) -> str | None:
    """Switch ``app`` to theme ``name``; if it is unknown use ``fallback`` and return why."""
    if name in app.available_themes:
        app.theme = name
        return None
    chosen = fallback if fallback in app.available_themes else "textual-dark"
    app.theme = chosen
    return f"unknown theme {name!r}; using {chosen!r}"


# --- contrast -----------------------------------------------------------------------------


def color_rgb(color: Color) -> contrast.RGB:
    """A Textual Color's RGB triple (alpha ignored)."""
    return (color.r, color.g, color.b)


def theme_variables(theme: Theme) -> dict[str, str]:
    """The CSS variables a running app gets from ``theme`` (as ``App.get_css_variables``)."""
    return {**theme.to_color_system().generate(), **theme.variables}


def _resolve(value: str, base: Color) -> Color | None:
    """A generated CSS colour value drawn over ``base``: opaque Color, or None for ansi."""
    value = value.strip()
    alpha = 1.0
    match = _ALPHA_RE.match(value)
    if match:
        value, alpha = match["colour"], float(match["percent"]) / 100
    if value == "auto":
        colour = base.get_contrast_text(alpha)
    else:
        try:
            colour = Color.parse(value)
        except ColorParseError:
            return None
        colour = colour.multiply_alpha(alpha)
    if colour.ansi is not None or base.ansi is not None:
        return None
    return base + colour


def theme_contrast(theme: Theme) -> dict[str, float]:
    """WCAG contrast ratios of a theme's text against the colours it is drawn on.

    Keys are ``"<text>/<ground>"``: text is ``foreground`` (the app's body text), ``text``
    and ``text-muted`` (what Textual's widgets use); grounds are ``background``, ``surface``
    and ``panel``. Alpha is blended over the ground first. Empty for themes built from
    the terminal's ANSI colours, whose real values only the terminal knows.
    """
    generated = theme_variables(theme)
    ratios: dict[str, float] = {}
    backdrop = _resolve(generated["background"], Color(0, 0, 0))
    if backdrop is None:
        return ratios
    for ground_name in ("background", "surface", "panel"):
        ground = _resolve(generated[ground_name], backdrop)
        if ground is None:
            continue
        for text_name in ("foreground", "text", "text-muted"):
            text = _resolve(generated[text_name], ground)
            if text is None:
                continue
            ratios[f"{text_name}/{ground_name}"] = contrast.contrast_ratio(
                color_rgb(text), color_rgb(ground)
            )
    return ratios


def colour_contrast(theme: Theme, text_key: str, ground_key: str = "background") -> float | None:
    """Contrast of one generated theme colour (e.g. "primary", "accent") on another."""
    generated = theme_variables(theme)
    backdrop = _resolve(generated.get("background", ""), Color(0, 0, 0))
    if backdrop is None:
        return None
    ground = _resolve(generated.get(ground_key, ""), backdrop)
    if ground is None:
        return None
    text = _resolve(generated.get(text_key, ""), ground)
    if text is None:
        return None
    return contrast.contrast_ratio(color_rgb(text), color_rgb(ground))
