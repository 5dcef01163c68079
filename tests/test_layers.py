"""Imports point one way: desktop → ui → reports → models (DESIGN.md, Layout).

``models`` and ``reports`` import nothing from Qt, ``ui`` or ``desktop``; ``ui`` does not
import ``desktop``; the command-line interface works without Qt. Checked in the source
(every import statement, wherever it stands) and at run time (what importing the modules
actually loads, in a fresh interpreter).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = frozenset({"PySide6", "shiboken6"})
FORBIDDEN = {
    "models": QT | {"reports", "ui", "desktop"},
    "reports": QT | {"ui", "desktop"},
    "ui": frozenset({"desktop"}),
}
CLI = ROOT / "desktop" / "cli.py"
# Alembic's environment script runs the migrations when imported; its source is still checked.
NOT_IMPORTABLE = ("models.migrations.env",)

# Imports every module of the packages named in argv and prints, as JSON, the forbidden
# top-level packages that ended up loaded and the modules that failed to import.
IMPORT_ALL = """
import importlib, json, pkgutil, sys, traceback
packages, forbidden, skip = (set(a.split(",")) - {""} for a in sys.argv[1:4])
failed = {}
for top in sorted(packages):
    names = [top]
    package = importlib.import_module(top)
    if hasattr(package, "__path__"):
        names += [m.name for m in pkgutil.walk_packages(
            package.__path__, top + ".", onerror=lambda name: failed.setdefault(name, "walk"))]
    for name in names:
        if name in skip:
            continue
        try:
            importlib.import_module(name)
        except Exception:
            failed[name] = traceback.format_exc(limit=3)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
print(json.dumps({"loaded": loaded, "failed": failed}))
"""


def imported_roots(source: str) -> set[str]:
    """The top-level package of every absolute import in *source*.

    Relative imports never leave the package they are written in, so they cannot cross a layer.
    """
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def import_in_fresh_interpreter(packages: set[str], forbidden: set[str]) -> dict[str, object]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            IMPORT_ALL,
            ",".join(sorted(packages)),
            ",".join(sorted(forbidden)),
            ",".join(NOT_IMPORTABLE),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def test_the_checker_sees_every_kind_of_import() -> None:
    source = (
        "import os, PySide6.QtCore\n"
        "from shiboken6 import isValid\n"
        "from . import orm\n"
        "from .services import base\n"
        "def later() -> None:\n"
        "    from desktop.cli import main\n"
        "if False:\n"
        "    import ui.main_window\n"
    )
    assert imported_roots(source) == {"os", "PySide6", "shiboken6", "desktop", "ui"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_source_imports_point_one_way(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    crossings: dict[str, list[str]] = {}
    for path in files:
        roots = imported_roots(path.read_text(encoding="utf-8")) & FORBIDDEN[package]
        if roots:
            crossings[str(path.relative_to(ROOT))] = sorted(roots)
    assert crossings == {}


def test_importing_models_and_reports_loads_no_qt_ui_or_desktop() -> None:
    report = import_in_fresh_interpreter({"models", "reports"}, set(FORBIDDEN["reports"]))
    assert report == {"loaded": [], "failed": {}}


def test_importing_ui_loads_no_desktop() -> None:
    report = import_in_fresh_interpreter({"ui"}, set(FORBIDDEN["ui"]))
    assert report == {"loaded": [], "failed": {}}


@pytest.mark.skipif(not CLI.exists(), reason="desktop/cli.py does not exist yet")
def test_the_command_line_interface_needs_no_qt() -> None:
    assert imported_roots(CLI.read_text(encoding="utf-8")) & QT == set()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, desktop.cli; print(json.dumps(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('PySide6', 'shiboken6'))))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
