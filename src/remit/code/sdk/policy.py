"""The least-privilege policy of each function, from what its code and its configuration use (``remit policy``).

:func:`least_privilege` groups a function's :class:`~remit.code.sdk.usage.Use` s into statements (one per
resource, resources with the same actions merged); :func:`render_policies` writes them as JSON (a policy document with
``Fn::GetAtt`` / ``Fn::Sub`` for template resources), as a CloudFormation ``PolicyDocument`` in YAML, or as a
SAM ``Policies`` block (``!GetAtt`` / ``!Sub`` / ``!Ref``), ready to paste. What SAM adds by itself to a role
it generates (logs, polling the function's queue or stream, X-Ray, VPC, dead-letter queue) is left out of the
SAM form and kept in the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from remit.analysis import Analysis
from remit.code.sdk.usage import ANY, Usage, Use
from remit.model.application import Application
from remit.model.entities import Function
from remit.model.resources import ResourceId
from remit.model.values import Concat, Symbol, SymbolKind, Value, render


class PolicyFormat(StrEnum):
    JSON = "json"
    YAML = "yaml"
    SAM = "sam"


@dataclass(frozen=True, slots=True)
class PolicyStatement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[Value, ...]
    why: tuple[str, ...]  # the code locations (or what the Lambda service does) behind it
    platform: bool = False  # only what the Lambda service needs (SAM adds it to the roles it generates)
    unresolved: str = ""  # why the resource is "*" when the code names one remit could not resolve


@dataclass(frozen=True, slots=True)
class FunctionPolicy:
    function: ResourceId
    name: str  # the author's logical id
    role: str | None  # the role's logical id when the template defines it
    sam_role: bool  # SAM generates the role from the function's Policies
    statements: tuple[PolicyStatement, ...]
    complete: bool
    gaps: tuple[str, ...]
    shared_with: tuple[str, ...] = ()  # other functions using the same role (the role needs their union)


def least_privilege(an: Analysis, only: str | None = None) -> tuple[FunctionPolicy, ...]:
    """The policy of every function (or of the one whose logical id or name is ``only``), from the usage stage."""
    out: list[FunctionPolicy] = []
    for fn in an.app.functions:
        if only is not None and only not in _names(fn):
            continue
        out.append(_policy(an.app, an.usage[fn.id], fn))
    return tuple(out)


def _names(fn: Function) -> set[str]:
    names = {fn.logical_id, fn.resource.origin.logical_id}
    if isinstance(fn.name, str):
        names.add(fn.name)
    return names


def _policy(app: Application, found: Usage, fn: Function) -> FunctionPolicy:
    role = app.role_of(fn)
    sam_role = role is not None and role.resource.origin.generated and \
        role.resource.origin.logical_id == fn.resource.origin.logical_id
    shared = tuple(f.resource.origin.logical_id for f in app.functions_using_role(role) if f.id != fn.id) \
        if role is not None else ()
    # a library calling AWS itself (Powertools parameters...) needs grants the code's own calls do not show
    gaps = (*found.gaps, *(f"it imports {library}, which calls {', '.join(services)} with the role"
                           for library, services in found.wrapped))
    return FunctionPolicy(fn.id, fn.resource.origin.logical_id, role.logical_id if role is not None else None,
                          sam_role, _statements(found.uses), found.complete and not found.wrapped, gaps, shared)


def _statements(uses: Iterable[Use]) -> tuple[PolicyStatement, ...]:
    by_resource: dict[tuple[str, bool], list[Use]] = {}
    for use in uses:
        by_resource.setdefault((render(use.resource), bool(use.platform) and not use.calls), []).append(use)
    groups: dict[tuple[tuple[str, ...], bool, str], list[tuple[Value, list[Use]]]] = {}
    for (_, platform), group in by_resource.items():
        actions = tuple(sorted({u.action for u in group}, key=str.lower))
        unresolved = "; ".join(sorted({u.note for u in group if u.resource == ANY and u.note and not u.platform}))
        groups.setdefault((actions, platform, unresolved), []).append((group[0].resource, group))
    out: list[PolicyStatement] = []
    used_sids: set[str] = set()
    for (actions, platform, unresolved), members in groups.items():
        resources = tuple(r for r, _ in members)
        why: list[str] = []
        for _, group in members:
            for use in group:
                why.extend(f"{c.location} {c.method}" for c in use.calls)
                if use.platform and not use.calls:
                    why.append(use.platform)
        out.append(PolicyStatement(_sid(actions, resources, used_sids), actions,
                                   tuple(sorted(resources, key=render)), tuple(dict.fromkeys(why)), platform,
                                   unresolved))
    return tuple(sorted(out, key=lambda s: (s.platform, s.sid)))


def _sid(actions: Sequence[str], resources: Sequence[Value], used: set[str]) -> str:
    services = sorted({a.partition(":")[0] for a in actions})
    base = "".join(_camel(s) for s in services)
    symbols = [p for r in resources for p in _symbols(r) if p.kind is SymbolKind.RESOURCE]
    if symbols:
        base += symbols[0].name
    elif all(render(r) == ANY for r in resources):
        base += "AnyResource"
    base = re.sub(r"[^A-Za-z0-9]", "", base)[:100] or "Statement"
    sid, n = base, 2
    while sid in used:
        sid, n = f"{base}{n}", n + 1
    used.add(sid)
    return sid


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", text))


def _symbols(value: Value) -> list[Symbol]:
    if isinstance(value, Symbol):
        return [value]
    if isinstance(value, Concat):
        return [p for p in value.parts if isinstance(p, Symbol)]
    return []


# ------------------------------------------------------------------------------------------------
# rendering


def _intrinsic(value: Value) -> object:
    """A resource value as CloudFormation JSON: ``Ref`` / ``Fn::GetAtt`` / ``Fn::Sub``."""
    if isinstance(value, Symbol):
        if value.kind is SymbolKind.RESOURCE and value.attribute:
            return {"Fn::GetAtt": [value.name, value.attribute]}
        return {"Ref": value.name}
    if isinstance(value, Concat):
        return {"Fn::Sub": render(value)}
    return render(value)


def _yaml_value(value: Value) -> str:
    if isinstance(value, Symbol):
        if value.kind is SymbolKind.RESOURCE and value.attribute:
            return f"!GetAtt {value.name}.{value.attribute}"
        return f"!Ref {value.name}"
    if isinstance(value, Concat):
        return f"!Sub {_quote(render(value))}"
    return _quote(render(value))


def _quote(text: str) -> str:
    return json.dumps(text)


def _statement_json(st: PolicyStatement) -> dict[str, object]:
    resources = [_intrinsic(r) for r in st.resources]
    return {"Sid": st.sid, "Effect": "Allow", "Action": list(st.actions),
            "Resource": resources[0] if len(resources) == 1 else resources}


def render_json(policies: Sequence[FunctionPolicy]) -> str:
    rows = []
    for p in policies:
        rows.append({
            "function": p.name,
            "role": p.role,
            "role_generated_by_sam": p.sam_role,
            "complete": p.complete,
            "gaps": list(p.gaps),
            "role_shared_with": list(p.shared_with),
            "policy": {"Version": "2012-10-17", "Statement": [_statement_json(s) for s in p.statements]},
            "statements": [{"sid": s.sid, "because": list(s.why), "lambda_service": s.platform,
                            **({"resource_unresolved": s.unresolved} if s.unresolved else {})}
                           for s in p.statements],
        })
    return json.dumps({"functions": rows}, indent=2) + "\n"


def _yaml_statements(statements: Sequence[PolicyStatement], indent: str) -> list[str]:
    lines: list[str] = []
    for st in statements:
        for reason in st.why[:6]:
            lines.append(f"{indent}# {_comment(reason)}")
        if len(st.why) > 6:
            lines.append(f"{indent}# ... and {len(st.why) - 6} more")
        if st.unresolved:
            lines.append(f"{indent}# Resource is \"*\": {_comment(st.unresolved)}; name the resource to narrow it")
        lines.append(f"{indent}- Sid: {st.sid}")
        lines.append(f"{indent}  Effect: Allow")
        lines.append(f"{indent}  Action:")
        lines.extend(f"{indent}    - {a}" for a in st.actions)
        if len(st.resources) == 1:
            lines.append(f"{indent}  Resource: {_yaml_value(st.resources[0])}")
        else:
            lines.append(f"{indent}  Resource:")
            lines.extend(f"{indent}    - {_yaml_value(r)}" for r in st.resources)
    return lines


def _comment(text: str) -> str:
    return " ".join(text.split())


def _header(p: FunctionPolicy) -> list[str]:
    lines = [f"# {p.name}" + (f" (role {p.role})" if p.role else " (its role is not defined in the template)")]
    if p.shared_with:
        lines.append(f"# the role is shared with {', '.join(p.shared_with)}: it needs the union of their policies")
    if not p.complete:
        lines.append("# INCOMPLETE: remit did not understand all of this function's code, so this policy may "
                     "miss actions:")
        lines.extend(f"#   - {_comment(g)}" for g in p.gaps)
    return lines


def render_yaml(policies: Sequence[FunctionPolicy]) -> str:
    out: list[str] = []
    for p in policies:
        out.extend(_header(p))
        out.append("# the role's policy (AWS::IAM::Role Policies / AWS::IAM::Policy PolicyDocument):")
        out.append(f"PolicyName: {p.name}-least-privilege")
        out.append("PolicyDocument:")
        out.append('  Version: "2012-10-17"')
        out.append("  Statement:")
        out.extend(_yaml_statements(p.statements, "    ") or ["    []"])
        out.append("")
    return "\n".join(out)


def render_sam(policies: Sequence[FunctionPolicy]) -> str:
    out: list[str] = []
    for p in policies:
        out.extend(_header(p))
        statements = [s for s in p.statements if not s.platform]
        if p.sam_role or p.role is None:
            out.append("# the function's Policies (SAM adds logs, event polling, tracing and VPC access itself):")
        else:
            statements = list(p.statements)
            out.append(f"# the function uses role {p.role}: replace its policies with this, or drop Role and "
                       "paste it as the function's Policies:")
        out.append("Policies:")
        if statements:
            out.append("  - Statement:")
            out.extend(_yaml_statements(statements, "      "))
        else:
            found = "no AWS SDK call found" if p.complete else "none found in the code remit understood"
            out.append(f"  []  # {found}")
        out.append("")
    return "\n".join(out)


def render_policies(policies: Sequence[FunctionPolicy], fmt: PolicyFormat) -> str:
    if fmt is PolicyFormat.JSON:
        return render_json(policies)
    if fmt is PolicyFormat.YAML:
        return render_yaml(policies)
    return render_sam(policies)
