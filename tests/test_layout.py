"""The package's layout follows the pipeline, and its imports go one way.

Read from the source (every ``import``, also those inside functions), so a circle made by a lazy
import counts: a stage that imports the job or the view that uses it cannot be read on its own.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "copytrace"
#: The pipeline's stages: each may use the ones before it and the store, never a job or a view.
STAGES = ("ingest", "match", "explain", "store")
USERS = ("jobs", "present", "cli")


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(("copytrace", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        found = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{name}: relative import of {node.module}"
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            found.update(m for m in modules if m.startswith("copytrace.") and m != name)
    return graph


def test_no_import_circles():
    graph = _imports()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    circles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == 1:
                circles.append(path[path.index(imported) :] + [imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def _part(module: str) -> str:
    """The part of the package a module is in (``copytrace.match.align`` → ``match``)."""
    return module.split(".")[1] if "." in module else ""


def test_stages_never_import_the_jobs_or_views_that_use_them():
    graph = _imports()
    wrong = [(module, imported) for module, imports in graph.items() if _part(module) in STAGES for imported in imports if _part(imported) in USERS]
    assert wrong == []
    assert {*STAGES, "jobs", "present"} <= {_part(m) for m in graph if m.count(".") >= 2}
