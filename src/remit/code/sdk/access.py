"""Whether a function's role lets a call through: the question the least-privilege rules ask of IAM.

The IAM engine (:mod:`remit.iam.engine`) answers: every identity policy, the permissions boundary, explicit
Deny, conditions and the target's resource policy. The role's own statements are then read a second time,
plainly (Allow / Deny with wildcards and resource patterns, the boundary): a refusal they contradict or cannot
confirm (a pattern such as ``${Bucket.Arn}/*`` the role allows in part, a name the code gives without its
account or region) becomes UNKNOWN, so remit claims a failing call only when both agree.

Resources are compared as the template writes them: ``${Bucket.Arn}/*`` and a SAM policy template's
``arn:${AWS::Partition}:s3:::${Bucket}/*`` are the same objects. A resource the code does not name (``*``)
is allowed when some statement allows the action on any resource at all: remit cannot tell which one the
code will touch, so it never claims such a call fails unless nothing grants the action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from remit.iam import arns
from remit.iam.engine import IamEngine
from remit.iam.match import statement_matches_action, wildcard_match
from remit.model.application import Application
from remit.model.entities import IamPrincipal
from remit.model.policy import Statement
from remit.model.values import Value, present_options, render


class Verdict(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"  # an explicit Deny
    NOT_ALLOWED = "not-allowed"  # nothing allows it (or the boundary does not)
    CONDITIONAL = "conditional"  # allowed only under conditions remit cannot decide
    UNKNOWN = "unknown"  # the resource could be one the role may or may not use


@dataclass(frozen=True, slots=True)
class Check:
    verdict: Verdict
    statements: tuple[Statement, ...] = ()  # the Deny statements when denied, the Allow ones when allowed


ANY = "*"


def check(iam: IamEngine, role: IamPrincipal, action: str, resource: Value) -> Check:
    """The verdict for one use. With the IAM engine, its answer wins, except that a refusal the role's own
    statements contradict or cannot confirm (a pattern such as ``${Bucket.Arn}/*`` the role allows in part)
    becomes UNKNOWN: a failure is claimed only when both agree."""
    local = _local_check(iam.app, role, action, resource)
    try:
        answer = _engine_check(iam, role, action, resource)
    except Exception:  # noqa: BLE001 - the engine is another part: a failure there leaves the local answer
        return local
    if answer.verdict in (Verdict.NOT_ALLOWED, Verdict.DENIED) and local.verdict in (
            Verdict.ALLOWED, Verdict.CONDITIONAL, Verdict.UNKNOWN):
        # the role's own statements allow it, or part of what the code may touch: not claimed
        return Check(Verdict.UNKNOWN, local.statements)
    return answer


def _engine_check(engine: IamEngine, role: IamPrincipal, action: str, resource: Value) -> Check:
    if resource == ANY:
        one = engine.grant(role, action)
        grants = [one] if one is not None else []
        if not grants:
            answer = engine.can(role, action, ANY)
            if str(answer.decision) == "denied":
                return Check(Verdict.DENIED, tuple(answer.denied_by))
            return Check(Verdict.NOT_ALLOWED)
        if all(g.conditional for g in grants):
            return Check(Verdict.CONDITIONAL, tuple(s for g in grants for s in g.statements))
        return Check(Verdict.ALLOWED, tuple(s for g in grants for s in g.statements))
    answer = engine.can(role, action, resource)
    decision = str(answer.decision)
    if decision == "allowed":
        return Check(Verdict.ALLOWED, tuple(answer.allowed_by))
    if decision == "denied":
        return Check(Verdict.DENIED, tuple(answer.denied_by))
    if decision == "conditional":
        return Check(Verdict.CONDITIONAL, tuple(answer.allowed_by))
    return Check(Verdict.NOT_ALLOWED)


# ------------------------------------------------------------------------------------------------
# the stand-in


_SAMPLE = {"${AWS::Partition}": "aws", "${AWS::Region}": "us-east-1", "${AWS::AccountId}": arns.ACCOUNT,
           "${AWS::URLSuffix}": "amazonaws.com"}

#: CloudFormation type -> (attribute whose value is the ARN, the ARN written from other attributes).
_ARN_FORMS = {
    "AWS::S3::Bucket": ("Arn", "arn:aws:s3:::${{{0}}}"),
    "AWS::DynamoDB::Table": ("Arn", "arn:aws:dynamodb:us-east-1:<account>:table/${{{0}}}"),
    "AWS::SQS::Queue": ("Arn", "arn:aws:sqs:us-east-1:<account>:${{{0}.QueueName}}"),
    "AWS::SNS::Topic": ("", "arn:aws:sns:us-east-1:<account>:${{{0}.TopicName}}"),
    "AWS::Lambda::Function": ("Arn", "arn:aws:lambda:us-east-1:<account>:function:${{{0}}}"),
    "AWS::Events::EventBus": ("Arn", "arn:aws:events:us-east-1:<account>:event-bus/${{{0}}}"),
    "AWS::KMS::Key": ("Arn", "arn:aws:kms:us-east-1:<account>:key/${{{0}}}"),
    "AWS::StepFunctions::StateMachine": ("", "arn:aws:states:us-east-1:<account>:stateMachine:${{{0}.Name}}"),
    "AWS::Kinesis::Stream": ("Arn", "arn:aws:kinesis:us-east-1:<account>:stream/${{{0}}}"),
}
_ARN_FORMS = {kind: (attribute, form.replace("<account>", arns.ACCOUNT))
              for kind, (attribute, form) in _ARN_FORMS.items()}
_SYMBOL = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}")


def canonical(app: Application, doc: str, value: Value) -> str:
    """A resource value as one comparable string: pseudo parameters as samples, a resource's ARN attribute
    (``${Bucket.Arn}``, ``${Topic}``) written out as the ARN built from its name (``arn:aws:s3:::${Bucket}``)."""
    shown = render(value)
    for token, sample in _SAMPLE.items():
        shown = shown.replace(token, sample)

    def expand(m: re.Match[str]) -> str:
        from remit.model.resources import ResourceId  # noqa: PLC0415

        res = app.resource(ResourceId(doc, m.group(1)))
        if res is None or res.type not in _ARN_FORMS:
            return m.group(0)
        attribute, form = _ARN_FORMS[res.type]
        if (m.group(2) or "") == attribute:
            return form.format(m.group(1))
        return m.group(0)

    return _SYMBOL.sub(expand, shown)


def _covers(pattern: str, needed: str) -> bool | None:
    """True: every resource ``needed`` stands for is in ``pattern``; False: none is; None: some may be."""
    if wildcard_match(pattern, needed):
        return True
    if "*" not in needed:
        return False
    head = needed.split("*", 1)[0]
    pattern_head = re.split(r"[*?]", pattern, maxsplit=1)[0]
    if pattern_head.startswith(head) or head.startswith(pattern_head):
        return None
    return False


def _statement_covers(app: Application, doc: str, st: Statement, needed: str) -> bool | None:
    if needed == ANY:
        return True
    best: bool | None = False
    for value in st.resources:
        for option in present_options(value):
            found = _covers(canonical(app, doc, option), needed)
            if found:
                return not st.not_resource
            if found is None:
                best = None
    if st.not_resource:
        return None if best is None else True
    return best


def _everywhere(st: Statement) -> bool:
    """A statement on every resource (a Deny of an unknown target only counts then)."""
    return st.not_resource or any(render(v).strip() == "*" for v in st.resources)


def _local_check(app: Application, role: IamPrincipal, action: str, resource: Value) -> Check:
    doc = role.id.doc
    needed = canonical(app, doc, resource)
    statements = [st for policy in app.principal_policies(role) for st in policy.statements]
    denies = [st for st in statements if not st.allows and statement_matches_action(st, action)
              and (_everywhere(st) if needed == ANY else _statement_covers(app, doc, st, needed) is True)]
    if any(not st.conditions for st in denies):
        return Check(Verdict.DENIED, tuple(st for st in denies if not st.conditions))
    allows: list[Statement] = []
    partial = False
    for st in statements:
        if not st.allows or not statement_matches_action(st, action):
            continue
        covered = _statement_covers(app, doc, st, needed)
        if covered:
            allows.append(st)
        elif covered is None:
            partial = True
    if role.boundary is not None and allows:
        bound = [st for st in role.boundary.statements if st.allows and statement_matches_action(st, action)]
        if not bound:
            return Check(Verdict.NOT_ALLOWED)
    if allows:
        if all(st.conditions for st in allows) or denies:
            return Check(Verdict.CONDITIONAL, tuple(allows))
        return Check(Verdict.ALLOWED, tuple(allows))
    return Check(Verdict.UNKNOWN if partial else Verdict.NOT_ALLOWED)
