"""RMT-PERM-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.sdk.catalog import expand
from remit.code.sdk.usage import Usage
from remit.diagnostics import Diagnostic, Level
from remit.findings import Category, FlowStep, Responsibility, Severity
from remit.iam.match import wildcard_match
from remit.model.entities import Function, Role
from remit.model.policy import PolicyDocument
from remit.model.resources import ResourceId
from remit.model.values import Unknown, text
from remit.rules.base import Hit, rule
from remit.rules.iam._grants import WrittenGrant, action_node, denied_to_all, describe_principals, grants

SHOWN = 8  # used actions listed in a message before "and N more"


def not_assessed(an: Analysis) -> Iterator[Diagnostic]:
    """An INFO diagnostic per analysed function whose unused permissions this rule could not assess, and why
    (code not analysed at all is the code stage's to say)."""
    app = an.app
    for fn in app.functions:
        if app.role_of(fn) is None:
            continue
        code = an.code.of(fn.id)
        if code is None or isinstance(code.handler, Unknown):
            continue  # code not analysed, or no handler: the code stage says so where it matters
        found = an.usage[fn.id]
        if found.complete and not found.wrapped:
            continue
        if found.complete:
            services = sorted({s for _, some in found.wrapped for s in some})
            libraries = ", ".join(library for library, _ in found.wrapped)
            message = (f"{fn.display}: unused permissions of {', '.join(services)} not assessed (RMT-PERM-001): "
                       f"it imports {libraries}, which call{'s' if len(found.wrapped) == 1 else ''} them with the "
                       "role")
        else:
            message = (f"{fn.display}: unused permissions not assessed (RMT-PERM-001): "
                       + "; ".join(found.gaps[:3]) + (" ..." if len(found.gaps) > 3 else ""))
        yield Diagnostic(fn.resource.doc, Level.INFO, "perm-not-assessed", message, app.locate(fn.node).line)


@rule(
    id="RMT-PERM-001",
    title="Permission granted to a function but never used by its code",
    severity=Severity.MEDIUM,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("An attacker who gets code execution in the function (an injection, a compromised dependency) gets every "
            "permission the code never uses for free: access the application does not need becomes theirs."),
    remediation="Remove the actions the code does not use, or replace the statement with the least-privilege "
                "policy `remit policy PATH --function NAME --format sam` prints (the actions the code calls, "
                "scoped to the resources it names).",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250", "CWE-272"),
    notes=not_assessed,
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A function role's policy allows actions that none of the functions using the role ever calls.

    remit reads each function's code, maps every AWS SDK call to the IAM actions it needs (``HeadObject`` is
    ``s3:GetObject``, ``ListObjectsV2`` is ``s3:ListBucket``, a PartiQL ``SELECT`` is
    ``dynamodb:PartiQLSelect``...), adds what the Lambda service does with the role on the function's behalf
    (writing logs, polling an SQS / Kinesis / DynamoDB stream trigger, X-Ray traces, VPC network interfaces,
    dead-letter and destination deliveries), and compares the result with every Allow statement of the
    role's identity policies. An action pattern none of those uses is reported; a wildcard that covers a
    used action but also much more (``s3:*`` for one ``s3:PutObject``) is reported with what the code
    actually uses. An attacker who gets code execution in the function (a dependency, an injection) gets
    every unused permission for free.

    The rule stays silent unless it can be sure: every function using the role must have had its code fully
    analysed — code found, no call whose service or operation the code computes (``getattr(client, op)``),
    no call on a receiver remit cannot attribute to one service, no layers, no library that calls AWS by
    itself. A role used by anything else in the template (a state machine, a user), by no function, or that
    anyone but Lambda may assume (its trust policy) is not assessed, and neither are statements whose
    actions are computed at deployment, actions every principal is denied anyway, or services with a call
    whose IAM action remit only guessed. ``remit policy`` prints, per function, why an analysis is
    incomplete.

    One finding per statement, at its ``Action`` (at the one unused item of a list when there is one), with
    the unused patterns and the used actions in ``details``.
    """
    table = an.usage
    state_machine_roles = {sm.role_id for sm in an.app.state_machines if sm.role_id is not None}
    for grant in grants(an):
        fns = _functions(an, grant, state_machine_roles)
        if not fns:
            continue
        uses = [table[fn.id] for fn in fns if fn.id in table]
        if len(uses) != len(fns) or not all(u.complete for u in uses):
            continue
        used = sorted(frozenset().union(*(u.actions() for u in uses)))
        guessed = frozenset().union(*(u.unknown_prefixes for u in uses))
        st = grant.statement
        if st.not_action:
            continue  # "everything but": RMT-IAM-001 reports it; the unused part is everything else
        unused: list[tuple[int, str, list[str]]] = []
        for position, value in enumerate(st.actions):
            pattern = text(value)
            if pattern is None:
                break  # an action computed at deployment: the statement cannot be judged
            prefix = pattern.partition(":")[0].lower()
            if prefix in guessed or (pattern.strip() in ("*", "*:*") and guessed):
                continue
            covered = [a for a in used if wildcard_match(pattern, a)]
            wide = "*" in pattern or "?" in pattern
            if covered and not wide:
                continue
            if not covered and not wide and denied_to_all(an, grant.principals, pattern):
                continue
            if covered and wide and _is_exact(pattern, covered):
                continue
            unused.append((position, pattern, covered))
        else:
            if unused:
                yield _hit(an, grant, fns, unused, used, uses)


def _functions(an: Analysis, grant: WrittenGrant, skip_roles: set[ResourceId]) -> list[Function]:
    """The functions whose use decides this statement: every principal must be a role of functions only."""
    fns: list[Function] = []
    for rid in grant.principals:
        role = an.app.role(rid)
        if role is None or rid in skip_roles:
            return []
        using = an.app.functions_using_role(role)
        if not using or not _lambda_only(role):
            return []
        fns.extend(f for f in using if f not in fns)
    return fns


_LAMBDA_SERVICES = frozenset({"lambda.amazonaws.com", "edgelambda.amazonaws.com"})


def _lambda_only(role: Role) -> bool:
    """The trust policy lets only Lambda assume the role (anyone else could use what the code does not)."""
    if not isinstance(role.trust, PolicyDocument):
        return False
    for st in role.trust.statements:
        if not st.allows:
            continue
        for principal in st.principals:
            if principal.kind != "Service" or text(principal.value) not in _LAMBDA_SERVICES:
                return False
    return True


def _is_exact(pattern: str, covered: list[str]) -> bool:
    """A wildcard that covers nothing but the used actions (``sqs:SendMessage*`` for the SendMessage the code
    uses is as tight as a list): decided from the action catalog when it is available."""
    every = expand(pattern)
    if not every or len(every) > len(covered):  # more actions than the code uses (``*``): not exact
        return False
    return {a.lower() for a in every} <= {c.lower() for c in covered}


def _hit(an: Analysis, grant: WrittenGrant, fns: list[Function], unused: list[tuple[int, str, list[str]]],
         used: list[str], uses: list[Usage]) -> Hit:
    st = grant.statement
    whom = describe_principals(an, grant.principals)
    names = ", ".join(f.display for f in fns)
    plain = [p for _, p, covered in unused if not covered]
    wide = [(p, covered) for _, p, covered in unused if covered]
    parts = [", ".join(plain)] if plain else []
    for pattern, covered in wide:
        shown = ", ".join(covered[:SHOWN]) + (f" and {len(covered) - SHOWN} more" if len(covered) > SHOWN else "")
        parts.append(f"{pattern} (of which the code uses only {shown})")
    message = (f"The {grant.policy_label()} gives {whom} actions the code of {names} never uses: "
               f"{'; '.join(parts)}. Code running as the role (a compromised dependency, an injection) gets "
               f"them for free.")
    index = unused[0][0] if len(unused) == 1 else None
    node = action_node(an, st, index)
    unused_text = ", ".join(p for _, p, _c in unused)
    evidence = grant.evidence(unused_text.lower())
    details = (("unused", unused_text), ("used", ", ".join(used)), ("functions", ", ".join(f.logical_id for f in fns)))
    in_use = {a.lower() for _, _p, c in unused for a in c}
    calls = [c for u in uses for use in u.uses if use.action.lower() in in_use for c in use.calls]
    flow = (FlowStep(an.app.locate(node), f"granted here: {unused_text}"),
            *(FlowStep(c.location, f"the code uses only this: {c.method} ({c.service} {c.operation})")
              for c in sorted(set(calls), key=lambda c: (c.location.path, c.location.line))[:10]))
    role = next((an.app.role(r) for r in grant.principals if isinstance(an.app.role(r), Role)), None)
    related = (role.node,) if role is not None and role.node != node else ()
    return Hit(node, message, grant.resource, evidence=evidence, related=related, flow=flow, details=details)
