"""copytrace: find where news text was copied, what was changed, and who copied whom.

The Python API the CLI is a thin layer over::

    import copytrace
    result = copytrace.compare("original.txt", "copy.txt")      # or compare_texts(str, str)
    print(result.verdict, result.coverage_a, result.passages)
    summary = copytrace.scan(["articles/"], "workspace")         # writes Parquet tables
    summary = copytrace.add("workspace", ["today/"])             # as if scanned with the rest
    ws = copytrace.open("workspace")                             # the tables, for a notebook
    ws.table("pairs"), ws.pandas("pairs"), ws.polars("pairs")     # Arrow, pandas, polars
    ws.sql("select site, count(*) from documents group by site").df()   # DuckDB over every table
    story = copytrace.trace_document(copytrace.Workspace("workspace"), "doc-id")  # its copy tree
"""

import importlib
import sys
import types

#: Where each name of the API lives: imported on first use, so that ``import copytrace`` (and every
#: CLI call, ``copytrace --help`` first) does not load the engine it does not need.
_API = {
    "add": "add", "Passage": "align", "Comparison": "compare", "InputError": "compare", "compare": "compare",
    "compare_documents": "compare", "compare_texts": "compare", "export": "export", "Document": "read", "Reject": "read",
    "read_inputs": "read", "ScanResult": "scan", "scan": "scan", "Settings": "settings", "find_document": "trace",
    "trace_document": "trace", "Workspace": "workspace", "open": "workspace",
}
#: API names that are another name in their module.
_RENAMED = {"open": "open_workspace"}


class _Package(types.ModuleType):
    """The package, whose API names stay the API's when a module of the same name is imported:
    ``copytrace.scan`` is the function, the module is ``sys.modules["copytrace.scan"]`` (importing
    ``copytrace.scan`` would otherwise set the package's ``scan`` to the module)."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and _API.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    if name in _API:
        value = getattr(importlib.import_module(f".{_API[name]}", __name__), _RENAMED.get(name, name))
        globals()[name] = value
        return value
    raise AttributeError(f"module 'copytrace' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})


__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "Document",
    "InputError",
    "Passage",
    "Reject",
    "ScanResult",
    "Settings",
    "Workspace",
    "add",
    "compare",
    "compare_documents",
    "compare_texts",
    "export",
    "find_document",
    "read_inputs",
    "scan",
    "trace_document",
]
