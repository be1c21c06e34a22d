"""The Python API for notebooks: ``copytrace.open`` gives every table as Arrow, pandas and polars,
and SQL over them through DuckDB; the example notebook in examples/ runs as written."""

import json
import shutil
from pathlib import Path

import pytest

import copytrace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    path = tmp_path_factory.mktemp("nb") / "ws"
    copytrace.scan([ROOT / "examples" / "cascades.jsonl"], path)
    return copytrace.open(path)


def test_every_table_as_arrow_pandas_and_polars(ws):
    assert {"documents", "pairs", "passages", "edits", "edges", "cascades", "sites", "site_edges", "rejects"} <= set(ws.names())
    arrow, pandas, polars = ws.table("pairs"), ws.pandas("pairs"), ws.polars("pairs")
    assert arrow.num_rows == len(pandas) == polars.height > 0
    assert list(pandas.columns) == arrow.column_names == polars.columns
    assert pandas["coverage_a"].tolist() == arrow.column("coverage_a").to_pylist()


def test_sql_sees_every_table_by_its_name(ws):
    documents = ws.sql("select count(*) from documents").fetchall()[0][0]
    assert documents == ws.table("documents").num_rows == 102
    joined = ws.sql("select d.site, count(*) as n from pairs p join documents d on d.doc_id = p.b_id group by d.site order by n desc").df()
    assert joined["n"].sum() == ws.table("pairs").num_rows


def test_open_says_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        copytrace.open(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="not a copytrace workspace"):
        copytrace.open(tmp_path / "empty")


def test_the_example_notebook_runs_as_written(tmp_path, monkeypatch):
    """Every code cell of examples/workspace-analysis.ipynb, in order, in one namespace, from the
    notebook's folder (a copy of it, with the bundled cascades beside it)."""
    for name in ("workspace-analysis.ipynb", "cascades.jsonl"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    notebook = json.loads((tmp_path / "workspace-analysis.ipynb").read_text())
    namespace: dict = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), "workspace-analysis.ipynb", "exec"), namespace)  # noqa: S102 - the repository's own notebook
    assert namespace["credit"].sum() == namespace["summary"].pairs["copy"]
    assert namespace["copiers"].height >= 5 and namespace["top_edges"]["copies"].iloc[0] >= 2
    assert namespace["story"]["edges"]
