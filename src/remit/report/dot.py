"""The attack graph in Graphviz DOT (``remit scan --format dot | dot -Tsvg > graph.svg``).

Every node and edge the graph holds is drawn; the hops of reported attack paths are bold and red. Labels are
quoted with backslashes, quotes and line breaks escaped, so a hostile resource name cannot end a label.
"""

from __future__ import annotations

from remit.report.graph_export import drawing
from remit.report.text import clean
from remit.result import ScanResult

_SHAPE = {"attacker": "octagon", "entry": "cds", "function": "box", "role": "hexagon", "user": "hexagon",
          "data": "cylinder", "secret": "cylinder", "key": "cylinder", "admin": "doubleoctagon"}
_FILL = {"attacker": "#fde2e1", "entry": "#fff3cd", "function": "#dbeafe", "role": "#ede9fe", "user": "#ede9fe",
         "data": "#dcfce7", "secret": "#fee2e2", "key": "#fef9c3", "admin": "#fecaca"}


def quote(value: str) -> str:
    flat = clean(value.replace("\r", " ").replace("\n", " "))
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(result: ScanResult) -> str:
    d = drawing(result)
    out = ["digraph remit_attack_graph {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10, '
           'style=filled];', '  edge [fontname="Helvetica", fontsize=8, color="#6b7280"];']
    for nid, node in d.nodes:
        kind = node.kind.value
        out.append(f"  {nid} [label={quote(f'{kind}: {node.resource}')}, tooltip={quote(node.label)}, "
                   f"shape={_SHAPE.get(kind, 'box')}, fillcolor={quote(_FILL.get(kind, '#ffffff'))}];")
    for src, dst, edge, on_path in d.edges:
        style = ', color="#dc2626", penwidth=2' if on_path else ""
        out.append(f"  {src} -> {dst} [label={quote(edge.kind.value)}, tooltip={quote(edge.label)}{style}];")
    out.append("}")
    return "\n".join(out) + "\n"
