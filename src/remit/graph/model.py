"""The attack graph as data: nodes, edges with their evidence, and the graph itself (all frozen).

A node is a *position* an attacker can hold: a starting point (anyone on the internet, an authenticated user
of the app, another AWS account, a compromised dependency, an insider, a leaked IAM user credential, a federated
identity, another workload of the app), an entry point (a route, a function
URL, a bucket / queue / topic / bus that invokes functions, a direct invocation), a *compromised* function
(attacker code runs with its credentials), a role whose permissions the attacker uses, a data store, secret or
key the attacker reads or changes, and the account's administrator. An edge says how the attacker moves from
one position to the next, how likely that is (0-1), what the move is worth when it is the last one (impact,
0-10), and the evidence: the template statement, the code flow, the advisory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from remit.source import SourceLocation


class NodeKind(StrEnum):
    ATTACKER = "attacker"
    ENTRY = "entry"
    FUNCTION = "function"
    ROLE = "role"
    USER = "user"
    DATA = "data"
    SECRET = "secret"
    KEY = "key"
    ADMIN = "admin"


class Start(StrEnum):
    """Where an attacker begins, with how likely an attacker holds that position (``weight``)."""

    INTERNET = "internet"
    AUTHENTICATED = "authenticated-user"
    OTHER_ACCOUNT = "other-account"
    SUPPLY_CHAIN = "supply-chain"
    INSIDER = "insider"
    LEAKED_CREDENTIALS = "leaked-credentials"
    FEDERATED = "federated-identity"
    WORKLOAD = "workload"

    @property
    def weight(self) -> float:
        return _START_WEIGHT[self]

    @property
    def description(self) -> str:
        return _START_TEXT[self]


_START_WEIGHT = {Start.INTERNET: 1.0, Start.OTHER_ACCOUNT: 0.9, Start.AUTHENTICATED: 0.8, Start.SUPPLY_CHAIN: 1.0,
                 Start.INSIDER: 0.15, Start.LEAKED_CREDENTIALS: 0.2, Start.FEDERATED: 0.6, Start.WORKLOAD: 0.2}
_START_TEXT = {
    Start.INTERNET: "anyone on the internet",
    Start.AUTHENTICATED: "any authenticated user of the app (Cognito, JWT, IAM or API-key callers)",
    Start.OTHER_ACCOUNT: "another AWS account (any account, when a resource policy names anyone)",
    Start.SUPPLY_CHAIN: "a compromised dependency (the package's author or whoever took it over)",
    Start.INSIDER: "an insider who can write to a bucket, queue, topic or bus that invokes a function",
    Start.LEAKED_CREDENTIALS: "someone holding a leaked access key or password of an IAM user of the app",
    Start.FEDERATED: "a user of an identity provider (OIDC, SAML) a role trusts",
    Start.WORKLOAD: "an attacker running code on one of the app's other workloads (an EC2 instance, a container "
                    "task, a build, a job)",
}


class EdgeKind(StrEnum):
    REACHES = "reaches"  # a starting point reaches an entry point (auth, resource policy)
    TRIGGERS = "triggers"  # an entry point runs attacker code in a function (injection, dependency)
    INJECTS = "injects"  # an entry point makes a function misuse its own access (SQL / NoSQL injection)
    SHIPS = "ships"  # a compromised dependency runs inside a function
    RUNS_AS = "runs-as"  # a compromised function acts with its role
    READ = "read"
    WRITE = "write"
    INVOKE = "invoke"
    PASS_ROLE = "pass-role"
    UPDATE_CODE = "update-code"
    ESCALATE = "escalate"
    ASSUME = "assume"  # a principal assumes a role whose trust policy lets it


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why an edge exists: one line of explanation and where it is written."""

    text: str
    location: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: NodeKind
    resource: str  # the logical id / principal as findings name it; the start's name ("internet")
    label: str  # one line: what the attacker holds here
    location: SourceLocation | None = None  # where the resource is defined (none for starts and admin)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    label: str  # one line, the hop explained
    likelihood: float  # 0-1: how surely the attacker makes this move
    impact: float = 0.0  # 0-10: what the move is worth when the path ends here (0: not an end)
    evidence: tuple[Evidence, ...] = ()

    @property
    def location(self) -> SourceLocation | None:
        return next((e.location for e in self.evidence if e.location is not None), None)


@dataclass(frozen=True)
class AttackGraph:
    nodes: Mapping[str, Node] = field(default_factory=dict)
    edges: tuple[Edge, ...] = ()


    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]


EMPTY_GRAPH = AttackGraph()
