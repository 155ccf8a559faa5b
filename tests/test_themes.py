"""Theme files: the shipped ones load, read well, and bad files never raise."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    ListItem,
    ListView,
    Markdown,
    OptionList,
    TextArea,
    Tree,
)

from tui_reader.core import contrast
from tui_reader.core.paths import shipped_themes_dir
from tui_reader.ui.themes import (
    COLOUR_KEYS,
    apply_theme,
    colour_contrast,
    load_theme_file,
    load_themes,
    register_themes,
    theme_contrast,
    theme_from_toml,
    theme_variables,
)

SHIPPED = ("storyreader", "paper", "high-contrast", "night", "terminal")
REPO_THEMES = Path(__file__).resolve().parent.parent / "themes"


def shipped() -> dict[str, Theme]:
    themes, problems = load_themes(shipped_themes_dir(), None)
    assert problems == []
    return {t.name: t for t in themes}


def fixed_colour_themes() -> list[str]:
    return [name for name in SHIPPED if name != "terminal"]


# --- contrast math ------------------------------------------------------------------------


def test_contrast_ratio_known_values() -> None:
    assert contrast.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast.contrast_ratio("#fff", "#000") == pytest.approx(21.0)
    assert contrast.contrast_ratio("#3a3a3a", "#3a3a3a") == pytest.approx(1.0)
    # The classic borderline grey: #777 on white just misses AA.
    assert contrast.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast.contrast_ratio((0, 0, 255), (255, 255, 255)) == pytest.approx(8.59, abs=0.01)
    assert contrast.relative_luminance("#ffffff") == pytest.approx(1.0)
    assert contrast.relative_luminance("000") == 0.0


def test_contrast_blend_and_bad_hex() -> None:
    assert contrast.blend("#ffffff", "#000000", 0.5) == (128, 128, 128)
    assert contrast.blend("#ffffff", "#000000", 1.0) == (255, 255, 255)
    with pytest.raises(ValueError, match="not a hex colour"):
        contrast.parse_hex("blue")


def test_theme_contrast_detects_low_contrast() -> None:
    """The shipped-theme checks below can fail: a grey-on-grey theme scores badly."""
    theme = Theme(name="murky", primary="#888888", foreground="#777777", background="#555555",
                  variables={"text": "#777777"})
    ratios = theme_contrast(theme)
    assert ratios["foreground/background"] < 2
    assert ratios["text/background"] < 2


def test_theme_contrast_uses_textual_colours() -> None:
    ratios = theme_contrast(Theme(name="bw", primary="#ffffff", foreground="#ffffff",
                                  background="#000000", surface="#000000", panel="#000000"))
    assert ratios["foreground/background"] == pytest.approx(21.0)
    # Textual's default $text is "auto 87%": white at 87% over black.
    expected = contrast.contrast_ratio(contrast.blend("#ffffff", "#000000", 0.87), "#000000")
    assert ratios["text/background"] == pytest.approx(expected, abs=0.2)  # rounding


# --- the shipped themes -------------------------------------------------------------------


def test_shipped_themes_dir_is_the_source_tree_here() -> None:
    assert shipped_themes_dir() == REPO_THEMES
    assert (REPO_THEMES / "storyreader.toml").is_file()


def test_every_shipped_theme_loads_into_a_textual_theme() -> None:
    themes = shipped()
    assert set(SHIPPED) <= set(themes)
    files = sorted(p.stem for p in REPO_THEMES.glob("*.toml"))
    assert sorted(themes) == files
    for name, theme in themes.items():
        assert isinstance(theme, Theme)
        assert theme.name == name
        theme.to_color_system().generate()  # Textual accepts the whole palette


def test_every_shipped_theme_file_says_why_it_exists() -> None:
    for path in REPO_THEMES.glob("*.toml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(f"# {path.stem}:"), path.name
        assert "Why it exists" in path.read_text(encoding="utf-8"), path.name


def test_dark_and_light() -> None:
    themes = shipped()
    assert themes["storyreader"].dark
    assert themes["night"].dark
    assert themes["high-contrast"].dark
    assert not themes["paper"].dark


@pytest.mark.parametrize("name", fixed_colour_themes())
def test_body_text_meets_wcag_aa(name: str) -> None:
    """foreground and $text on background, surface and panel: >= 4.5:1 (muted text too)."""
    ratios = theme_contrast(shipped()[name])
    expected = {f"{t}/{g}" for t in ("foreground", "text", "text-muted")
                for g in ("background", "surface", "panel")}
    assert set(ratios) == expected
    low = {k: round(v, 2) for k, v in ratios.items() if v < contrast.AA_TEXT}
    assert low == {}


def test_high_contrast_goes_beyond_aa() -> None:
    ratios = theme_contrast(shipped()["high-contrast"])
    assert min(ratios.values()) >= 7.0  # WCAG AAA, even for muted text
    assert ratios["foreground/background"] == pytest.approx(21.0)


@pytest.mark.parametrize("name", fixed_colour_themes())
def test_cursor_keys_and_accents_are_readable(name: str) -> None:
    theme = shipped()[name]
    pairs = {
        ("block-cursor-foreground", "block-cursor-background"): contrast.AA_TEXT,
        ("block-cursor-blurred-foreground", "block-cursor-blurred-background"): contrast.AA_TEXT,
        ("footer-key-foreground", "footer-background"): contrast.AA_TEXT,
        ("footer-foreground", "footer-background"): contrast.AA_TEXT,
        ("text-error", "background"): contrast.AA_TEXT,
        ("text-warning", "background"): contrast.AA_TEXT,
        ("text-success", "background"): contrast.AA_TEXT,
        # Non-text UI (borders, focus): WCAG 1.4.11 asks 3:1.
        ("primary", "background"): contrast.AA_LARGE,
        ("accent", "background"): contrast.AA_LARGE,
    }
    for (text, ground), minimum in pairs.items():
        ratio = colour_contrast(theme, text, ground)
        assert ratio is not None
        assert ratio >= minimum, f"{name}: {text} on {ground} is {ratio:.2f}"


def _explicit_colours(theme: Theme) -> dict[str, Color]:
    colours = {k: Color.parse(getattr(theme, k)) for k in COLOUR_KEYS if getattr(theme, k)}
    for name, value in theme.variables.items():
        try:
            colours[name] = Color.parse(value.split()[0])
        except Exception:
            continue  # a text style
    return colours


def test_night_is_low_blue() -> None:
    """Every colour night sets, and every colour Textual derives from it, is warm."""
    theme = shipped()["night"]
    colours = _explicit_colours(theme)
    assert len(colours) > 20
    for name, colour in colours.items():
        assert colour.ansi is None, name
        assert colour.b <= 0.6 * colour.r, f"{name} {colour.hex} has too much blue"
        assert colour.b <= colour.g, f"{name} {colour.hex} leans blue"
    generated = theme_variables(theme)  # what a running app gets
    background = Color.parse(generated["background"])
    for name, value in generated.items():
        try:
            colour = background + Color.parse(value.split()[0])
        except Exception:
            continue
        assert colour.b <= 0.6 * colour.r, f"derived {name} {colour.hex} has too much blue"


def test_terminal_theme_uses_only_the_terminals_colours() -> None:
    theme = shipped()["terminal"]
    assert theme.ansi is True
    for key in COLOUR_KEYS:
        value = getattr(theme, key)
        assert value is not None and value.startswith("ansi_"), key
        assert Color.parse(value).ansi is not None
    styles = {"bold", "underline", "reverse", "none"}
    for name, value in theme.variables.items():
        assert value.startswith("ansi_") or set(value.split()) <= styles, (name, value)
    # It mirrors Textual's built-in ANSI theme: every variable that one sets is set here.
    assert set(BUILTIN_THEMES["ansi-dark"].variables) <= set(theme.variables)
    assert theme_contrast(theme) == {}  # no fixed colours to check


class WidgetZoo(App[None]):
    """Textual's stock widgets, to catch a theme that breaks their CSS."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input("hello")
        yield OptionList("one", "two", "three")
        yield ListView(ListItem(Label("a")), ListItem(Label("b")))
        yield Button("OK")
        yield Checkbox("check")
        table: DataTable[str] = DataTable()
        table.add_columns("title")
        table.add_rows([["x"], ["y"]])
        yield table
        yield Tree("root")
        yield Markdown("# Heading\n\nBody with a [link](https://example.org).")
        yield TextArea("text")
        yield Footer()


def test_every_shipped_theme_runs_in_an_app() -> None:
    async def run() -> dict[str, str]:
        app = WidgetZoo()
        seen: dict[str, str] = {}
        async with app.run_test(size=(100, 50)) as pilot:
            assert register_themes(app) == []
            for name in SHIPPED:
                app.theme = name
                await pilot.pause()
                option_list = app.screen.query_one(OptionList)
                option_list.focus()
                option_list.highlighted = 1
                await pilot.pause()
                line = option_list.render_line(1)
                seen[name] = str(next(iter(line)).style)
        return seen

    seen = asyncio.run(run())
    assert seen["high-contrast"] == "bold #000000 on #ffd400"
    # ANSI colours go out as ANSI (color(0) = black on color(7) = white), not as RGB.
    assert seen["terminal"] == "bold color(0) on color(7)"


def test_register_themes_keeps_textual_builtins(tmp_path: Path) -> None:
    async def run() -> tuple[set[str], list[str], str]:
        app = App[None]()
        async with app.run_test() as pilot:
            problems = register_themes(app, user_dir=tmp_path / "none")
            unknown = apply_theme(app, "no-such-theme")
            await pilot.pause()
            return set(app.available_themes), [*problems, unknown or ""], app.theme

    names, problems, current = asyncio.run(run())
    assert set(SHIPPED) <= names
    assert {"textual-dark", "textual-light", "nord", "ansi-dark"} <= names
    assert problems == ["unknown theme 'no-such-theme'; using 'storyreader'"]
    assert current == "storyreader"


# --- user themes --------------------------------------------------------------------------

GOOD = '''\
primary = "#336699"
background = "#101010"
foreground = "#eeeeee"
'''


def test_user_theme_dir_adds_and_overrides(tmp_path: Path) -> None:
    user = tmp_path / "themes"
    user.mkdir()
    (user / "paper.toml").write_text(GOOD.replace("#101010", "#202020"), encoding="utf-8")
    (user / "mine.toml").write_text(GOOD, encoding="utf-8")
    (user / "notes.txt").write_text("not a theme", encoding="utf-8")
    (user / ".hidden.toml").write_text("this is = = broken", encoding="utf-8")
    themes, problems = load_themes(shipped_themes_dir(), user)
    assert problems == []
    by_name = {t.name: t for t in themes}
    assert by_name["paper"].background == "#202020"  # the user's paper replaced ours
    assert by_name["paper"].dark is True  # inferred from its dark background
    assert by_name["mine"].primary == "#336699"
    assert by_name["storyreader"].background == "#15171c"  # untouched
    assert [t.name for t in themes][-2:] == ["mine", "paper"]  # user themes after shipped


def test_broken_user_override_keeps_the_shipped_theme(tmp_path: Path) -> None:
    (tmp_path / "paper.toml").write_text('primary = "#123"\nbackground = 7\n', encoding="utf-8")
    themes, problems = load_themes(shipped_themes_dir(), tmp_path)
    paper = {t.name: t for t in themes}["paper"]
    assert paper.background == "#f6f1e5"
    assert len(problems) == 2
    assert all("paper.toml" in p for p in problems)
    assert "line 2: 'background' must be a colour string" in problems[0]


def test_missing_directories_are_empty(tmp_path: Path) -> None:
    assert load_themes(tmp_path / "a", tmp_path / "b") == ([], [])
    assert load_themes(None, None) == ([], [])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('primary = "#fff"\nbackground "#000"\n', "bad.toml line 2, column 12: Expected '='"),
        ('primary = "#fff"\nbackground = "#000"\nforeground = "blu"\n',
         "bad.toml line 3: 'foreground' is not a colour: failed to parse 'blu'"),
        ('primary = "#fff"\nforeground = "#000"\n',
         "bad.toml: missing 'background'"),
        (GOOD + "dark = \"yes\"\n", "bad.toml line 4: 'dark' must be true or false, not a string"),
        ('primary = 5\nbackground = "#000"\nforeground = "#fff"\n',
         "bad.toml line 1: 'primary' must be a colour string"),
        (GOOD + "text_alpha = 3\n", "bad.toml line 4: 'text_alpha' must be between 0 and 1"),
        (GOOD + 'variables = "bold"\n', "bad.toml line 4: 'variables' must be a table"),
        ("", "bad.toml: missing 'primary'"),
    ],
    ids=["bad-toml", "bad-colour", "missing-key", "wrong-type-bool", "wrong-type-colour",
         "out-of-range", "variables-not-table", "empty"],
)
def test_malformed_theme_is_a_problem_not_an_exception(
    tmp_path: Path, content: str, expected: str
) -> None:
    (tmp_path / "bad.toml").write_text(content, encoding="utf-8")
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    themes, problems = load_themes(None, tmp_path)
    assert [t.name for t in themes] == ["good"]
    assert any(expected in p for p in problems), problems
    assert all("\n" not in p for p in problems)


def test_not_utf8_and_bad_name(tmp_path: Path) -> None:
    (tmp_path / "latin.toml").write_bytes(b'primary = "caf\xe9"\n')
    (tmp_path / "my theme.toml").write_text(GOOD, encoding="utf-8")
    themes, problems = load_themes(None, tmp_path)
    assert themes == []
    assert any("latin.toml: not UTF-8" in p for p in problems)
    assert any("my theme.toml: the file name is the theme's name" in p for p in problems)


def test_unknown_keys_and_bad_variables_warn_but_load(tmp_path: Path) -> None:
    text = GOOD + (
        'primay = "#000"\n'
        "[variables]\n"
        'border = "#ff0000"\n'
        'block-cursor-text-style = "bold reverse"\n'
        'input-selection-background = "#5fb3b3 30%"\n'
        'footer-key-foreground = "not-a-colour"\n'
        "scrollbar = 3\n"
    )
    (tmp_path / "warm.toml").write_text(text, encoding="utf-8")
    themes, problems = load_themes(None, tmp_path)
    assert [t.name for t in themes] == ["warm"]
    assert themes[0].variables == {
        "border": "#ff0000",
        "block-cursor-text-style": "bold reverse",
        "input-selection-background": "#5fb3b3 30%",
    }
    assert len(problems) == 3
    assert "warm.toml line 4: unknown key 'primay' ignored" in problems[0]
    assert "warm.toml line 9: 'footer-key-foreground' is neither a colour" in problems[1]
    assert "warm.toml line 10: 'scrollbar' must be a string" in problems[2]


def test_load_theme_file_and_theme_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "solo.toml"
    path.write_text(GOOD + "ansi = false\nluminosity_spread = 0.2\n", encoding="utf-8")
    theme, warnings = load_theme_file(path)
    assert (theme.name, theme.luminosity_spread, theme.ansi, warnings) == ("solo", 0.2, False, [])
    light, _ = theme_from_toml("light", GOOD.replace("#101010", "#fafafa"), "light.toml")
    assert light.dark is False
