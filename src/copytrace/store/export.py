"""Exports of a workspace's two graphs, for Gephi, networkx and notebooks.

- the **site graph**: sites (nodes, with their ``sites`` statistics) and who copies whom (edges
  source site → copier site, from ``site_edges``: copies, credit, median delay);
- the **document graph**: the copy trees (nodes: documents in cascades and the inferred upstream
  nodes; edges: parent → child from ``edges`` with evidence, confidence, delay and credit).

``csv``, ``parquet`` and ``jsonl`` write four tables (``site_nodes``, ``site_edges``,
``document_nodes``, ``document_edges``); ``graphml`` and ``gexf`` write two graph files
(``sites.*``, ``documents.*``) that keep every attribute. Lists (a site's top sources) become
``"; "``-joined strings in the graph formats and in CSV.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from copytrace.settings import EXPORT_FORMATS
from copytrace.store.workspace import Workspace

FORMATS = EXPORT_FORMATS

#: Characters XML 1.0 cannot hold (article titles from the web do carry them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def graph_tables(ws: Workspace) -> dict[str, pa.Table]:
    """The four tables of the two graphs (nodes need an ``id``; edges ``source`` and ``target``)."""
    sites = ws.table("sites")
    site_nodes = sites.rename_columns(["id" if n == "site" else n for n in sites.column_names])
    site_edges = ws.table("site_edges")
    site_edges = site_edges.rename_columns(
        ["source" if n == "source_site" else "target" if n == "copier_site" else n for n in site_edges.column_names]
    )

    documents = ws.table("documents", columns=["doc_id", "site", "title", "url", "date", "crawled_at", "flags"])
    cascades = ws.table("cascades", columns=["cascade_id", "root", "inferred_upstream", "doc_ids"])
    edges = ws.table("edges")
    cascade_of = {}
    for c_id, members in zip(cascades.column("cascade_id").to_pylist(), cascades.column("doc_ids").to_pylist()):
        for m in members:
            cascade_of[m] = c_id
    roots = set(cascades.column("root").to_pylist())
    keep = [i for i, d in enumerate(documents.column("doc_id").to_pylist()) if d in cascade_of]
    members = documents.take(pa.array(keep, pa.int64()))
    ids = members.column("doc_id").to_pylist()
    doc_nodes = {
        "id": ids,
        "site": members.column("site").to_pylist(),
        "title": members.column("title").to_pylist(),
        "url": members.column("url").to_pylist(),
        "date": members.column("date").to_pylist(),
        "cascade_id": [cascade_of[d] for d in ids],
        "root": [d in roots for d in ids],
        "inferred": [False] * len(ids),
    }
    for c_id, root, inferred in zip(*(cascades.column(c).to_pylist() for c in ("cascade_id", "root", "inferred_upstream"))):
        if inferred:
            for key, value in (
                ("id", root), ("site", None), ("title", None), ("url", None), ("date", None), ("cascade_id", c_id), ("root", True), ("inferred", True),
            ):
                doc_nodes[key].append(value)
    document_edges = edges.rename_columns(["source" if n == "parent" else "target" if n == "child" else n for n in edges.column_names])
    return {
        "site_nodes": site_nodes,
        "site_edges": site_edges,
        "document_nodes": pa.table(doc_nodes),
        "document_edges": document_edges,
    }


def export(workspace: str | Path, fmt: str, out: str | Path) -> list[Path]:
    """Write the graphs of ``workspace`` in format ``fmt`` to the folder ``out``; the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    tables = graph_tables(Workspace(workspace))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt in ("graphml", "gexf"):
        write = _graphml if fmt == "graphml" else _gexf
        for name, (nodes, edges) in {"sites": ("site_nodes", "site_edges"), "documents": ("document_nodes", "document_edges")}.items():
            path = out / f"{name}.{fmt}"
            write(tables[nodes], tables[edges], path)
            written.append(path)
        return written
    for name, table in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            pq.write_table(table, path)
        elif fmt == "csv":
            pacsv.write_csv(_flat(table), path)
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in table.to_pylist())
        written.append(path)
    return written


def _flat(table: pa.Table) -> pa.Table:
    """Lists joined with ``"; "`` (CSV and graph files hold no lists)."""
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_list(column.type):
            columns[name] = pa.array(["; ".join(map(str, v)) if v is not None else None for v in column.to_pylist()], pa.string())
        else:
            columns[name] = column
    return pa.table(columns)


def _kind(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "long"
    if pa.types.is_floating(arrow_type):
        return "double"
    return "string"


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _attributes(table: pa.Table, skip: tuple[str, ...]) -> list[tuple[str, str]]:
    flat = _flat(table)
    return [(name, _kind(flat.schema.field(name).type)) for name in flat.column_names if name not in skip]


def _graphml(nodes: pa.Table, edges: pa.Table, path: Path) -> None:
    """GraphML (directed), every column an attribute (``<key>``); nulls are left out."""
    ET.register_namespace("", "http://graphml.graphdrawing.org/xmlns")
    root = ET.Element("{http://graphml.graphdrawing.org/xmlns}graphml")
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    keys = {}
    for domain, table, skip in (("node", nodes, ("id",)), ("edge", edges, ("source", "target"))):
        for name, kind in _attributes(table, skip):
            key = f"{domain[0]}_{name}"
            keys[domain, name] = key
            ET.SubElement(root, f"{ns}key", {"id": key, "for": domain, "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, f"{ns}graph", {"id": path.stem, "edgedefault": "directed"})
    for row in _flat(nodes).to_pylist():
        node = ET.SubElement(graph, f"{ns}node", {"id": _text(row["id"])})
        for name, value in row.items():
            if name != "id" and value is not None:
                ET.SubElement(node, f"{ns}data", {"key": keys["node", name]}).text = _text(value)
    for row in _flat(edges).to_pylist():
        edge = ET.SubElement(graph, f"{ns}edge", {"source": _text(row["source"]), "target": _text(row["target"])})
        for name, value in row.items():
            if name not in ("source", "target") and value is not None:
                ET.SubElement(edge, f"{ns}data", {"key": keys["edge", name]}).text = _text(value)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _gexf(nodes: pa.Table, edges: pa.Table, path: Path) -> None:
    """GEXF 1.2 (directed, what Gephi opens), every column an attribute; nulls are left out.
    Site edges are weighted by their number of copies."""
    ns = "http://www.gexf.net/1.2draft"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}gexf", {"version": "1.2"})
    graph = ET.SubElement(root, f"{{{ns}}}graph", {"defaultedgetype": "directed", "mode": "static"})
    ids = {}
    gexf_kind = {"long": "long", "double": "double", "boolean": "boolean", "string": "string"}
    for domain, table, skip in (("node", nodes, ("id",)), ("edge", edges, ("source", "target"))):
        block = ET.SubElement(graph, f"{{{ns}}}attributes", {"class": domain})
        for n, (name, kind) in enumerate(_attributes(table, skip)):
            ids[domain, name] = str(n)
            ET.SubElement(block, f"{{{ns}}}attribute", {"id": str(n), "title": name, "type": gexf_kind[kind]})
    node_block = ET.SubElement(graph, f"{{{ns}}}nodes")
    for row in _flat(nodes).to_pylist():
        node = ET.SubElement(node_block, f"{{{ns}}}node", {"id": _text(row["id"]), "label": _text(row.get("title") or row["id"])})
        values = ET.SubElement(node, f"{{{ns}}}attvalues")
        for name, value in row.items():
            if name != "id" and value is not None:
                ET.SubElement(values, f"{{{ns}}}attvalue", {"for": ids["node", name], "value": _text(value)})
    edge_block = ET.SubElement(graph, f"{{{ns}}}edges")
    for n, row in enumerate(_flat(edges).to_pylist()):
        attrs = {"id": str(n), "source": _text(row["source"]), "target": _text(row["target"])}
        if row.get("copies") is not None:
            attrs["weight"] = str(row["copies"])
        edge = ET.SubElement(edge_block, f"{{{ns}}}edge", attrs)
        values = ET.SubElement(edge, f"{{{ns}}}attvalues")
        for name, value in row.items():
            if name not in ("source", "target") and value is not None:
                ET.SubElement(values, f"{{{ns}}}attvalue", {"for": ids["edge", name], "value": _text(value)})
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
