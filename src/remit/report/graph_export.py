"""Shared by the graph exports (DOT, Mermaid, HTML): which nodes and edges to draw, and short ids for them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from remit.graph.model import AttackGraph, Edge, Node
from remit.result import ScanResult


@dataclass(frozen=True, slots=True)
class Drawing:
    """The graph to draw: nodes with short ids (``n0``...), edges, and which edges lie on a reported path."""

    nodes: tuple[tuple[str, Node], ...]
    edges: tuple[tuple[str, str, Edge, bool], ...]  # (source id, target id, edge, on a reported path)


def _path_pairs(result: ScanResult) -> set[tuple[str, str]]:
    """(source, target) node ids of every hop of every reported path."""
    hops = result.graph.hops if result.graph is not None else {}
    pairs: set[tuple[str, str]] = set()
    for path in result.active_paths:
        nodes = hops.get(path.id, ())
        pairs.update(itertools.pairwise(nodes))
    return pairs


def drawing(result: ScanResult, *, only_paths: bool = False) -> Drawing:
    graph = result.graph.graph if result.graph is not None else AttackGraph()
    on_path = _path_pairs(result)
    chosen = [e for e in graph.edges if not only_paths or (e.source, e.target) in on_path]
    used = {e.source for e in chosen} | {e.target for e in chosen}
    ordered = sorted((n for n in graph.nodes.values() if n.id in used or not only_paths),
                     key=lambda n: (n.kind.value != "attacker", n.id))
    ids = {n.id: f"n{i}" for i, n in enumerate(ordered)}
    edges = tuple((ids[e.source], ids[e.target], e, (e.source, e.target) in on_path) for e in chosen
                  if e.source in ids and e.target in ids)
    return Drawing(tuple((ids[n.id], n) for n in ordered), edges)
