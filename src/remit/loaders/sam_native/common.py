"""What the parts of the native SAM expansion share: the refusal, and what an event needs of its function."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from remit.loaders.sam_native.http_api import HttpApiPlan
    from remit.loaders.sam_native.rest_api import RestApiPlan

TRANSFORM = "AWS::Serverless-2016-10-31"
_SUB_VARIABLE = re.compile(r"\$\{([^}!]*)\}")
_RESOLVED_PSEUDO = frozenset({"AWS::Region", "AWS::Partition"})  # what the translator knows of its session


def is_intrinsic(value: object) -> bool:
    """The translator's test for an intrinsic function: a mapping of one key, ``Ref``, ``Condition`` or
    ``Fn::...`` (such a value counts as a scalar: it is passed on, never merged or looked into)."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::"))


def clone(data: Any) -> Any:
    """A deep copy of parsed template data (dicts, lists, scalars): several times faster than
    ``copy.deepcopy``, which matters because the translator needs fresh copies it may mutate."""
    if isinstance(data, dict):
        return {k: clone(v) for k, v in data.items()}
    if isinstance(data, list):
        return [clone(v) for v in data]
    return data


def refers_to_parameters(value: Any, parameters: Mapping[str, Any]) -> bool:
    """Whether a value names a template parameter or a pseudo parameter the translator resolves (its region and
    partition), in a ``Ref`` or a ``Fn::Sub``: the translator would write that value, not the reference."""
    if isinstance(value, list):
        return any(refers_to_parameters(item, parameters) for item in value)
    if not isinstance(value, dict):
        return False
    for key, item in value.items():
        if key == "Ref" and isinstance(item, str) and (item in parameters or item in _RESOLVED_PSEUDO):
            return True
        if key == "Fn::Sub":
            text = item[0] if isinstance(item, list) and item else item
            if isinstance(text, str) and any(name in parameters or name in _RESOLVED_PSEUDO
                                             for name in _SUB_VARIABLE.findall(text)):
                return True
        if refers_to_parameters(item, parameters):
            return True
    return False


class Refused(Exception):
    """The template uses something the native expansion does not reproduce exactly as aws-sam-translator does;
    the translator expands it instead. ``reason`` says what, for the benchmark and for debugging."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(eq=False)
class FunctionContext:
    """One ``AWS::Serverless::Function`` while its events are expanded (mutable: the expansion is under way).

    ``role`` is the ``Properties`` of the execution role SAM generates (events append to its
    ``ManagedPolicyArns`` and ``Policies`` as the translator does), or ``None`` when the author gave ``Role``.
    ``resources`` is the output template's ``Resources`` (an S3 event edits the bucket it names);
    ``original`` is the author's template after remit's preparation, read-only. ``alias`` is the logical id of
    the alias ``AutoPublishAlias`` made, which the events then call instead of the function. ``rest_apis`` and
    ``http_apis`` are the template's APIs, which ``Api`` and ``HttpApi`` events add their routes to."""

    logical_id: str
    role: dict[str, Any] | None
    resources: dict[str, Any]
    original: Mapping[str, Any]
    alias: str | None = None
    rest_apis: RestApiPlan | None = None
    http_apis: HttpApiPlan | None = None


# resource attributes the translator keeps on the resource a SAM resource becomes, in its output order ...
_OWN_ATTRIBUTES = ("DeletionPolicy", "UpdatePolicy", "Condition", "UpdateReplacePolicy", "Metadata")
# ... and those it copies onto every other resource it generates for it
PASSED_ON = ("Condition", "DeletionPolicy", "UpdateReplacePolicy")


def main_resource(rtype: str, resource: Mapping[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """The resource a SAM resource becomes (same logical id), its attributes where the translator puts them."""
    out: dict[str, Any] = {"Type": rtype}
    if resource.get("DependsOn"):
        out["DependsOn"] = resource["DependsOn"]
    out.update((name, resource[name]) for name in _OWN_ATTRIBUTES if name in resource)
    out["Properties"] = properties
    return out


def passed_on(resource: Mapping[str, Any], generated: dict[str, Any]) -> dict[str, Any]:
    """``generated`` with the SAM resource's ``Condition``/``DeletionPolicy``/``UpdateReplacePolicy`` after its
    ``Type`` and ``DependsOn``, as the translator writes every resource it adds for that SAM resource."""
    attributes = [(name, resource[name]) for name in PASSED_ON if name in resource]
    if not attributes:
        return generated
    head: dict[str, Any] = {k: generated[k] for k in ("Type", "DependsOn") if k in generated}
    return {**head, **dict(attributes), **{k: v for k, v in generated.items() if k not in head}}
