"""`stats` reads facts, never personal tables (architecture §4)."""

import ast
from pathlib import Path

import cellule.stats

PERSONAL_MODULES = ("models", "services", "duplicates", "fetchers", "scopes")
PERSONAL_APPS = ("people", "reports", "cases", "meetings", "exchanges", "journal")


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_stats_imports_no_model_or_service_of_an_app_with_personal_data():
    offending = []
    for path in Path(cellule.stats.__file__).parent.rglob("*.py"):
        for module in imported_modules(path):
            parts = module.split(".")
            if (
                len(parts) >= 3
                and parts[0] == "cellule"
                and parts[1] in PERSONAL_APPS
                and parts[2] in PERSONAL_MODULES
            ):
                offending.append(f"{path.name}: {module}")
    assert offending == []
