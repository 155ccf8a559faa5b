"""config.toml: first run, defaults, problems with line numbers, and in-place saving."""

from __future__ import annotations

import sys
import tomllib
from dataclasses import asdict, fields
from pathlib import Path

import pytest

from tui_reader.core import paths
from tui_reader.core.config import (
    DEFAULT_CONFIG_TEXT,
    DEFAULT_KEYS,
    Config,
    ReaderConfig,
    RefreshConfig,
    ShareConfig,
    find_line,
    load_config,
    normalize_key,
    parse_config,
    save_setting,
)
from tui_reader.core.errors import ConfigError

SECTIONS = {"refresh": RefreshConfig, "reader": ReaderConfig, "share": ShareConfig}


def write(config_dir: Path, text: str) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- paths --------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="XDG variables are the Linux convention")
def test_xdg_variables_move_the_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert paths.config_dir() == tmp_path / "cfg" / "storyreader"
    assert paths.data_dir() == tmp_path / "data" / "storyreader"
    assert paths.database_path(paths.data_dir()) == tmp_path / "data/storyreader/library.sqlite3"
    assert paths.user_themes_dir(paths.config_dir()) == tmp_path / "cfg/storyreader/themes"
    assert paths.config_path(paths.config_dir()) == tmp_path / "cfg/storyreader/config.toml"
    # An explicit directory wins over the environment.
    assert paths.config_dir(tmp_path / "mine") == tmp_path / "mine"
    assert paths.data_dir(tmp_path / "d") == tmp_path / "d"
    assert not (tmp_path / "cfg").exists()  # looking a path up creates nothing


def test_shipped_themes_dir_prefers_the_packaged_copy(tmp_path: Path) -> None:
    package = tmp_path / "site" / "tui_reader"
    (package / "themes").mkdir(parents=True)
    (tmp_path / "site" / "themes").mkdir()
    # Nothing in the package copy yet: the source-tree layout (<repo>/themes) is used.
    assert paths.shipped_themes_dir(package) == tmp_path / "site" / "themes"
    (package / "themes" / "paper.toml").write_text('primary = "#000"\n', encoding="utf-8")
    assert paths.shipped_themes_dir(package) == package / "themes"


# --- first run and defaults ---------------------------------------------------------------


def test_first_run_writes_every_setting_with_its_default(tmp_path: Path) -> None:
    config_dir = tmp_path / "fresh" / "storyreader"
    config, problems = load_config(config_dir)
    assert problems == []
    assert config == Config()
    text = (config_dir / "config.toml").read_text(encoding="utf-8")
    assert text == DEFAULT_CONFIG_TEXT
    data = tomllib.loads(text)
    assert data["theme"] == "storyreader"
    for section, cls in SECTIONS.items():
        defaults = asdict(cls())
        assert set(data[section]) == set(defaults), section
        for name, value in defaults.items():
            assert data[section][name] == value, (section, name)
            assert find_line(text, (section, name)) is not None
    # Every action's default binding is there, commented out, in [keys].
    keys_at = text.index("[keys]")
    for action, keys in DEFAULT_KEYS.items():
        assert f'\n# {action} = "{keys}"' in text[keys_at:], action
    # A second run reads the file it wrote and changes nothing.
    assert load_config(config_dir) == (Config(), [])
    assert (config_dir / "config.toml").read_text(encoding="utf-8") == text


def test_template_is_commented_line_by_line() -> None:
    lines = DEFAULT_CONFIG_TEXT.splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert lines[number - 1].startswith("#"), f"setting without a comment: {line}"


def test_defaults() -> None:
    config = Config()
    assert config.theme == "storyreader"
    assert config.refresh == RefreshConfig(32, 6, 20.0, 10.0, 0)
    assert config.reader == ReaderConfig(80, True, 6)
    assert config.share == ShareConfig("mastodon.social", "")
    assert dict(config.keys) == DEFAULT_KEYS
    assert config.keys_for("next") == ("j", "down")
    assert DEFAULT_KEYS["cancel_refresh"] not in ("ctrl+c", "c")
    with pytest.raises(TypeError):
        config.keys["quit"] = "z"  # type: ignore[index]


def test_partial_config_is_filled_with_defaults(tmp_path: Path) -> None:
    write(tmp_path, '[reader]\nmeasure = 66\n\n[share]\nbrowser = "w3m"\n')
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config.reader == ReaderConfig(measure=66)
    assert config.share == ShareConfig(browser="w3m")
    assert config.refresh == RefreshConfig()
    assert config.theme == "storyreader"
    assert dict(config.keys) == DEFAULT_KEYS


def test_per_host_concurrency_is_a_whole_number_from_1_to_64(tmp_path: Path) -> None:
    write(tmp_path, "[refresh]\nper_host_concurrency = 2\n")
    config, problems = load_config(tmp_path)
    assert (problems, config.refresh.per_host_concurrency) == ([], 2)
    where = f"{tmp_path}/config.toml"
    for value, complaint in [
        ("0", "must be at least 1 (got 0)"),
        ("65", "must be at most 64 (got 65)"),
        ("2.5", "must be a whole number, not a number"),
        ('"6"', "must be a whole number, not a string"),
    ]:
        write(tmp_path, f"[refresh]\nper_host_concurrency = {value}\n")
        config, problems = load_config(tmp_path)
        assert problems == [
            f"{where} line 2: [refresh] 'per_host_concurrency' {complaint}; "
            "using the default 6"
        ]
        assert config.refresh.per_host_concurrency == 6


def test_refresh_settings_reach_the_fetcher(tmp_path: Path) -> None:
    from tui_reader.core.fetch import DEFAULT_PER_HOST
    from tui_reader.core.library import open_library
    from tui_reader.core.settings import refresh_settings
    from tui_reader.core.update import RefreshSettings

    config_dir = tmp_path / "config"
    write(config_dir, "[refresh]\nconcurrency = 5\nper_host_concurrency = 2\ntimeout = 7\n")
    settings = refresh_settings(config_dir)
    assert settings == RefreshSettings(concurrency=5, per_host=2, timeout=7.0)
    with open_library(tmp_path / "data", settings) as library:
        fetcher = library.refresher.fetcher()
    assert (fetcher.concurrency, fetcher.per_host, fetcher.timeout) == (5, 2, 7.0)
    defaults = refresh_settings(tmp_path / "elsewhere")
    assert (defaults.concurrency, defaults.per_host) == (32, 6) == (
        RefreshConfig().concurrency, RefreshConfig().per_host_concurrency
    )
    assert RefreshSettings().per_host == DEFAULT_PER_HOST


def test_whole_numbers_are_fine_where_decimals_are(tmp_path: Path) -> None:
    write(tmp_path, "[refresh]\ntimeout = 5\nmax_size_mb = 2.5\n")
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config.refresh.timeout == 5.0 and isinstance(config.refresh.timeout, float)
    assert config.refresh.max_size_mb == 2.5


def test_mastodon_instance_is_reduced_to_its_host(tmp_path: Path) -> None:
    write(tmp_path, '[share]\nmastodon_instance = "https://fosstodon.org/about"\n')
    assert load_config(tmp_path)[0].share.mastodon_instance == "fosstodon.org"
    write(tmp_path, '[share]\nmastodon_instance = "not a host"\n')
    config, problems = load_config(tmp_path)
    assert config.share.mastodon_instance == "mastodon.social"
    assert problems == [f"{tmp_path}/config.toml line 2: [share] 'mastodon_instance' is not a "
                        "server name: 'not a host'; using the default 'mastodon.social'"]


# --- problems ---------------------------------------------------------------------------


def test_unknown_keys_are_reported_with_line_numbers(tmp_path: Path) -> None:
    text = (
        'theme = "paper"\n'           # 1
        "colour = true\n"             # 2
        "\n"                          # 3
        "[refresh]\n"                 # 4
        "concurency = 4\n"            # 5
        "timeout = 9\n"               # 6
        "\n"                          # 7
        "[keys]\n"                    # 8
        'refresh_everything = "R"\n'  # 9
        "\n"                          # 10
        "[colours]\n"                 # 11
        'bg = "black"\n'              # 12
    )
    write(tmp_path, text)
    config, problems = load_config(tmp_path)
    where = f"{tmp_path}/config.toml"
    assert problems == [
        f"{where} line 2: unknown setting 'colour' (known: theme, refresh, reader, share, keys)",
        f"{where} line 5: unknown setting [refresh] 'concurency' (known: concurrency, "
        "per_host_concurrency, timeout, max_size_mb, auto_refresh_minutes, keep_days)",
        f"{where} line 9: unknown action [keys] 'refresh_everything'",
        f"{where} line 11: unknown setting 'colours' (known: theme, refresh, reader, share, keys)",
    ]
    assert config.theme == "paper"
    assert config.refresh == RefreshConfig(timeout=9.0)  # the good line still counts


def test_wrong_types_are_reported_with_line_numbers_and_defaults_used(tmp_path: Path) -> None:
    text = (
        "theme = 3\n"                      # 1
        "[refresh]\n"                      # 2
        "# a comment\n"                    # 3
        'timeout = "fast"\n'               # 4
        "concurrency = true\n"             # 5
        "auto_refresh_minutes = 1.5\n"     # 6
        "[reader]\n"                       # 7
        'show_related = "yes"\n'           # 8
        "measure = 10\n"                   # 9
        "related_count = 4\n"              # 10
        "[keys]\n"                         # 11
        "quit = 5\n"                       # 12
        "[share]\n"                        # 13
        "browser = false\n"                # 14
    )
    write(tmp_path, text)
    config, problems = load_config(tmp_path)
    where = f"{tmp_path}/config.toml"
    assert problems == [
        f"{where} line 1: 'theme' must be a theme name like \"paper\", not a whole number; "
        "using 'storyreader'",
        f"{where} line 4: [refresh] 'timeout' must be a number, not a string; "
        "using the default 20.0",
        f"{where} line 5: [refresh] 'concurrency' must be a whole number, not true/false; "
        "using the default 32",
        f"{where} line 6: [refresh] 'auto_refresh_minutes' must be a whole number, "
        "not a number; using the default 0",
        f"{where} line 8: [reader] 'show_related' must be true or false, not a string; "
        "using the default True",
        f"{where} line 9: [reader] 'measure' must be at least 20 (got 10); "
        "using the default 80",
        f"{where} line 12: [keys] 'quit' must be a string like \"j,down\", not a whole number; "
        "using the default 'q'",
        f"{where} line 14: [share] 'browser' must be a string, not true/false; "
        "using the default ''",
    ]
    assert config == Config(reader=ReaderConfig(related_count=4))


def test_a_section_that_is_not_a_table(tmp_path: Path) -> None:
    write(tmp_path, "\nrefresh = 5\nkeys = []\n")
    config, problems = load_config(tmp_path)
    assert config == Config()
    assert problems == [
        f"{tmp_path}/config.toml line 2: 'refresh' must be a table ([refresh]), "
        "not a whole number",
        f"{tmp_path}/config.toml line 3: 'keys' must be a table ([keys]), not a list",
    ]


def test_invalid_toml_gives_tomllibs_position_and_the_defaults(tmp_path: Path) -> None:
    write(tmp_path, 'theme = "paper"\n[reader]\nmeasure 70\n')
    config, problems = load_config(tmp_path)
    assert config == Config()
    assert problems == [
        f"{tmp_path}/config.toml line 3, column 9: Expected '=' after a key in a key/value "
        "pair (using the default settings)"
    ]


def test_unreadable_and_uncreatable_files_are_problems(tmp_path: Path) -> None:
    (tmp_path / "a" / "config.toml").mkdir(parents=True)  # a directory, not a file
    config, problems = load_config(tmp_path / "a")
    assert config == Config()
    assert len(problems) == 1 and "cannot read" in problems[0]
    (tmp_path / "b").write_text("a file where the directory should be", encoding="utf-8")
    config, problems = load_config(tmp_path / "b")
    assert config == Config()
    assert len(problems) == 1 and "cannot create the settings file" in problems[0]
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "config.toml").write_bytes(b'theme = "caf\xe9"\n')
    assert load_config(tmp_path / "c")[1] == [
        f"{tmp_path}/c/config.toml: not UTF-8 text (using the default settings)"
    ]


# --- keys -------------------------------------------------------------------------------


def test_defaults_have_no_conflicts() -> None:
    seen: dict[str, str] = {}
    for action, keys in DEFAULT_KEYS.items():
        for key in keys.split(","):
            assert key not in seen, f"{key} bound to {seen.get(key)} and {action}"
            seen[key] = action


def test_key_overrides(tmp_path: Path) -> None:
    write(tmp_path, '[keys]\nrefresh_all = "F5, ctrl+r"\nhelp = "?,f1"\nshare = ""\n')
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config.keys["refresh_all"] == "F5,ctrl+r"
    assert config.keys["help"] == "question_mark,f1"  # as Textual's set_keymap spells it
    assert config.keys_for("share") == ()
    assert config.keys["quit"] == "q"


def test_key_conflicts_are_reported(tmp_path: Path) -> None:
    text = '[keys]\n# comment\nshare = "r"\nsearch = "?"\n'
    write(tmp_path, text)
    config, problems = load_config(tmp_path)
    where = f"{tmp_path}/config.toml"
    assert problems == [
        f"{where} line 3: [keys] key 'r' is bound to both refresh_feed and share",
        f"{where} line 4: [keys] key 'question_mark' is bound to both search and help",
    ]
    assert config.keys["share"] == "r"  # kept: the user decides which to change


def test_three_way_conflict_and_bad_key_strings(tmp_path: Path) -> None:
    write(tmp_path, '[keys]\nshare = "q"\nbookmark = "q"\nnext = "j,,down"\nlast = "page down"\n')
    config, problems = load_config(tmp_path)
    where = f"{tmp_path}/config.toml"
    assert problems == [
        f"{where} line 4: [keys] 'next' has an empty key between commas; using the default "
        "'j,down'",
        f"{where} line 5: [keys] 'last' key 'page down' contains a space (use 'space' for the "
        "space bar); using the default 'G,end'",
        f"{where} line 2: [keys] key 'q' is bound to quit, bookmark and share",
    ]
    assert config.keys["next"] == "j,down"


def test_normalize_key() -> None:
    assert normalize_key("?") == "question_mark"
    assert normalize_key("/") == "slash"
    assert normalize_key("G") == "G"
    assert normalize_key("ctrl+r") == "ctrl+r"
    assert normalize_key(" ") == ""


# --- finding lines ------------------------------------------------------------------------


def test_find_line_understands_tables_dotted_and_quoted_keys() -> None:
    text = (
        "# timeout = 1\n"                   # 1 (a comment)
        "theme = 'x'\n"                     # 2
        "refresh.timeout = 3\n"             # 3
        "[reader]\n"                        # 4
        '"measure" = 70\n'                  # 5
        "[ share ]\n"                       # 6
        "browser = 'a = b'\n"               # 7
        "inline = { x = 1 }\n"              # 8
    )
    assert find_line(text, ("theme",)) == 2
    assert find_line(text, ("refresh", "timeout")) == 3
    assert find_line(text, ("reader", "measure")) == 5
    assert find_line(text, ("share",)) == 6
    assert find_line(text, ("share", "browser")) == 7
    assert find_line(text, ("share", "inline", "x")) == 8  # falls back to the inline table
    assert find_line(text, ("keys", "quit")) is None


# --- saving -------------------------------------------------------------------------------


def _diff(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def test_save_theme_changes_only_that_line(tmp_path: Path) -> None:
    load_config(tmp_path)  # first run writes the template
    save_setting(tmp_path, "theme", "paper")
    after = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert _diff(DEFAULT_CONFIG_TEXT, after) == [('theme = "storyreader"', 'theme = "paper"')]
    assert load_config(tmp_path) == (Config(theme="paper"), [])


def test_save_keeps_a_trailing_comment_and_odd_spacing(tmp_path: Path) -> None:
    before = (
        "# mine\n"
        "theme   =   'nord'   # my favourite # really\n"
        "[reader]\n"
        "measure=70 # narrow\n"
        "[keys]\n"
        '# next = "j,down"\n'
    )
    write(tmp_path, before)
    save_setting(tmp_path, "theme", 'pa"per')
    save_setting(tmp_path, "reader.measure", 72)
    after = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert after == (
        "# mine\n"
        "theme   =   \"pa\\\"per\"   # my favourite # really\n"
        "[reader]\n"
        "measure=72 # narrow\n"
        "[keys]\n"
        '# next = "j,down"\n'
    )
    config, problems = load_config(tmp_path)
    assert (config.theme, config.reader.measure, problems) == ('pa"per', 72, [])


def test_save_a_key_binding_goes_beside_its_commented_default(tmp_path: Path) -> None:
    load_config(tmp_path)
    save_setting(tmp_path, "keys.refresh_all", "F5")
    lines = (tmp_path / "config.toml").read_text(encoding="utf-8").splitlines()
    at = lines.index('refresh_all = "F5"')
    assert lines[at - 1].startswith('# refresh_all = "R"')
    assert len(lines) == len(DEFAULT_CONFIG_TEXT.splitlines()) + 1
    config, problems = load_config(tmp_path)
    assert problems == [] and config.keys["refresh_all"] == "F5"


def test_save_a_missing_line_or_table(tmp_path: Path) -> None:
    write(
        tmp_path,
        "# top\n\n[refresh]\n# fetch at once\nconcurrency = 4\n\n[reader]\nmeasure = 60\n",
    )
    save_setting(tmp_path, "refresh.timeout", 7.5)
    save_setting(tmp_path, "share.browser", "firefox")
    save_setting(tmp_path, "theme", "night")
    after = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert after == (
        "# top\n"
        "\n"
        'theme = "night"\n'
        "\n"
        "[refresh]\n"
        "# fetch at once\n"
        "concurrency = 4\n"
        "timeout = 7.5\n"
        "\n"
        "[reader]\n"
        "measure = 60\n"
        "\n"
        "[share]\n"
        'browser = "firefox"\n'
    )
    config, problems = load_config(tmp_path)
    assert problems == []
    assert (config.theme, config.refresh.concurrency, config.refresh.timeout) == ("night", 4, 7.5)
    assert config.share.browser == "firefox"


def test_save_creates_the_file_and_keeps_crlf(tmp_path: Path) -> None:
    save_setting(tmp_path / "new", "reader.show_related", False)
    assert load_config(tmp_path / "new")[0].reader.show_related is False
    path = write(tmp_path / "dos", "")
    path.write_bytes(b"[reader]\r\nmeasure = 60\r\n")
    save_setting(tmp_path / "dos", "reader.measure", 90)
    assert path.read_bytes() == b"[reader]\r\nmeasure = 90\r\n"


def test_save_refuses_bad_requests_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "x"\n[reader]\nmeasure = [1, 2]\n')
    before = path.read_bytes()
    with pytest.raises(ConfigError, match=r"unknown setting 'reader\.colour'"):
        save_setting(tmp_path, "reader.colour", "red")
    with pytest.raises(ConfigError, match="unknown action 'fly'"):
        save_setting(tmp_path, "keys.fly", "f")
    with pytest.raises(ConfigError, match=r"reader\.measure must be a whole number"):
        save_setting(tmp_path, "reader.measure", "wide")
    with pytest.raises(ConfigError, match="cannot update"):
        save_setting(tmp_path, "reader.measure", 70)  # a list value: not edited in place
    assert path.read_bytes() == before
    path.write_text('theme = "x"\n[reader\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 2, column \d+: .*\(cannot save theme\)"):
        save_setting(tmp_path, "theme", "paper")
    assert path.read_text(encoding="utf-8") == 'theme = "x"\n[reader\n'


def test_every_setting_can_be_saved_and_read_back(tmp_path: Path) -> None:
    load_config(tmp_path)
    changed = {
        "refresh": RefreshConfig(3, 2, 4.5, 1.5, 30),
        "reader": ReaderConfig(64, False, 2),
        "share": ShareConfig("fosstodon.org", "lynx"),
    }
    for section, value in changed.items():
        for f in fields(value):
            save_setting(tmp_path, f"{section}.{f.name}", getattr(value, f.name))
    config, problems = load_config(tmp_path)
    assert problems == []
    assert (config.refresh, config.reader, config.share) == tuple(changed.values())
    assert "# How many feeds are fetched at the same time." in (
        tmp_path / "config.toml"
    ).read_text(encoding="utf-8")


def test_parse_config_without_files() -> None:
    config, problems = parse_config('theme = "paper"\n', "inline")
    assert (config.theme, problems) == ("paper", [])
    assert parse_config("x = 1\n", "inline")[1] == [
        "inline line 1: unknown setting 'x' (known: theme, refresh, reader, share, keys)"
    ]
