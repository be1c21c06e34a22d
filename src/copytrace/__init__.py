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
    stories = copytrace.stories("workspace")                     # after scan with Settings(meaning=True)

The package follows the pipeline: ``ingest`` (inputs into documents), ``match`` (documents into
aligned, scored pairs), ``explain`` (edits, credit, who copied whom), ``store`` (the workspace's
tables), ``present`` (report, app, terminal views) and ``jobs`` (the stages wired together:
compare, scan, add, Spark); ``kernels`` loads the compiled code, ``settings`` holds the knobs.
"""

import importlib

#: Where each name of the API lives: imported on first use, so that ``import copytrace`` (and every
#: CLI call, ``copytrace --help`` first) does not load the engine it does not need.
_API = {
    "add": "jobs.add", "Passage": "match.align", "Comparison": "jobs.compare", "InputError": "jobs.compare",
    "compare": "jobs.compare", "compare_documents": "jobs.compare", "compare_texts": "jobs.compare",
    "export": "store.export", "Document": "ingest.records", "Reject": "ingest.records", "read_inputs": "ingest.read",
    "ScanResult": "jobs.scan", "scan": "jobs.scan", "Settings": "settings", "find_document": "present.trace",
    "trace_document": "present.trace", "Workspace": "store.workspace", "open": "store.workspace", "stories": "jobs.stories",
}
#: API names that are another name in their module.
_RENAMED = {"open": "open_workspace"}


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
    "stories",
    "trace_document",
]
