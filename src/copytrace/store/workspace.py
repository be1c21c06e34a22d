"""The workspace: a folder of Parquet tables that every stage reads and writes.

Tables open in DuckDB, pandas, polars or Spark. Each is written to a temporary name and renamed into
place, so a run killed halfway never leaves a half-written table; ``manifest.json`` records which
stages finished, for which inputs and with which settings, so a new run can resume.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FORMAT_VERSION = 10  # 2: documents gained date_updated, extractor and flags; boilerplate table; 3: links;
# 4: date flags, direction columns of pairs, edges, cascades, sites, site_edges, settings;
# 5: documents written in parts (a folder), so that `add` appends without rewriting them;
# 6: documents gained site_name, pairs credit_kind; shared template lines; 7: documents gained lang;
# 8: pairs and passages gained match (lexical, translation, rewrite); 9: pairs gained
# story_similarity, story_links table; 10: sites gained languages and translated_copies, site_edges
# translated

#: Tables written as a folder of parts (``part-00000.parquet``, ...), read in the parts' order.
PARTED = ("documents",)

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema(
        [
            ("doc_id", pa.string()),
            ("source", pa.string()),
            ("line", pa.int64()),
            ("url", pa.string()),
            ("site", pa.string()),
            ("title", pa.string()),
            ("date", pa.string()),
            ("crawled_at", pa.string()),
            ("date_updated", pa.string()),
            ("site_name", pa.string()),
            ("extractor", pa.string()),
            ("lang", pa.string()),
            ("flags", pa.list_(pa.string())),
            ("links", pa.list_(pa.string())),
            ("chars", pa.int64()),
            ("text", pa.large_string()),
        ]
    ),
    "boilerplate_spans": pa.schema(
        [
            ("doc_id", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
        ]
    ),
    "edits": pa.schema(
        [
            ("a_id", pa.string()),
            ("b_id", pa.string()),
            ("kind", pa.string()),
            ("a_start", pa.int64()),
            ("a_end", pa.int64()),
            ("b_start", pa.int64()),
            ("b_end", pa.int64()),
            ("a_text", pa.string()),
            ("b_text", pa.string()),
        ]
    ),
    "pairs": pa.schema(
        [
            ("a_id", pa.string()),
            ("b_id", pa.string()),
            ("coverage_a", pa.float64()),
            ("coverage_b", pa.float64()),
            ("n_passages", pa.int32()),
            ("verdict", pa.string()),
            ("match", pa.string()),
            ("story_similarity", pa.float64()),
            ("shared_fingerprints", pa.int32()),
            ("own_a", pa.float64()),
            ("own_b", pa.float64()),
            ("credit", pa.string()),
            ("credit_id", pa.string()),
            ("credit_start", pa.int64()),
            ("credit_end", pa.int64()),
            ("credit_evidence", pa.string()),
            ("credit_kind", pa.string()),
            ("direction", pa.string()),
            ("direction_evidence", pa.string()),
            ("direction_confidence", pa.float64()),
            ("direction_detail", pa.string()),
            ("delay_seconds", pa.float64()),
            ("cascade_id", pa.int64()),
        ]
    ),
    "edges": pa.schema(
        [
            ("cascade_id", pa.int64()),
            ("parent", pa.string()),
            ("child", pa.string()),
            ("parent_site", pa.string()),
            ("child_site", pa.string()),
            ("inferred_parent", pa.bool_()),
            ("evidence", pa.string()),
            ("confidence", pa.float64()),
            ("parent_confidence", pa.float64()),
            ("detail", pa.string()),
            ("delay_seconds", pa.float64()),
            ("delay_after_origin_seconds", pa.float64()),
            ("credit", pa.string()),
            ("distance_chars", pa.int64()),
        ]
    ),
    "cascades": pa.schema(
        [
            ("cascade_id", pa.int64()),
            ("root", pa.string()),
            ("root_site", pa.string()),
            ("inferred_upstream", pa.bool_()),
            ("root_evidence", pa.string()),
            ("members", pa.int64()),
            ("sites", pa.int64()),
            ("depth", pa.int64()),
            ("first_date", pa.string()),
            ("last_date", pa.string()),
            ("span_seconds", pa.float64()),
            ("doc_ids", pa.list_(pa.string())),
            ("lifted_into", pa.list_(pa.string())),
        ]
    ),
    "sites": pa.schema(
        [
            ("site", pa.string()),
            ("articles", pa.int64()),
            ("in_cascades", pa.int64()),
            ("originated", pa.int64()),
            ("first_carrier", pa.int64()),
            ("copies", pa.int64()),
            ("copies_of_other_sites", pa.int64()),
            ("copied_share", pa.float64()),
            ("copied_by_others", pa.int64()),
            ("translated_copies", pa.int64()),
            ("partial_reuse", pa.int64()),
            ("partially_reused_by_others", pa.int64()),
            ("credited", pa.int64()),
            ("credit_rate", pa.float64()),
            ("delay_median_seconds", pa.float64()),
            ("delay_p10_seconds", pa.float64()),
            ("delay_p90_seconds", pa.float64()),
            ("delay_histogram", pa.list_(pa.int64())),
            ("top_sources", pa.list_(pa.string())),
            ("top_copiers", pa.list_(pa.string())),
            ("languages", pa.list_(pa.string())),
        ]
    ),
    "site_edges": pa.schema(
        [
            ("source_site", pa.string()),
            ("copier_site", pa.string()),
            ("copies", pa.int64()),
            ("credited", pa.int64()),
            ("credit_rate", pa.float64()),
            ("delay_median_seconds", pa.float64()),
            ("partial", pa.int64()),
            ("translated", pa.int64()),
        ]
    ),
    "settings": pa.schema(
        [
            ("name", pa.string()),
            ("value", pa.string()),
            ("stage", pa.string()),
        ]
    ),
    "passages": pa.schema(
        [
            ("a_id", pa.string()),
            ("b_id", pa.string()),
            ("a_start", pa.int64()),
            ("a_end", pa.int64()),
            ("b_start", pa.int64()),
            ("b_end", pa.int64()),
            ("similarity", pa.float64()),
            ("match", pa.string()),
        ]
    ),
    "boilerplate": pa.schema(
        [
            ("site", pa.string()),
            ("text_block", pa.string()),
            ("pages_seen", pa.int64()),
        ]
    ),
    "story_links": pa.schema(
        [
            ("a_id", pa.string()),
            ("b_id", pa.string()),
            ("story_similarity", pa.float64()),
        ]
    ),
    "rejects": pa.schema(
        [
            ("source", pa.string()),
            ("line", pa.int64()),
            ("reason", pa.string()),
            ("outcome", pa.string()),
            ("doc_id", pa.string()),
        ]
    ),
}


#: For the crash tests (tests/test_resume.py, benchmarks/reliability.py): when set, the process
#: kills itself (SIGKILL, as a crash or ``kill -9`` would) at that durable step of its run, counted
#: from 1. Every rename of a finished file into place, manifest saved and file removed is a step,
#: so trying each number proves a run stopped at any step resumes to the same tables.
KILL_AT_STEP = int(os.environ.get("COPYTRACE_KILL_AT_STEP") or 0)
_steps_taken = 0


def durable_step() -> None:
    """Mark a change to the workspace on disk as done (a step :data:`KILL_AT_STEP` may stop at)."""
    global _steps_taken
    _steps_taken += 1
    if _steps_taken == KILL_AT_STEP:
        os.kill(os.getpid(), signal.SIGKILL)


def steps_taken() -> int:
    """How many durable steps this process has taken (the crash tests try each one)."""
    return _steps_taken


class Workspace:
    """A workspace folder. ``Workspace(path).table("pairs")`` is a pyarrow Table; ``pandas``,
    ``polars`` and ``sql`` give the same tables as pandas and polars DataFrames and through DuckDB
    (see docs/python.md)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def names(self) -> list[str]:
        """The tables the workspace holds (of the contract's: ``documents``, ``pairs``...)."""
        return [name for name in SCHEMAS if self.has(name)]

    def pandas(self, name: str, columns: list[str] | None = None):
        """A table as a pandas DataFrame (``pip install pandas``)."""
        _need("pandas")
        return self.table(name, columns).to_pandas()

    def polars(self, name: str, columns: list[str] | None = None):
        """A table as a polars DataFrame (``pip install polars``)."""
        polars = _need("polars")
        return polars.from_arrow(self.table(name, columns))

    def sql(self, query: str):
        """A DuckDB relation of ``query`` over the workspace, where every table is a view by its
        name (``select site, count(*) from documents group by site``): ``.df()``, ``.pl()`` and
        ``.arrow()`` give it as pandas, polars or Arrow (``pip install duckdb``)."""
        duckdb = _need("duckdb")
        if self._duckdb is None:
            self._duckdb = duckdb.connect()
            for name in self.names():
                files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in self.part_paths(name))
                self._duckdb.execute(f"create view {name} as select * from read_parquet([{files}])")
        return self._duckdb.sql(query)

    _duckdb = None

    def table_path(self, name: str) -> Path:
        """The file of a table (for a table written in parts, :data:`PARTED`, its folder)."""
        return self.path / (name if name in PARTED else f"{name}.parquet")

    def part_paths(self, name: str) -> list[Path]:
        """The files of a table in order: its parts, or the one file."""
        path = self.table_path(name)
        if name not in PARTED:
            return [path] if path.exists() else []
        return sorted(path.glob("part-*.parquet")) if path.is_dir() else []

    def part_path(self, name: str, number: int) -> Path:
        """Where part ``number`` of a table written in parts goes."""
        return self.table_path(name) / f"part-{number:05d}.parquet"

    def has(self, name: str) -> bool:
        return bool(self.part_paths(name))

    def columns(self, name: str) -> list[str]:
        """The columns a table has (a workspace of an older copytrace may lack newer ones)."""
        paths = self.part_paths(name)
        return pq.read_schema(paths[0]).names if paths else []

    def table(self, name: str, columns: list[str] | None = None) -> pa.Table:
        """Read a table (all columns unless ``columns`` is given)."""
        paths = self.part_paths(name)
        if not paths:
            raise FileNotFoundError(f"{self.path} has no {name!r} table (run `copytrace scan` first)")
        if len(paths) == 1:
            return pq.read_table(paths[0], columns=columns)
        return pa.concat_tables([pq.read_table(path, columns=columns) for path in paths])

    def write(self, name: str, table: pa.Table) -> None:
        """Write a table atomically: to a temporary file, then renamed over the old one."""
        self.path.mkdir(parents=True, exist_ok=True)
        schema = SCHEMAS.get(name)
        if schema is not None:
            table = table.select(schema.names).cast(schema)
        final = self.table_path(name)
        temporary = final.with_name(f".{final.name}.tmp")
        pq.write_table(table, temporary, compression="zstd")
        os.replace(temporary, final)
        durable_step()

    def apply_staged(self) -> None:
        """Move what an ``add`` staged (``index/increment/staged``, recorded in the manifest) into
        place, each file by a rename: running this again after a stop moves what is left."""
        staged = self.path / "index" / "increment" / "staged"
        if not staged.exists():
            return
        for path in sorted(p for p in staged.rglob("*") if p.is_file()):
            target = self.path / path.relative_to(staged)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            durable_step()
        shutil.rmtree(staged)
        durable_step()

    def remove_strays(self) -> None:
        """Remove the temporary files a run stopped halfway left (``.name.tmp``: a table, a
        manifest or an index file being written when it stopped). Only the run that was writing
        them would have renamed them into place, and it is gone."""
        if not self.path.is_dir():
            return
        for folder in (self.path, self.path / "documents", self.path / "index", *(p for p in (self.path / "index").glob("*") if p.is_dir())):
            for stray in folder.glob(".*.tmp*"):
                if stray.is_dir():
                    shutil.rmtree(stray, ignore_errors=True)
                else:
                    stray.unlink(missing_ok=True)

    # --- manifest -------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict:
        """What finished, for which inputs, with which settings ({} for a new workspace)."""
        try:
            data = json.loads(self.manifest_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return data if data.get("format") == FORMAT_VERSION else {}

    def save_manifest(self, data: dict) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT_VERSION, **data}
        temporary = self.manifest_path.with_name(".manifest.json.tmp")
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True))
        os.replace(temporary, self.manifest_path)
        durable_step()


def _need(module: str):
    """An optional library the notebook API uses, or a clear error naming how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"this needs {module}: pip install {module} (or pip install 'copytrace[notebook]')") from None


def open_workspace(path: str | os.PathLike) -> Workspace:
    """A workspace written by ``copytrace scan``, to read in a notebook: ``.table(name)`` (Arrow),
    ``.pandas(name)``, ``.polars(name)``, ``.sql(query)``. Raises FileNotFoundError with the reason
    when ``path`` is not one."""
    ws = Workspace(path)
    if not ws.path.is_dir():
        raise FileNotFoundError(f"{ws.path}: no such folder (write a workspace with `copytrace scan INPUT --out {ws.path}`)")
    if not ws.has("documents"):
        raise FileNotFoundError(f"{ws.path} is not a copytrace workspace: it has no documents table (run `copytrace scan` first)")
    return ws


def rows_to_table(name: str, rows: list[dict]) -> pa.Table:
    """A list of row dicts as a table with the workspace schema of ``name``."""
    return pa.Table.from_pylist(rows, schema=SCHEMAS[name])


def save_npz(path: Path, arrays: dict) -> None:
    """Arrays saved atomically (a temporary name, then renamed): a file of ``index/`` is always
    whole, so a stop never leaves one half-written, and a hard link to it keeps its content."""
    temporary = path.with_name(f".{path.name}.tmp.npz")
    np.savez(temporary, **arrays)
    os.replace(temporary, path)
    durable_step()


def doc_numbers(ids, all_ids) -> np.ndarray:
    """The number (row) of each of ``ids`` among ``all_ids`` (the ``doc_id`` column of
    ``documents``), -1 where absent. Joined in Arrow on a hash table of the distinct ``ids``, which
    are few: one of every document costs 5 times as much (0.15 s at a million), a Python dict 10."""
    wanted = ids.unique()
    place = pa.compute.fill_null(pa.compute.index_in(all_ids, value_set=wanted), -1).to_numpy(zero_copy_only=False)
    number = np.full(len(wanted), -1, np.int64)
    docs = np.flatnonzero(place >= 0)
    number[place[docs]] = docs
    return number[pa.compute.index_in(ids, value_set=wanted).to_numpy(zero_copy_only=False).astype(np.int64)]
