"""RMT-IAM-030."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.actions import AccessLevel, action_info, expand
from remit.model.entities import IamPrincipal
from remit.model.policy import PolicyKind, Statement
from remit.model.values import text
from remit.rules.base import Hit, rule
from remit.rules.iam._effective import WideGrant, counted, on_any_resource, principal_hit, principals
from remit.rules.iam.service_wildcard import SENSITIVE_SERVICES

_LEVELS = frozenset({AccessLevel.WRITE, AccessLevel.PERMISSIONS_MANAGEMENT})


def _left_to_003(pattern: str) -> bool:
    """A service-wide wildcard on a sensitive service (``s3:*``): RMT-IAM-003 reports it."""
    service, _, rest = pattern.partition(":")
    return bool(rest) and set(rest) == {"*"} and service.lower() in SENSITIVE_SERVICES


def _writes(action: str) -> bool:
    info = action_info(action)
    return info is not None and info.supports_resource_level and bool(info.levels & _LEVELS)


@rule(
    id="RMT-IAM-030",
    title="Wildcard action grants write or permissions management on every resource",
    severity=Severity.MEDIUM,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Code running as the principal can write to every resource the wildcard matches, other applications' "
            "included, with actions AWS adds later too; with permissions-management actions it also changes who else "
            "has access."),
    remediation="Replace the wildcard (svc:Put*, svc:*) with the actions the principal calls, and the resource "
                "\"*\" with the resources it calls them on.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """An identity statement uses an action wildcard (``sqs:Send*``, ``dynamodb:Put*``, ``cloudwatch:*``,
    ``ssm:*Parameter*``) that covers write or permissions-management actions, and the principal is allowed
    them on every resource.

    A wildcard grants every action that matches it today and every one AWS adds later; on every resource it
    reaches other applications' resources as well. Medium; high when the wildcard covers permissions-management
    actions (``*Policy``, ``*Permission``), which change who else has access.

    Only actions that can be scoped count: a wildcard whose matching write actions all lack resource-level
    permissions (``xray:Put*``) is not reported, since ``Resource: "*"`` is their only form. Service-wide
    wildcards on sensitive services (``s3:*``, ``iam:*``) are RMT-IAM-003's, ``Action: "*"`` RMT-IAM-001's
    (or RMT-IAM-003's when scoped). "Every resource" is judged by the IAM engine after explicit Deny and the
    permissions boundary, so a Deny that removes the wildcard's write actions, or a scoped ``Resource``, makes
    it a near miss. Only wildcards the author wrote count (inline and customer managed policies): an AWS managed
    policy is replaced, not edited (RMT-IAM-035 reports full-access ones). One finding per principal, at the
    first wildcard, listing the wildcards, the write actions they reach and every granting statement;
    conditional grants one level lower.
    """
    for principal in principals(an):
        if an.effective.admin_statements(principal):
            continue
        granted = an.iam.granted(principal)  # by lower-case action, without making every Grant
        found: dict[str, WideGrant] = {}
        patterns: list[str] = []
        pm = False
        for st in _statements(principal):
            if not counted(an, (st,)):
                continue
            for value in st.actions:
                pattern = (text(value) or "").strip()
                if "*" not in pattern or pattern in ("*", "*:*") or _left_to_003(pattern):
                    continue
                hit_any = False
                for action in expand(pattern):
                    if action.lower() not in granted or not _writes(action):
                        continue
                    reach = found.get(action) or on_any_resource(an, principal, action)
                    if reach is None or st.node not in {s.node for s in reach.statements}:
                        continue
                    found[action] = reach
                    hit_any = True
                    info = action_info(action)
                    pm = pm or (info is not None and AccessLevel.PERMISSIONS_MANAGEMENT in info.levels)
                if hit_any and pattern not in patterns:
                    patterns.append(pattern)
        if found:
            level = "write and permissions-management" if pm else "write"
            yield principal_hit(an, principal, list(found.values()),
                                what=f"use {', '.join(patterns)} for {level} on every resource",
                                why="gets every matching action, today's and future ones, on resources the "
                                    "application does not own.",
                                severity=Severity.HIGH if pm else Severity.MEDIUM, evidence="write-wildcard")


def _statements(principal: IamPrincipal) -> Iterator[Statement]:
    """The principal's own Allow statements (a user's group policies are the group's finding)."""
    for policy in principal.policies:
        if policy.kind in (PolicyKind.INLINE, PolicyKind.CUSTOMER_MANAGED):
            yield from (st for st in policy.statements if st.allows and not st.not_action)
