"""Arrows point down: no module below the blueprints imports one, no blueprint imports another.

The checker reads the source (ast), so imports inside functions count as much as those at
the top; a blueprint package is a package of quizapp/ whose __init__.py makes a Blueprint.
Only the app factory (quizapp/__init__.py) may import blueprints: it registers them.
"""

import ast
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "quizapp"
# The factory registers every blueprint; nothing else below them may import one.
FACTORY = "__init__.py"


def blueprint_packages(root: Path) -> set[str]:
    """Return the names of the packages directly under root that define a Blueprint."""
    found = set()
    for init in root.glob("*/__init__.py"):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name == "Blueprint":
                    found.add(init.parent.name)
    return found


def module_name(root: Path, path: Path) -> list[str]:
    """Return the dotted parts of a module's name (a package's __init__ names the package)."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(root: Path, path: Path) -> list[tuple[int, str]]:
    """Return (line, dotted name) of every import in a file, at any depth, relative ones
    resolved; `from a import b` yields a.b as well (b may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(root, path)
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def violations(root: Path) -> list[str]:
    """Return every import that points up (below a blueprint to one) or sideways (between two)."""
    blueprints = blueprint_packages(root)
    found: dict[tuple[Path, int], str] = {}  # one line per import statement
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.as_posix() == FACTORY:
            continue
        first = relative.parts[0]
        owner = first if len(relative.parts) > 1 and first in blueprints else None
        for line, name in imported_modules(root, path):
            parts = name.split(".")
            if len(parts) < 2 or parts[0] != root.name or parts[1] not in blueprints:
                continue
            target = parts[1]
            if (relative, line) in found or target == owner:
                continue
            if owner is None:
                found[relative, line] = (
                    f"{relative}:{line}: {name} (a blueprint, imported from below)"
                )
            else:
                found[relative, line] = (
                    f"{relative}:{line}: {name} (blueprint {owner} imports {target})"
                )
    return sorted(found.values())


def write(root: Path, files: dict[str, str]) -> None:
    """Write a package tree from {relative path: source}."""
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")


BLUEPRINT = 'from flask import Blueprint\nbp = Blueprint("{name}", __name__)\n'


def synthetic_app(tmp_path: Path, extra: dict[str, str]) -> Path:
    """A small app package `app` with two blueprints (shop, admin) and a service."""
    root = tmp_path / "app"
    write(
        root,
        {
            "__init__.py": "def create_app():\n    from app import admin, shop\n",
            "shop/__init__.py": BLUEPRINT.format(name="shop"),
            "shop/routes.py": "from app.shop import bp\nfrom app.services import orders\n",
            "admin/__init__.py": BLUEPRINT.format(name="admin"),
            "services/__init__.py": "",
            "services/orders.py": "from app import labels\n",
            "labels.py": "",
            **extra,
        },
    )
    return root


def test_quizapp_imports_point_down():
    assert blueprint_packages(ROOT) >= {"api", "auth", "classes", "content", "learn", "live"}
    assert violations(ROOT) == []


def test_a_clean_tree_has_no_violations(tmp_path):
    assert violations(synthetic_app(tmp_path, {})) == []


def test_a_service_importing_a_blueprint_inside_a_function_is_caught(tmp_path):
    root = synthetic_app(
        tmp_path,
        {"services/orders.py": "def total():\n    from app.shop.routes import bp\n    return bp\n"},
    )
    assert violations(root) == [
        "services/orders.py:2: app.shop.routes (a blueprint, imported from below)"
    ]


def test_a_blueprint_importing_another_is_caught_also_as_from_package_import(tmp_path):
    root = synthetic_app(
        tmp_path,
        {
            "admin/routes.py": "from app import shop\nimport app.shop.routes\n",
            "labels.py": "from . import admin\n",
        },
    )
    assert violations(root) == [
        "admin/routes.py:1: app.shop (blueprint admin imports shop)",
        "admin/routes.py:2: app.shop.routes (blueprint admin imports shop)",
        "labels.py:1: app.admin (a blueprint, imported from below)",
    ]
