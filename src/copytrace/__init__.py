"""copytrace: find where news text was copied, what was changed, and who copied whom.

The Python API the CLI is a thin layer over::

    import copytrace
    result = copytrace.compare("original.txt", "copy.txt")      # or compare_texts(str, str)
    print(result.verdict, result.coverage_a, result.passages)
    summary = copytrace.scan(["articles/"], "workspace")         # writes Parquet tables
    summary = copytrace.add("workspace", ["today/"])             # as if scanned with the rest
    pairs = copytrace.Workspace("workspace").table("pairs")      # a pyarrow Table
    story = copytrace.trace_document(copytrace.Workspace("workspace"), "doc-id")  # its copy tree
"""

from .add import add
from .align import Passage
from .compare import Comparison, InputError, compare, compare_documents, compare_texts
from .export import export
from .read import Document, Reject, read_inputs
from .scan import ScanResult, scan
from .settings import Settings
from .trace import find_document, trace_document
from .workspace import Workspace

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
