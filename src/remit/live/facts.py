"""The join stage's contract: deployed resources placed at their template, and drift (see :mod:`remit.live.join`).

Computed once per scan (``api.analyze_later_stages``) and kept in the analysis as ``Analysis.live``; the
drift rule, the finding relocation and the attack-path relocation read it, none recomputes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from remit.model.resources import Resource, ResourceId


@dataclass(frozen=True)
class Placement:
    """Where a deployed resource is written: ``template`` is the template resource that made it (``exact``)
    or, for one that cannot carry the tag and has no single counterpart, the template resource it belongs to
    (a function for its extra permission, an API for its method). ``arn`` is the deployed resource's ARN
    (empty when it has none) and ``address`` its ``aws://`` address."""

    deployed: Resource
    template: Resource
    exact: bool
    arn: str = ""
    address: str = ""


@dataclass(frozen=True)
class Drift:
    """One security-relevant difference: ``template`` is where it is reported, ``deployed`` what differs."""

    kind: str  # one of DRIFT_KINDS
    template: Resource
    deployed: Resource
    message: str
    evidence: str


DRIFT_KINDS = ("function-url", "managed-policy", "resource-policy", "lambda-permission", "inline-policy",
               "trust", "route-auth", "environment", "runtime", "public-access-block")


@dataclass(frozen=True)
class LiveFacts:
    placements: Mapping[ResourceId, Placement] = field(default_factory=dict)  # deployed resource id -> placement
    drift: tuple[Drift, ...] = ()


NO_LIVE = LiveFacts()
