"""IAM policy documents as the model holds them: normalised statements that point at where they were written.

Normalisation keeps IAM's meaning and drops only its spelling variants: ``Action``/``NotAction`` become
``actions`` + ``not_action``, a single string becomes a one-element tuple, ``Principal: "*"`` and
``Principal: {AWS: "*"}`` both become one ``*`` principal, and a statement under ``Fn::If`` is kept with the
condition's name. Evaluation (Deny, wildcards, conditions) belongs to :mod:`remit.iam`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from remit import untrusted
from remit.model.resources import ResourceId
from remit.model.values import (
    Choice,
    Concat,
    Unknown,
    Value,
    items,
    options,
    present_options,
    text,
)
from remit.source import NodePath, PathKey

Locator = Callable[..., NodePath]  # (*path parts) -> NodePath


@dataclass(frozen=True, slots=True)
class Principal:
    """One principal entry: ``kind`` is ``AWS``, ``Service``, ``Federated``, ``CanonicalUser`` or ``*``."""

    kind: str
    value: Value

    @property
    def is_anyone(self) -> bool:
        return self.kind == "*" or (self.kind == "AWS" and text(self.value) == "*")


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One ``operator: {key: values}`` pair of a Condition block (operator and key as written)."""

    operator: str
    key: str
    values: tuple[Value, ...]

    @property
    def key_lower(self) -> str:
        return self.key.lower()


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str  # "Allow" or "Deny" (anything else is reported by the loader and treated as written)
    actions: tuple[Value, ...]
    resources: tuple[Value, ...]
    node: NodePath
    not_action: bool = False
    not_resource: bool = False
    principals: tuple[Principal, ...] = ()
    not_principal: bool = False
    has_principal: bool = False
    conditions: tuple[ConditionClause, ...] = ()
    sid: str | None = None
    when: str | None = None  # the template condition (Fn::If) the statement depends on

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def action_texts(self) -> tuple[str, ...]:
        return tuple(t for t in (text(a) for a in self.actions) if t is not None)


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    statements: tuple[Statement, ...]
    node: NodePath
    problems: tuple[str, ...] = ()


class PolicyKind(StrEnum):
    INLINE = "inline"
    CUSTOMER_MANAGED = "customer-managed"
    AWS_MANAGED = "aws-managed"
    TRUST = "trust"
    RESOURCE = "resource"
    BOUNDARY = "boundary"


@dataclass(frozen=True, slots=True)
class Policy:
    """A policy in force: its document (or why it is unknown), where it is written or attached, and which
    principals or resource it applies to."""

    kind: PolicyKind
    name: str
    document: PolicyDocument | Unknown
    node: NodePath
    carrier: ResourceId | None = None  # the resource that holds it (role, AWS::IAM::Policy, bucket policy...)
    attached_to: tuple[ResourceId, ...] = ()
    arn: str | None = None

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.document.statements if isinstance(self.document, PolicyDocument) else ()


# ------------------------------------------------------------------------------------------------
# parsing


def _principals(value: Value) -> tuple[Principal, ...]:
    out: list[Principal] = []
    for option in present_options(value):
        if text(option) == "*":
            out.append(Principal("*", "*"))
        elif isinstance(option, dict):
            for kind, entries in option.items():
                out.extend(Principal(kind, v) for v in items(entries))
        else:
            out.append(Principal("AWS", option))
    return tuple(out)


def _conditions(value: Value) -> tuple[ConditionClause, ...]:
    out: list[ConditionClause] = []
    for option in present_options(value):
        if not isinstance(option, dict):
            continue
        for operator, block in option.items():
            for inner in present_options(block):
                if isinstance(inner, dict):
                    out.extend(ConditionClause(operator, key, items(vals)) for key, vals in inner.items())
    return tuple(out)


def _statement(raw: Value, at: NodePath, when: str | None, problems: list[str]) -> Statement | None:
    if not isinstance(raw, dict):
        problems.append(f"statement at {at} is not a mapping")
        return None
    effect = text(raw.get("Effect")) or "Allow"
    if effect not in ("Allow", "Deny"):
        problems.append(f"statement at {at} has Effect {effect!r}")
    not_action = "NotAction" in raw
    not_resource = "NotResource" in raw
    not_principal = "NotPrincipal" in raw
    principal_raw = raw.get("NotPrincipal") if not_principal else raw.get("Principal")
    sid = text(raw.get("Sid"))
    return Statement(
        effect=effect,
        actions=items(raw.get("NotAction") if not_action else raw.get("Action")),
        resources=items(raw.get("NotResource") if not_resource else raw.get("Resource")),
        node=at,
        not_action=not_action,
        not_resource=not_resource,
        principals=_principals(principal_raw) if principal_raw is not None else (),
        not_principal=not_principal,
        has_principal=principal_raw is not None,
        conditions=_conditions(raw.get("Condition")),
        sid=sid,
        when=when,
    )


def parse_document(value: Value, locate: Locator, *path: PathKey) -> PolicyDocument | Unknown:
    """Normalise a policy document found at ``path`` (relative to the carrier's properties).

    A JSON string is parsed; a value known only at deployment gives :class:`Unknown`.
    """
    if isinstance(value, str):
        try:
            value = untrusted.json_loads(value)
        except ValueError:
            return Unknown("the policy is a string that is not JSON")
    if isinstance(value, (Unknown, Concat)) or (not isinstance(value, (dict, Choice))):
        return value if isinstance(value, Unknown) else Unknown("the policy document is computed at deployment")
    problems: list[str] = []
    statements: list[Statement] = []
    for doc_option in present_options(value):
        if not isinstance(doc_option, dict):
            continue
        when_doc = value.condition if isinstance(value, Choice) else None
        raw_statements = doc_option.get("Statement")
        listed = raw_statements if isinstance(raw_statements, list) else [raw_statements]
        for i, raw in enumerate(listed):
            if raw is None:
                continue
            at = locate(*path, "Statement", i) if isinstance(raw_statements, list) else locate(*path, "Statement")
            branches = options(raw)
            when = raw.condition if isinstance(raw, Choice) else when_doc
            for branch in branches:
                if isinstance(branch, dict):
                    st = _statement(branch, at, when, problems)
                    if st is not None:
                        statements.append(st)
    return PolicyDocument(tuple(statements), locate(*path), tuple(problems))


# ------------------------------------------------------------------------------------------------
# AWS managed policies (data built by scripts/build_managed_policies.py)

AWS_MANAGED_MARKER = ":iam::aws:policy/"


@cache
def _managed_data() -> Mapping[str, Any]:
    data_file = resources.files("remit.data").joinpath("aws_managed_policies.json.gz")
    with data_file.open("rb") as fh:
        loaded: Mapping[str, Any] = json.loads(gzip.decompress(fh.read()))
    return loaded


def aws_managed_name(arn: Value) -> str | None:
    """The policy name when ``arn`` names an AWS managed policy (any partition), else None."""
    if isinstance(arn, Concat):
        tail = arn.parts[-1] if arn.parts and isinstance(arn.parts[-1], str) else ""
        if AWS_MANAGED_MARKER not in tail:
            return None
        arn_text = tail
    else:
        arn_text = text(arn) or ""
        if AWS_MANAGED_MARKER not in arn_text:
            return None
    return arn_text.rsplit("/", 1)[-1]


@cache
def _managed_entry(name: str) -> Any:
    """One policy's entry (kept as its own JSON text in the file: only the policies a scan attaches are parsed)."""
    raw = _managed_data().get("policies", {}).get(name)
    return json.loads(raw) if isinstance(raw, str) else raw


def aws_managed_document(name: str, locate_attachment: NodePath) -> PolicyDocument | Unknown:
    """The default version of an AWS managed policy, every statement located at the attachment."""
    entry = _managed_entry(name)
    if not isinstance(entry, dict):
        return Unknown(f"AWS managed policy {name} is not in remit's data (renamed, new, or mistyped)")
    document = entry.get("document")

    def locate(*_parts: PathKey) -> NodePath:
        return locate_attachment

    return parse_document(document, locate)
