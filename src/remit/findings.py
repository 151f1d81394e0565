"""Findings: what every reported weakness carries, whichever part of remit found it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from remit.source import SourceLocation


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return _RANK[self]

    @property
    def score(self) -> str:
        """A CVSS-like score, as GitHub code scanning reads ``security-severity``."""
        return {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (use critical, high, medium or low)") from None


_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


class Category(StrEnum):
    """Where a weakness sits among the CSA "12 most critical risks for serverless applications"."""

    EVENT_INJECTION = "event-injection"
    BROKEN_AUTHENTICATION = "broken-authentication"
    INSECURE_CONFIGURATION = "insecure-configuration"
    PUBLIC_EXPOSURE = "public-exposure"
    OVER_PRIVILEGED = "over-privileged"
    PRIVILEGE_ESCALATION = "privilege-escalation"
    LOGGING_MONITORING = "logging-monitoring"
    VULNERABLE_DEPENDENCY = "vulnerable-dependency"
    SUPPLY_CHAIN = "supply-chain"
    SECRETS = "secrets"
    DENIAL_OF_SERVICE = "denial-of-service"
    BUSINESS_LOGIC = "business-logic"
    ERROR_HANDLING = "error-handling"
    OBSOLETE = "obsolete"
    CROSS_EXECUTION_PERSISTENCE = "cross-execution-persistence"

    @property
    def sas(self) -> str:
        return _SAS[self]


_SAS = {
    Category.EVENT_INJECTION: "SAS-1",
    Category.BROKEN_AUTHENTICATION: "SAS-2",
    Category.INSECURE_CONFIGURATION: "SAS-3",
    Category.PUBLIC_EXPOSURE: "SAS-3",
    Category.OVER_PRIVILEGED: "SAS-4",
    Category.PRIVILEGE_ESCALATION: "SAS-4",
    Category.LOGGING_MONITORING: "SAS-5",
    Category.VULNERABLE_DEPENDENCY: "SAS-6",
    Category.SUPPLY_CHAIN: "SAS-6",
    Category.SECRETS: "SAS-7",
    Category.DENIAL_OF_SERVICE: "SAS-8",
    Category.BUSINESS_LOGIC: "SAS-9",
    Category.ERROR_HANDLING: "SAS-10",
    Category.OBSOLETE: "SAS-11",
    Category.CROSS_EXECUTION_PERSISTENCE: "SAS-12",
}


class Responsibility(StrEnum):
    """The customer's share of the shared responsibility model a finding falls in."""

    CODE = "code"
    DEPENDENCIES = "dependencies"
    CONFIGURATION = "configuration"
    IAM = "iam"


class SuppressionKind(StrEnum):
    RESOURCE = "resource"  # Metadata: remit: ignore on the resource (SAM included)
    TEMPLATE = "template"  # Metadata: remit: ignore at the top of the template
    BASELINE = "baseline"  # listed in the --baseline file


@dataclass(frozen=True, slots=True)
class Suppression:
    kind: SuppressionKind
    reason: str
    location: SourceLocation | None = None  # where the suppression is written


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One step of a flow a finding follows (event source -> ... -> sink; grant -> grant -> escalation)."""

    location: SourceLocation
    label: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    title: str
    severity: Severity
    category: Category
    responsibility: Responsibility
    resource: str
    location: SourceLocation
    message: str
    remediation: str
    references: tuple[str, ...]
    fingerprint: str
    suppression: Suppression | None = None
    related: tuple[SourceLocation, ...] = ()
    flow: tuple[FlowStep, ...] = ()  # ordered steps, first to last (SARIF codeFlows)
    details: tuple[tuple[str, str], ...] = ()  # structured facts: ("advisory", "GHSA-..."), ("fixed", "6.0")
    construct: str = ""  # the CDK construct path of the resource (``OrdersStack/OrdersFunction``), "" elsewhere

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def sort_key(self) -> tuple[int, str, int, str, str]:
        return (-self.severity.rank, self.location.path, self.location.line, self.rule_id, self.message)


CDK_PATH = "aws:cdk:path"


def construct_of(metadata: object) -> str:
    """The construct a CDK resource was written as: its ``Metadata: aws:cdk:path`` without the ``/Resource``
    (or ``/Default``) leaf CDK adds for the CloudFormation resource inside a higher-level construct."""
    path = metadata.get(CDK_PATH) if isinstance(metadata, Mapping) else None
    if not isinstance(path, str) or not path.strip():
        return ""
    path = path.strip().strip("/")
    for leaf in ("/Resource", "/Default"):
        if path.endswith(leaf):
            return path[: -len(leaf)]
    return path


def fingerprint(rule_id: str, doc: str, resource: str, evidence: str) -> str:
    """Stable identity of a finding: rule, file, the author's resource and what distinguishes the hit —
    never a line number, so moving code around keeps baselines valid."""
    material = "\x1f".join((rule_id, doc, resource, " ".join(evidence.split())))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class PathStep:
    """One hop of an attack path: what kind of node, which resource, and why the attacker gets there.

    ``resource`` is the logical id, principal or Terraform address exactly as findings name it (an entry point
    names the resource the author wrote: the function whose event made the route, the bucket that invokes);
    ``evidence`` is where the move into this step comes from (the statement, the trigger, the sink line),
    ``location`` where the resource itself is defined; ``deployed`` the ARN (else the ``aws://`` address) of
    a deployed resource whose step points at the template that made it (``remit.live.join``), "" elsewhere."""

    kind: str
    resource: str
    label: str
    evidence: SourceLocation | None = None
    location: SourceLocation | None = None
    deployed: str = ""


@dataclass(frozen=True, slots=True)
class AttackPath:
    """A chain of weaknesses from an attacker's starting point to something worth having.

    ``id`` (``AP-`` and twelve hex digits) is the path's fingerprint: a digest of the positions it passes
    through (document and logical id of each, never a line), so it survives edits elsewhere; baselines and
    template-level ``ignore`` entries name it."""

    id: str
    severity: Severity
    summary: str
    steps: tuple[PathStep, ...]
    score: float = 0.0  # exploitability x impact (0-10), the ranking key
    suppression: Suppression | None = None
    alternatives: int = 0  # other positions the same foothold reaches the same target from (not listed)

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None
