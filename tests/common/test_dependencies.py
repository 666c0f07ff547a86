"""The apps depend on each other in one direction, as docs/architecture.md draws it; this reads the imports.

The domain layers of an app (models, services, selectors, permissions, forms, filters, tasks …) import only
the apps below it. Pages and commands (views, urls, context processors, template tags, management commands)
sit on top of every app: a page of one app may show records of an app above it (the finding page lists the
finding's measures), so they are allowed to compose, and nothing below them may import them.
"""

import ast
from pathlib import Path

import partyreview

# Lower rank: further down. Apps of equal rank do not import each other.
RANK = {
    "common": 0,
    "accounts": 1,
    "organizations": 2,
    "inspections": 3,
    "rectifications": 4,
    "intake": 5,
    "office": 5,
    "orglife": 5,
    "reminders": 5,
    "dashboards": 6,
}
PAGE_PARTS = {"views", "urls", "management", "context_processors", "templatetags"}
PACKAGE = Path(partyreview.__file__).parent


def is_page(relative: Path) -> bool:
    return bool({part.removesuffix(".py") for part in relative.parts} & PAGE_PARTS)


def imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        apps |= {n.split(".")[1] for n in names if n.startswith("partyreview.") and n.count(".") >= 1}
    return apps & RANK.keys()


def test_every_app_of_the_package_has_a_place_in_the_order():
    apps = {p.parent.name for p in PACKAGE.glob("*/apps.py")}
    assert apps <= RANK.keys(), f"give {sorted(apps - RANK.keys())} a rank here and in docs/architecture.md"


def test_domain_layers_import_only_the_apps_below_them():
    wrong = []
    for path in sorted(PACKAGE.glob("*/**/*.py")):
        relative = path.relative_to(PACKAGE)
        app = relative.parts[0]
        if app not in RANK or "migrations" in relative.parts or is_page(relative):
            continue
        for other in imported_apps(path) - {app}:
            if RANK[other] >= RANK[app]:
                wrong.append(f"{relative}: {app} → {other}")
    assert not wrong, "imports against the dependency order:\n" + "\n".join(wrong)


def test_nothing_imports_a_page_module():
    wrong = []
    for path in sorted(PACKAGE.glob("*/**/*.py")):
        relative = path.relative_to(PACKAGE)
        if is_page(relative) or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("partyreview.")
                and ".views" in node.module
            ):
                wrong.append(f"{relative}: {node.module}")
    assert not wrong, "domain code imports a page module:\n" + "\n".join(wrong)


def test_the_checker_sees_a_wrong_import(tmp_path):
    # The test above would pass on a checker that reads nothing: show it reads an upward import.
    module = tmp_path / "selectors.py"
    module.write_text("from partyreview.rectifications.models import Rectification\n", encoding="utf-8")
    assert imported_apps(module) == {"rectifications"}
