"""The HTML report: one self-contained page that works offline (no CDN, no network, no external file).

* Summary by responsibility (code, dependencies, configuration, IAM) and by serverless risk category.
* The attack-path graph, laid out here as inline SVG (:func:`layout`): columns by how far into a path a node
  sits, rows ordered to keep edges short; clicking a path highlights its hops. Each path lists its hops with
  the evidence (file:line).
* Each function's blast radius, the findings with filters (severity, responsibility, category, text), and the
  diagnostics.

Safety: the page is rendered by Jinja2 with autoescaping on, so every string from the scanned application
(resource names, code snippets, advisory text) lands as text, in element content or quoted attributes; no
scanned data is ever placed inside a script. The only script is remit's own (``templates/report.js``), allowed
by a Content-Security-Policy that names its SHA-256 hash: even markup that slipped through could not run.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any

from remit.findings import Category, Finding, Responsibility, Severity
from remit.report.graph_export import drawing
from remit.result import ScanResult

NODE_W, NODE_H, COL_W, ROW_H, PAD = 190, 42, 250, 62, 20
MAX_DRAWN_PATHS = 40  # the graph draws the best paths; the list below it has them all


@dataclass(frozen=True, slots=True)
class Box:
    id: str
    kind: str
    resource: str
    short: str  # the resource shortened to fit the box
    label: str
    x: int
    y: int
    paths: str  # space-separated path ids through this node


@dataclass(frozen=True, slots=True)
class Arrow:
    d: str  # SVG path data
    kind: str
    label: str
    on_path: bool
    paths: str


@dataclass(frozen=True, slots=True)
class Layout:
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    width: int
    height: int


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_COLUMN = {"attacker": 0, "entry": 1, "function": 2, "role": 3, "user": 3, "data": 4, "secret": 4, "key": 4, "admin": 4}


def layout(result: ScanResult) -> Layout:
    """Five columns, one per kind of position: starting points, entry points, functions, roles, and what the
    attacker ends up with (data, secrets, keys, admin). A path reads left to right; a hop that goes back (a
    role rewriting another function) or sideways (a role passing another role) is drawn as an arc. Rows follow
    the average row of a node's neighbours (barycentre sweeps), which keeps crossings few."""
    hops = result.graph.hops if result.graph is not None else {}
    drawn = [p for p in result.active_paths[:MAX_DRAWN_PATHS] if p.id in hops]
    d = drawing(result, only_paths=True)
    nodes = {n.id: (nid, n) for nid, n in d.nodes}
    through: dict[str, list[str]] = defaultdict(list)
    pairs_paths: dict[tuple[str, str], list[str]] = defaultdict(list)
    columns: dict[int, list[str]] = defaultdict(list)
    for p in drawn:
        seq = [n for n in hops[p.id] if n in nodes]
        for node_id in seq:
            if node_id not in through:
                columns[_COLUMN.get(nodes[node_id][1].kind.value, 4)].append(node_id)
            through[node_id].append(p.id)
        for a, b in itertools.pairwise(seq):
            pairs_paths[(a, b)].append(p.id)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs_paths:
        neighbours[b].append(a)
        neighbours[a].append(b)
    row: dict[str, float] = {}
    for members in columns.values():
        members.sort(key=lambda n: (nodes[n][1].kind.value, nodes[n][1].resource))
        row.update({n: float(i) for i, n in enumerate(members)})
    order = sorted(columns)
    for sweep in (order, order[::-1], order):
        for col in sweep:
            members = columns[col]
            members.sort(key=lambda n: (sum(row[m] for m in neighbours[n]) / len(neighbours[n])
                                        if neighbours[n] else row[n], nodes[n][1].resource))
            row.update({n: float(i) for i, n in enumerate(members)})
    boxes = []
    pos: dict[str, tuple[int, int]] = {}
    for col, members in columns.items():
        for i, n in enumerate(members):
            x, y = PAD + col * COL_W, PAD + i * ROW_H
            pos[n] = (x, y)
            short_id, node = nodes[n]
            boxes.append(Box(short_id, node.kind.value, node.resource, _short(node.resource), node.label, x, y,
                             " ".join(dict.fromkeys(through[n]))))
    arrows = []
    labels = {(e.source, e.target): e for _, _, e, _ in d.edges}
    for (a, b), ids in sorted(pairs_paths.items()):
        (x1, y1), (x2, y2) = pos[a], pos[b]
        sx, sy = x1 + NODE_W, y1 + NODE_H // 2
        tx, ty = x2, y2 + NODE_H // 2
        if x1 == x2:  # sideways (a role passing another role): an arc out of the right-hand side
            bulge = x1 + NODE_W + 40 + abs(y2 - y1) // 8
            path_d = f"M{sx},{sy} C{bulge},{sy} {bulge},{ty} {sx},{ty}"
        elif x2 < x1:  # back (a role rewriting another function): from the bottom of one to the bottom of the other
            bx, by = x1 + NODE_W // 2, y1 + NODE_H
            ex, ey = x2 + NODE_W // 2, y2 + NODE_H
            dip = max(by, ey) + 30
            path_d = f"M{bx},{by} C{bx},{dip} {ex},{dip} {ex},{ey}"
        else:
            mid = (sx + tx) // 2
            path_d = f"M{sx},{sy} C{mid},{sy} {mid},{ty} {tx},{ty}"
        edge = labels.get((a, b))
        arrows.append(Arrow(path_d, edge.kind.value if edge else "", edge.label if edge else "", True,
                            " ".join(dict.fromkeys(ids))))
    width = PAD * 2 + (max(columns) * COL_W + NODE_W if columns else 200)
    height = PAD * 2 + max((len(m) for m in columns.values()), default=1) * ROW_H
    return Layout(tuple(sorted(boxes, key=lambda b: (b.x, b.y))), tuple(arrows), width, height)


def _asset(name: str) -> str:
    return resources.files("remit.report").joinpath("templates", name).read_text(encoding="utf-8")


def _finding_row(f: Finding) -> dict[str, Any]:
    return {"f": f, "sas": f.category.sas}


def render(result: ScanResult) -> str:
    import jinja2  # noqa: PLC0415 - only the HTML report needs it
    from markupsafe import Markup  # noqa: PLC0415 - loaded on first use: most scans never need it

    from remit.report import advisory_warning, blind_spots  # noqa: PLC0415 - loaded on first use: keeps importing this module light

    env = jinja2.Environment(
        loader=jinja2.DictLoader({"report.html": _asset("report.html.j2")}),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    script = _asset("report.js")
    style = _asset("report.css")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'; "
           "base-uri 'none'; form-action 'none'")
    by_resp = result.counts("responsibility")
    by_cat = result.counts("category")
    categories = [(c, by_cat.get(c.value, 0)) for c in Category]
    return env.get_template("report.html").render(
        result=result,
        advisory_warning=advisory_warning(result),
        other_blind_spots=[line for line in blind_spots(result) if line != advisory_warning(result)],
        csp=csp,
        script=Markup(script),  # remit's own code, hashed into the CSP above
        style=Markup(style),
        severities=list(Severity),
        responsibilities=[(r, by_resp.get(r.value, 0)) for r in Responsibility],
        categories=categories,
        findings=[_finding_row(f) for f in result.findings],
        paths=result.active_paths,
        graph=layout(result),
        node_w=NODE_W,
        node_h=NODE_H,
        blast=[(b, (("read", b.read), ("write", b.write), ("invoke", b.invoke), ("pass", b.passes)))
               for b in sorted(result.blast, key=lambda b: b.function)],  # as in JSON and text
    )
