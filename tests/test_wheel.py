"""The wheel as pip builds it from this tree: every module, the shipped themes (the
top-level ``themes/``, which a wheel leaves out unless told), the demo stories and the
app's stylesheet are in it, and they work from the installed package, not the source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tui_reader"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
         str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    return next(out.glob("storyreader-*.whl"))


def test_the_wheel_holds_every_module_theme_and_demo_story(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
               if "__pycache__" not in p.parts}
    assert modules <= names, sorted(modules - names)
    themes = {f"tui_reader/themes/{p.name}" for p in (ROOT / "themes").glob("*.toml")}
    assert len(themes) >= 5 and themes <= names
    demo = {str(p.relative_to(ROOT)) for p in (PACKAGE / "demo").iterdir()
            if p.is_file() and p.suffix != ".py"}
    assert len(demo) == 5 and demo <= names
    assert "tui_reader/ui/app.tcss" in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_the_installed_package_finds_its_themes_and_demo_offline(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = """if True:
        import json, sys
        from tui_reader.core.library import open_library
        from tui_reader.core.paths import shipped_themes_dir
        from tui_reader.ui.themes import load_themes
        themes, problems = load_themes(shipped_themes_dir(), None)
        with open_library(sys.argv[1]) as library:
            library.subscribe_demo_if_new()
            stories = library.count_articles()
        print(json.dumps({"dir": str(shipped_themes_dir()), "problems": problems,
                          "themes": sorted(t.name for t in themes), "stories": stories}))
    """
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "data")], env=env,
                         cwd=tmp_path, check=True, capture_output=True, text=True, timeout=120)
    found = json.loads(out.stdout)
    assert found["dir"] == str(site / "tui_reader" / "themes")  # not the source tree's
    assert found["problems"] == []
    assert {"storyreader", "paper", "high-contrast", "night", "terminal"} <= set(found["themes"])
    assert found["stories"] == 40
