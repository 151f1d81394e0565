"""RMT-IAM-036."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from remit.analysis import Analysis
from remit.findings import Category, FlowStep, Responsibility, Severity
from remit.iam import arns
from remit.iam.actions import AccessLevel, action_info, expand
from remit.iam.match import wildcard_match
from remit.loaders.sam_native.policies import template_document
from remit.model.policy import Policy
from remit.model.values import render
from remit.rules.base import Hit, rule
from remit.rules.iam._effective import (
    LOWER,
    WideGrant,
    listed,
    on_any_resource,
    principals,
    probes,
    whom,
)
from remit.rules.iam.credential_exposure import CREDENTIAL_ACTIONS
from remit.rules.iam.data_exfiltration import READ_ACTIONS
from remit.rules.iam.resource_exposure import EXPOSURE_ACTIONS

_SENSITIVE = frozenset(a.lower() for a in (*CREDENTIAL_ACTIONS, *EXPOSURE_ACTIONS,
                                           *(x for group in READ_ACTIONS.values() for x in group)))


@rule(
    id="RMT-IAM-036",
    title="SAM policy template given a wildcard name",
    severity=Severity.MEDIUM,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("The policy template looks scoped but grants its actions on every bucket, table, queue or secret of the "
            "account: code running as the function reaches data far beyond the one resource it was meant for."),
    remediation="Give the policy template the resource it is for: BucketName: !Ref UploadsBucket, "
                "TableName: !Ref OrdersTable, QueueName: !GetAtt JobsQueue.QueueName, SecretArn: !Ref Secret.",
    references=(
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-template-list.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A SAM policy template is given ``*`` (or a pattern as wide) for the resource it is meant to scope:
    ``S3ReadPolicy: {BucketName: "*"}``, ``DynamoDBCrudPolicy: {TableName: "*"}``,
    ``SQSPollerPolicy: {QueueName: "*"}``, ``AWSSecretsManagerGetSecretValuePolicy: {SecretArn: "*"}``.

    Policy templates look least-privileged, and reviewers pass them; with a wildcard name they grant the
    template's actions on every bucket, table, queue or secret of the account. remit reads the statements SAM
    generates from the template (kept at the template's line) and asks the IAM engine whether they reach a
    resource the template does not define, after explicit Deny and the permissions boundary. High when what
    they reach includes writes or reading data, secrets and credentials (``S3CrudPolicy``, ``S3ReadPolicy``,
    ``DynamoDBReadPolicy``); medium for other reads and lists. A template whose actions take no resource-level
    permission, or that has no parameter to give (``CloudWatchPutMetricPolicy: {}``, ``EC2DescribePolicy: {}``),
    is not reported, nor are actions a template grants on every resource by design whatever name it is given
    (``PollyFullAccessPolicy`` puts lexicons on ``lexicon/*``): remit expands the template with a specific
    name to tell them apart.

    One finding per principal, at the first such template, listing the templates, their parameters and the
    actions they reach. RMT-IAM-030..034 leave statements of policy templates to this rule; a role RMT-IAM-001
    reports gets no finding here.
    """
    known = an.effective
    for principal in principals(an):
        if an.effective.admin_statements(principal):
            continue
        granted = an.iam.granted(principal)  # by lower-case action, without making every Grant
        wide: list[tuple[Policy, str, tuple[str, ...], list[WideGrant]]] = []
        for policy in an.app.principal_policies(principal):
            nodes = {st.node for st in policy.statements}
            template = next((known.templates[n] for n in nodes if n in known.templates), None)
            if template is None or not template[1]:
                continue  # a template without parameters is written as AWS wrote it
            found: list[WideGrant] = []
            for st in policy.statements:
                if not st.allows:
                    continue
                for written in st.action_texts():
                    for action in expand(written):
                        if action.lower() not in granted or any(r.action == action for r in found):
                            continue
                        if action.lower() in designed_wide(template[0], template[1]):
                            continue  # the template grants it on every resource whatever the name
                        reach = on_any_resource(an, principal, action, templates=True)
                        if reach is not None and nodes & {s.node for s in reach.statements}:
                            found.append(reach)
            if found:
                wide.append((policy, template[0], template[1], found))
        if not wide:
            continue
        wide.sort(key=lambda item: an.app.locate(item[0].node))
        reaches = [r for *_, rs in wide for r in rs]
        high = any(r.action.lower() in _SENSITIVE or _writes(r.action) for r in reaches)
        severity = Severity.HIGH if high else Severity.MEDIUM
        if all(r.conditional for r in reaches):
            severity = LOWER[severity]
        parts = [f"{name} ({', '.join(params) or 'no parameters'}) reaches {listed([r.action for r in rs], 5)}"
                 for _, name, params, rs in wide]
        places = ", ".join(f"{loc.path}:{loc.line}" for loc in (an.app.locate(p.node) for p, *_ in wide))
        message = (f"{whom(an, principal)} is given SAM policy templates whose resource is a wildcard: "
                   f"{'; '.join(parts)} on every resource of the account. Granted at {places}.")
        flow = tuple(FlowStep(an.app.locate(p.node), f"{name} with a wildcard name") for p, name, _, _ in wide)
        details = (("principal", render(principal.name)), ("templates", ", ".join(n for _, n, _, _ in wide)),
                   ("actions", ", ".join(r.action for r in reaches)), ("statements", places))
        yield Hit(wide[0][0].node, message, principal.resource, evidence="sam-template-wildcard",
                  severity=severity, related=tuple(p.node for p, *_ in wide[1:]), flow=flow, details=details)


@cache
def designed_wide(name: str, params: tuple[str, ...]) -> frozenset[str]:
    """Actions (lower case) a SAM policy template grants on every resource even when given a specific name
    (``PollyFullAccessPolicy`` lists lexicons on ``lexicon/*``): the template is expanded with a sentinel name and
    its resources compared with each action's probe. Empty when the translator does not know the template."""
    try:
        expanded = template_document(name, dict.fromkeys(params, _SENTINEL))
    except Exception:  # noqa: BLE001 - an unknown template or translator change: nothing is designed-wide
        return frozenset()
    out: set[str] = set()
    for st in expanded.get("Statement", ()) if isinstance(expanded, dict) else ():
        if not isinstance(st, dict) or st.get("Effect", "Allow") != "Allow":
            continue
        patterns = [_pattern(r) for r in _listed(st.get("Resource"))]
        for written in _listed(st.get("Action")):
            for action in expand(str(written)):
                if any(wildcard_match(pat, probe) for pat in patterns for probe in probes(action)):
                    out.add(action.lower())
    return frozenset(out)


_SENTINEL = "remit-sentinel"
_SAMPLES = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": arns.ACCOUNT,
            "AWS::URLSuffix": "amazonaws.com"}


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _pattern(value: object) -> str:
    """A template resource (a string or ``Fn::Sub``) as a pattern, pseudo parameters as remit's samples."""
    variables: dict[str, str] = dict(_SAMPLES)
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        if isinstance(sub, list) and len(sub) == 2 and isinstance(sub[1], dict):
            variables.update({str(k): str(v) for k, v in sub[1].items()})
            sub = sub[0]
        value = sub
    if not isinstance(value, str):
        return _SENTINEL
    return re.sub(r"\$\{([^}]*)\}", lambda m: variables.get(m.group(1), _SENTINEL), value)


def _writes(action: str) -> bool:
    info = action_info(action)
    return info is not None and bool(info.levels & {AccessLevel.WRITE, AccessLevel.PERMISSIONS_MANAGEMENT})
