"""The layering rules, checked on the source: the core never imports the UI toolkit, and
SQL runs only inside the storage package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tui_reader"
CORE = PACKAGE / "core"
STORAGE = CORE / "storage"
UI_TOOLKITS = ("textual", "rich")
SQL_CALLS = {"execute", "executemany", "executescript"}


def modules(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", modules(CORE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_does_not_import_the_ui_toolkit(path: Path) -> None:
    names = imported_names(ast.parse(path.read_text(), str(path)))
    bad = sorted(n for n in names if n.split(".")[0] in UI_TOOLKITS or n.startswith(
        "tui_reader.ui"))
    assert not bad, f"{path.name} imports {bad}"


def test_sql_runs_only_in_storage() -> None:
    offenders = []
    for path in modules(PACKAGE):
        if STORAGE in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SQL_CALLS):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, f"SQL outside tui_reader/core/storage: {offenders}"


def test_the_checks_see_the_modules() -> None:
    # Guard against a path mistake making the checks above vacuous.
    assert len(modules(CORE)) > 15 and (STORAGE / "articles.py").exists()
