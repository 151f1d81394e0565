"""Path search: from each starting point to each crown jewel, ranked by exploitability times impact.

For each starting point a best-first search (Dijkstra over ``-log(likelihood)``) finds the most likely way to
every position the attacker can reach; the graph grows as it goes (:meth:`Builder.expand`), so only what is
reachable is ever computed. A path ends with an edge that is worth something (``impact`` > 0: reading a data
store or secret, taking over another function, becoming administrator). Its score is

    score = start weight x product of the edges' likelihoods x the last edge's impact      (0-10)

ranks the paths. Their severity (:func:`severity_of`) is a band of two things kept apart, so that a sure way
to a modest prize and an uncertain way to the account never share a number by accident:

* **exploitability** — the start's weight times the product of the likelihoods: how surely the attacker gets
  there (likely ≥ 0.5, possible ≥ 0.25, unlikely ≥ 0.1, else remote);
* **impact** — what the last move gives: the account's administrator, a secret or customer data (9-10), a
  takeover of another function or a write to data (6-8), less (under 6).

| impact \\ exploitability | likely | possible | unlikely | remote |
|---|---|---|---|---|
| administrator, secret, customer data | critical | critical | high | medium |
| function takeover, data change | high | medium | low | low |
| queue, topic, bus, state machine | medium | low | low | low |

For each starting point and jewel only the
best path is kept; a path that is the beginning of another kept path is dropped (it says less), and the same
chain reached from two starting points is reported once, from the likelier one. The search visits each node
once per starting point (five at most), so its cost is linear in the reachable graph.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from dataclasses import dataclass

from remit.findings import AttackPath, PathStep, Severity
from remit.graph.build import Builder
from remit.graph.model import Edge, EdgeKind, NodeKind, Start

MAX_PATHS = 100  # reported paths, best first
MAX_VISITS = 20_000  # nodes one search may settle (a bound for pathological graphs)
# the moves (edge relaxations) the searches from one starting point may make, shared out evenly among its
# footholds: every function, user and role an attacker holds is searched, none crowds the others out
SEARCH_BUDGET = 300_000
MIN_FOOTHOLD_BUDGET = 500  # every foothold gets at least this many, however many there are
FOOTHOLD_SHARE = MAX_PATHS // 4  # paths of one foothold listed before every other foothold's have been
MIN_KEPT = 10  # paths kept per foothold at least (before duplicates and beginnings are dropped)
MAX_HOPS = 12  # hops a path may take beyond its foothold: longer chains add nothing a reader can act on

_VERB = {EdgeKind.READ: "can read", EdgeKind.WRITE: "can change", EdgeKind.INJECTS: "can read",
         EdgeKind.UPDATE_CODE: "can take over", EdgeKind.ESCALATE: "can become", EdgeKind.PASS_ROLE: "can become",
         EdgeKind.ASSUME: "can use"}


@dataclass(frozen=True, slots=True)
class Found:
    start: Start
    edges: tuple[Edge, ...]
    score: float
    foothold: str = ""  # the node the search went on from (a function, user or role); "" for one- or two-hop ends
    alternatives: int = 0  # other positions the same foothold reaches the same target from
    worth: float = 0.0  # what the last position is worth when its edge carries no impact (a broad role)

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.edges[0].source, *(e.target for e in self.edges))

    @property
    def impact(self) -> float:
        return self.edges[-1].impact or self.worth

    @property
    def severity(self) -> Severity:
        impact = self.impact
        return severity_of(self.score / impact if impact > 0 else 0.0, impact)


LIKELY, POSSIBLE, UNLIKELY = 0.5, 0.25, 0.1  # exploitability bands (below UNLIKELY: remote)
CROWN, MAJOR = 9.0, 6.0  # impact bands
_C, _H, _M, _L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
_BANDS = (  # [impact band][exploitability band]; band 0 is the highest
    (_C, _C, _H, _M),
    (_H, _M, _L, _L),
    (_M, _L, _L, _L),
)


def severity_of(exploitability: float, impact: float) -> Severity:
    """The severity band of a path (the table in this module's docstring)."""
    row = 0 if impact >= CROWN else 1 if impact >= MAJOR else 2
    column = 0 if exploitability >= LIKELY else 1 if exploitability >= POSSIBLE else \
        2 if exploitability >= UNLIKELY else 3
    return _BANDS[row][column]


Chain = tuple[Edge, ...]


def _dijkstra(builder: Builder, origin: str, reach0: float, prefix: Chain, budget: int, keep: int) \
        -> list[tuple[float, Chain, int]]:
    """The best path from ``origin`` (already reached with likelihood ``reach0`` by ``prefix``) to each of the
    ``keep`` best jewels it reaches within ``budget`` moves: (score, edges with the prefix, how many other
    positions reach that jewel too)."""
    best: dict[str, float] = {origin: 0.0}  # -log(likelihood) from origin
    via: dict[str, Edge] = {}
    heap: list[tuple[float, str]] = [(0.0, origin)]
    settled: set[str] = set()
    before = {e.source for e in prefix}
    endings: dict[str, tuple[float, str, Edge]] = {}  # jewel -> (score, tie-break, last edge)
    sources: dict[str, set[str]] = {}  # jewel -> the positions it was reached from
    hops: dict[str, int] = {origin: 0}
    moves = 0
    while heap and len(settled) < MAX_VISITS and moves < budget:
        cost, node = heapq.heappop(heap)
        if node in settled:
            continue
        settled.add(node)
        reach = reach0 * math.exp(-cost)
        for edge in builder.expand(node):
            moves += 1
            if edge.likelihood <= 0 or edge.target in before or edge.target == origin:
                continue
            impact = edge.impact or builder.worth(edge.target)
            if impact > 0 and not _on_path(via, node, edge.target):
                sources.setdefault(edge.target, set()).add(node)
                score = reach * edge.likelihood * impact
                tie = f"{node}>{edge.label}"
                current = endings.get(edge.target)
                if current is None or (-score, tie) < (-current[0], current[1]):
                    endings[edge.target] = (score, tie, edge)
            step = cost - math.log(edge.likelihood)
            if step < best.get(edge.target, math.inf) - 1e-12 and hops[node] < MAX_HOPS:
                best[edge.target] = step
                via[edge.target] = edge
                hops[edge.target] = hops[node] + 1
                heapq.heappush(heap, (step, edge.target))
    out = []
    best_first = sorted(endings.items(), key=lambda kv: (kv[0] != "admin", -kv[1][0], kv[1][1]))
    for jewel, (score, _, last) in best_first[:keep]:  # the administrator, then the best others
        chain = _chain(via, last.source, origin)
        if chain is not None:
            out.append((score, (*prefix, *chain, last), len(sources.get(jewel, ())) - 1))
    return out


def _footholds(builder: Builder, origin: str) -> tuple[list[tuple[float, Chain]], dict[str, tuple[float, Chain]]]:
    """From a starting point: the paths that end one or two hops away (a public store, an injectable query),
    and the best way into each function the attacker can run code in, or role whose credentials it gets (its
    foothold), directly."""
    ends: list[tuple[float, tuple[Edge, ...]]] = []
    holds: dict[str, tuple[float, tuple[Edge, ...]]] = {}

    def hold(likelihood: float, chain: tuple[Edge, ...]) -> None:
        fn = chain[-1].target
        current = holds.get(fn)
        if current is None or likelihood > current[0] + 1e-12:
            holds[fn] = (likelihood, chain)

    for first in builder.expand(origin):
        if first.impact > 0:
            ends.append((first.likelihood * first.impact, (first,)))
        if first.kind is EdgeKind.SHIPS or first.target.startswith(("role:", "user:")):
            hold(first.likelihood, (first,))  # a compromised package, a role the start may assume, a user's keys
        if first.kind is not EdgeKind.REACHES:
            continue
        for second in builder.expand(first.target):
            likelihood = first.likelihood * second.likelihood
            if second.impact > 0:
                ends.append((likelihood * second.impact, (first, second)))
            if second.kind in (EdgeKind.TRIGGERS, EdgeKind.ASSUME):
                hold(likelihood, (first, second))  # code in a function, or a role's credentials
    return ends, holds


def _search(builder: Builder, start: Start) -> list[Found]:
    origin = f"start:{start.value}"
    if origin not in builder.nodes:
        return []
    ends, holds = _footholds(builder, origin)
    # a principal that is administrator already implies everything else it reaches: only its admin path is kept
    found = [Found(start, chain, start.weight * score) for score, chain in ends
             if chain[-1].target == "admin" or _admin_hop(builder, chain[-1].source) < 1.0]
    ranked = sorted(holds.items(), key=lambda kv: (-kv[1][0], kv[0]))
    budget = max(MIN_FOOTHOLD_BUDGET, SEARCH_BUDGET // max(len(ranked), 1))
    keep = max(MIN_KEPT, MAX_PATHS // max(len(ranked), 1))  # no more than the list could show of one foothold
    for fn, (likelihood, prefix) in ranked:
        reached = _dijkstra(builder, fn, start.weight * likelihood, prefix, budget, keep)
        to_admin = any(edges[-1].target == "admin" for _, edges, _ in reached)
        for score, edges, alternatives in reached:
            worth = 0.0 if edges[-1].impact else builder.worth(edges[-1].target)
            # a role on the way that already makes the attacker administrator says it all: a role that *is*
            # administrator (everything it reaches is implied), or one that can become it, past the foothold's
            # own role (what that role reaches directly, without escalating, is kept)
            if to_admin and edges[-1].target != "admin":
                hops = [_admin_hop(builder, e.source) for e in edges[len(prefix):]]
                if max(hops) >= 1.0 or (len(edges) > len(prefix) + 2 and max(hops) > 0):
                    continue
            found.append(Found(start, edges, score, fn, alternatives, worth))
    return found


def _admin_hop(builder: Builder, node: str) -> float:
    """How surely the role at ``node`` makes the attacker administrator in one hop (0 when it cannot)."""
    if not node.startswith(("role:", "user:")):
        return 0.0
    return max((e.likelihood for e in builder.expand(node) if e.target == "admin"), default=0.0)


def _on_path(via: dict[str, Edge], node: str, target: str) -> bool:
    for _ in range(10_000):
        if node == target:
            return True
        edge = via.get(node)
        if edge is None:
            return False
        node = edge.source
    return False


def _chain(via: dict[str, Edge], node: str, origin: str) -> tuple[Edge, ...] | None:
    chain: list[Edge] = []
    while node != origin:
        edge = via.get(node)
        if edge is None or len(chain) > 10_000:
            return None
        chain.append(edge)
        node = edge.source
    return tuple(reversed(chain))


def _longest(candidates: list[Found]) -> list[Found]:
    """The candidates that are not the beginning of a longer one (which says more). In sorted order a sequence's
    extensions follow it directly, so one comparison with the next sequence decides: O(n log n) in the number
    of paths, however long they are (a chain of hundreds of roles stays cheap)."""
    keyed = sorted(((f.nodes[1:], n) for n, f in enumerate(candidates)), key=lambda kv: kv[0])
    dropped: set[int] = set()
    after: tuple[str, ...] | None = None  # the nearest following sequence that differs
    for i in range(len(keyed) - 1, -1, -1):
        key, n = keyed[i]
        if i + 1 < len(keyed) and keyed[i + 1][0] != key:
            after = keyed[i + 1][0]
        if after is not None and len(after) > len(key) and after[:len(key)] == key:
            dropped.add(n)
    return [f for n, f in enumerate(candidates) if n not in dropped]


def search(builder: Builder) -> list[Found]:
    """Every kept path, best first (at most :data:`MAX_PATHS`)."""
    found: list[Found] = []
    for start in Start:
        found.extend(_longest(_search(builder, start)))
    # each foothold's best path before any foothold's second at the same severity: a busy principal that reaches
    # hundreds of targets does not push every other foothold out of the list
    found.sort(key=lambda f: (-f.score, len(f.edges), list(Start).index(f.start), f.nodes))
    rank_in_foothold: dict[int, int] = {}
    seen_per_foothold: dict[tuple[Start, str], int] = {}
    for n, f in enumerate(found):
        held = (f.start, f.foothold or f.nodes[-1])
        rank_in_foothold[n] = seen_per_foothold.get(held, 0)
        seen_per_foothold[held] = rank_in_foothold[n] + 1
    # and no foothold takes more than a share of the list while others still have paths to show
    order = sorted(range(len(found)), key=lambda n: (rank_in_foothold[n] >= FOOTHOLD_SHARE,
                                                     -found[n].severity.rank, rank_in_foothold[n], n))
    found = [found[n] for n in order]
    seen: set[tuple[str, ...]] = set()
    unique: list[Found] = []
    for f in found:
        key = f.nodes[1:]
        if key in seen:
            continue
        seen.add(key)
        unique.append(f)
    return unique[:MAX_PATHS]


def to_attack_path(builder: Builder, found: Found) -> AttackPath:
    nodes = builder.nodes
    origin = nodes[found.edges[0].source]
    steps = [PathStep(origin.kind.value, origin.resource, origin.label)]
    for edge in found.edges:
        target = nodes[edge.target]
        steps.append(PathStep(target.kind.value, target.resource, edge.label, edge.location, target.location))
    last = found.edges[-1]
    jewel = nodes[last.target]
    functions = [nodes[e.target].resource for e in found.edges if nodes[e.target].kind is NodeKind.FUNCTION]
    principals = [f"{nodes[e.target].kind.value} {nodes[e.target].resource}" for e in found.edges[:-1]
                  if nodes[e.target].kind in (NodeKind.USER, NodeKind.ROLE)]
    via = functions or principals  # the functions it runs code in; else the users and roles it acts as
    through = f" through {', '.join(dict.fromkeys(via))}" if via else ""
    what = jewel.label if jewel.kind is not NodeKind.FUNCTION else f"function {jewel.resource}"
    verb = "can use" if jewel.kind in (NodeKind.ROLE, NodeKind.USER) else _VERB.get(last.kind, "can reach")
    summary = f"{found.start.description.split(' (')[0]} {verb} {what}{through}"
    digest = hashlib.sha256("\x1f".join(found.nodes).encode("utf-8")).hexdigest()[:12]
    return AttackPath(f"AP-{digest}", found.severity, summary, tuple(steps), round(found.score, 2),
                      alternatives=found.alternatives)


def line(path: AttackPath) -> str:
    """One line per path, as the expected-path files keep them: ``severity: kind:resource -> ...``."""
    return f"{path.severity.value}: " + " -> ".join(f"{s.kind}:{s.resource}" for s in path.steps)
