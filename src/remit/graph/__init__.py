"""The attack graph: where an attacker starts, how each weakness moves them on, and what they end up with.

``analyze(an)`` builds the graph (:mod:`remit.graph.build`) from the application's entry points,
IAM and the facts of the code and dependency stages (:mod:`remit.graph.hints`), searches it
(:mod:`remit.graph.search`) and returns the ranked :class:`~remit.findings.AttackPath` s with the part of the
graph they were found in (for the DOT, Mermaid and HTML exports). Nothing here raises on odd input: a model
value remit cannot read simply adds no edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from remit.analysis import Analysis
from remit.findings import AttackPath
from remit.graph.hints import CodeHint, HintKind
from remit.graph.model import EMPTY_GRAPH, AttackGraph, Edge, EdgeKind, Evidence, Node, NodeKind, Start

if TYPE_CHECKING:
    from remit.graph.build import Builder

__all__ = [
    "AttackGraph",
    "BlastItem",
    "CodeHint",
    "Edge",
    "EdgeKind",
    "Evidence",
    "GraphResult",
    "HintKind",
    "Node",
    "NodeKind",
    "Start",
    "analyze",
    "blast",
]


@dataclass(frozen=True, slots=True)
class BlastItem:
    """One thing a compromised function's credentials allow (or lead to), with why."""

    kind: str  # read, write, invoke, pass-role, update-code, escalate
    target: str  # what a person calls the target
    label: str


@dataclass(frozen=True)
class GraphResult:
    graph: AttackGraph = EMPTY_GRAPH
    paths: tuple[AttackPath, ...] = ()
    hops: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # path id -> the graph's node ids on it


EMPTY_RESULT = GraphResult()


def analyze(an: Analysis, hints: Iterable[CodeHint] = ()) -> GraphResult:
    """The ranked attack paths of the analysed application and the part of the graph they were searched in.
    Built from the model and the facts of the code, dependency and IAM stages only: findings (their
    severities, selection and suppressions) never change which paths exist."""
    from remit.graph.build import Builder  # noqa: PLC0415 - keeps `import remit.graph` light
    from remit.graph.search import search, to_attack_path  # noqa: PLC0415 - keeps `import remit.graph` light

    builder = Builder(an, hints)
    found = search(builder)
    paths = tuple(to_attack_path(builder, f) for f in found)
    hops = {p.id: f.nodes for p, f in zip(paths, found, strict=True)}
    return GraphResult(builder.graph(), paths, hops)


def blast(an: Analysis, hints: Iterable[CodeHint] = ()) -> dict[str, tuple[BlastItem, ...]]:
    """Each function's blast radius in the graph's terms (function logical id -> every edge out of its role:
    read, write, invoke, pass-role, update-code, escalate), for programs that embed remit. Reports show the
    IAM engine's view instead (:mod:`remit.iam.blast`); a scan does not compute this one, which expands every
    function's role whether or not an attacker reaches it."""
    from remit.graph.build import Builder  # noqa: PLC0415 - keeps `import remit.graph` light

    builder = Builder(an, hints)
    return {fn.logical_id: _blast(builder, builder.function(fn)) for fn in an.app.functions}


def _blast(builder: Builder, fn_node: str) -> tuple[BlastItem, ...]:
    """What the function's role allows once an attacker runs code in it (the role's outgoing edges)."""
    items: list[BlastItem] = []
    for runs_as in builder.expand(fn_node):
        for edge in builder.expand(runs_as.target):
            target = builder.nodes[edge.target]
            items.append(BlastItem(edge.kind.value, target.resource, edge.label))
    return tuple(sorted(items, key=lambda i: (i.kind, i.target, i.label)))



