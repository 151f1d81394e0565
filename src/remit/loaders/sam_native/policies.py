"""SAM policy templates and a function's ``Policies``, as the translator turns them into role policies.

A policy template is one ``{TemplateName: {Param: value}}`` entry; its definition's ``{"Ref": Param}`` nodes
take the given values (pre-order: a substituted value is searched again, as the translator does), every other
node stays. This module is also how the rules read what a policy template grants (RMT-IAM-036)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import Refused, is_intrinsic
from remit.loaders.sam_native.data import managed_policy_arns, policy_templates

# the translator renames template parameters apart from the template's own CloudFormation references
_PARAMETER_PREFIX = "___SAM_POLICY_PARAMETER_"


class UnknownTemplate(Refused):
    """Not a policy template, or one given the wrong parameters (the translator rejects those)."""


def is_template(policy: object) -> bool:
    return isinstance(policy, dict) and len(policy) == 1 and next(iter(policy)) in policy_templates()


def template_document(name: str, values: object) -> Any:
    """The policy document a policy template expands to with ``values`` (``{"Statement": [...]}``)."""
    template = policy_templates().get(name)
    if not isinstance(template, dict):
        raise UnknownTemplate(f"unknown policy template {name}")
    params = template.get("Parameters") or {}
    if not isinstance(values, dict):
        raise UnknownTemplate(f"policy template {name}: parameter values are not a mapping")
    if set(params) - set(values):
        raise UnknownTemplate(f"policy template {name}: parameters missing")
    given = {_PARAMETER_PREFIX + k: v for k, v in values.items() if k in params}
    definition = _renamed(template.get("Definition", {}))
    return _substitute(definition, given) if given else definition


def _renamed(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _renamed(v) for k, v in node.items()}
        if isinstance(out.get("Ref"), str):
            out["Ref"] = _PARAMETER_PREFIX + out["Ref"]
        return out
    if isinstance(node, list):
        return [_renamed(v) for v in node]
    return node


def _substitute(node: Any, given: Mapping[str, Any]) -> Any:
    if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in given:
        node = given[node["Ref"]]
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = _substitute(value, given)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            node[i] = _substitute(value, given)
    return node


def expand_templates(policies: object) -> object:
    """``Policies`` with each policy template replaced by its document (the translator's first pass)."""
    if not policies:
        return policies
    items = policies if isinstance(policies, list) else [policies]
    out = []
    for policy in items:
        if isinstance(policy, dict) and "Fn::If" in policy and len(policy) == 1:
            raise Refused("Policies: Fn::If")
        if isinstance(policy, str) or is_intrinsic(policy) or (isinstance(policy, dict) and "Statement" in policy):
            out.append(policy)
        elif is_template(policy):
            assert isinstance(policy, dict)
            name, values = next(iter(policy.items()))
            out.append(template_document(name, values))
        else:
            raise Refused("Policies: an entry that is neither a policy, a managed policy nor a policy template")
    return out if isinstance(policies, list) else out[0]


def role_policies(role_id: str, policies: object, managed: list[Any]) -> list[dict[str, Any]]:
    """The role's inline policies from ``Policies`` (after :func:`expand_templates`); managed policy ARNs are
    appended to ``managed`` (without repeats), as the translator builds the execution role."""
    if not policies:
        return []
    items = policies if isinstance(policies, list) else [policies]
    documents: list[dict[str, Any]] = []
    known = managed_policy_arns()
    for index, policy in enumerate(items):
        if isinstance(policy, dict) and "Statement" in policy and not is_intrinsic(policy):
            documents.append({"PolicyName": f"{role_id}Policy{index}", "PolicyDocument": policy})
        elif isinstance(policy, str) or is_intrinsic(policy):
            arn = known.get(policy, policy) if isinstance(policy, str) else policy
            if arn not in managed:
                managed.append(arn)
        else:
            raise Refused("Policies: an entry the translator does not accept")
    return documents
