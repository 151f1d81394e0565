"""SAM expanded by remit itself, for the templates where that gives exactly what aws-sam-translator gives.

The translator is the reference: remit runs it for every template this package refuses. What is expanded here
(functions — code, role, Policies and policy templates, Globals — with the event sources in :mod:`.events`,
state machines, tables, layers, and REST APIs in :mod:`.rest_api`) comes out as the translator writes it, key
for key and in its order, but for the two differences :mod:`.rest_api` states (:mod:`.contract` is the
comparison); the equivalence tests compare the two over remit's fixtures and, when present, over the
translator's own test inputs. Anything not reproduced — another SAM resource type, an unlisted property, a value
in a shape the translator would reject or transform — raises :class:`Refused`, and the translator expands the
template as before.

Why: importing the translator costs about a second (boto3 and ~110 pydantic models) and each translation a few
milliseconds; most templates are plain functions, and a scan that meets only those never imports it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from remit.loaders.sam_native.common import TRANSFORM, Refused, passed_on
from remit.loaders.sam_native.events import event_resources
from remit.loaders.sam_native.function import expand_function
from remit.loaders.sam_native.globals_ import merged, sam_globals
from remit.loaders.sam_native.http_api import HTTP_API, expand_http_api, plan_http_apis
from remit.loaders.sam_native.http_api import IMPLICIT as IMPLICIT_HTTP
from remit.loaders.sam_native.layer import expand_layer, rewrite_references
from remit.loaders.sam_native.rest_api import API, IMPLICIT, expand_rest_api, plan_rest_apis
from remit.loaders.sam_native.state_machine import expand_state_machine
from remit.loaders.sam_native.table import expand_table

__all__ = ["Refused", "expand"]

_FUNCTION = "AWS::Serverless::Function"
_TABLE = "AWS::Serverless::SimpleTable"
_LAYER = "AWS::Serverless::LayerVersion"
_STATE_MACHINE = "AWS::Serverless::StateMachine"
_SUPPORTED = frozenset({_FUNCTION, _TABLE, _LAYER, _STATE_MACHINE, API, HTTP_API})
# the translator expands functions first, then state machines, then APIs (the implicit REST then HTTP API last),
# then the rest, each group in the author's order
_GROUP = {_FUNCTION: 0, _STATE_MACHINE: 1, API: 2, HTTP_API: 2}
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")
# resource-level keys the translator reads besides Type, Properties, Metadata, DependsOn, Condition, DeletionPolicy,
# UpdateReplacePolicy and UpdatePolicy (any other key it drops, and so does this)
_READ_ELSEWHERE = frozenset({"IgnoreGlobals", "Connectors"})
# a generated resource may take the logical id of an author's resource only for these pairs (the translator's
# rule): generated type -> the author's types it replaces
_MAY_REPLACE = {"AWS::Lambda::Function": (_FUNCTION,), "AWS::DynamoDB::Table": (_TABLE,),
                "AWS::Lambda::LayerVersion": (_LAYER,), "AWS::StepFunctions::StateMachine": (_STATE_MACHINE,),
                "AWS::S3::Bucket": ("AWS::S3::Bucket",), "AWS::SNS::Topic": ("AWS::SNS::Topic",),
                "AWS::ApiGateway::RestApi": (API,), "AWS::ApiGatewayV2::Api": (HTTP_API,)}


def _sam_resources(resources: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for lid, res in resources.items():
        if not isinstance(res, dict):
            raise Refused("a resource that is not a mapping")
        if "Connectors" in res:
            raise Refused("a resource with Connectors")
        rtype = res.get("Type")
        if not isinstance(rtype, str) or not rtype.startswith("AWS::Serverless::"):
            continue
        if not _LOGICAL_ID.fullmatch(str(lid)):
            raise Refused("a SAM resource whose logical id is not alphanumeric (the translator rejects it)")
        if rtype not in _SUPPORTED:
            raise Refused(rtype)
        special = set(res) & _READ_ELSEWHERE
        if special:
            raise Refused(f"{rtype}: attribute {sorted(special)[0]}")
        if not isinstance(res.get("Condition", ""), str):
            raise Refused(f"{rtype}: Condition is not a name (the translator rejects it)")
        if "Properties" not in res:
            res["Properties"] = {}  # what the translator reads when there are none (the input is remit's copy)
        if not isinstance(res["Properties"], dict):
            raise Refused(f"{rtype}: Properties is not a mapping")
        found.append((str(lid), res))
    return found


def expand(template: Mapping[str, Any]) -> dict[str, Any]:
    """The CloudFormation the translator makes of ``template`` (remit's prepared copy, which this may share
    objects with), or :class:`Refused`."""
    if template.get("Transform", TRANSFORM) not in (TRANSFORM, [TRANSFORM]):
        raise Refused("Transform: not the SAM transform alone")
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise Refused("Resources: missing or empty")
    sam = _sam_resources(resources)
    globals_ = sam_globals(template)
    out = {k: v for k, v in template.items() if k not in ("Globals", "Transform")}
    sam_ids = {lid for lid, _ in sam}
    generated: dict[str, Any] = {lid: res for lid, res in resources.items() if lid not in sam_ids}
    out["Resources"] = generated
    renamed: dict[str, str] = {}  # layers SAM gives a new logical id
    parameters = template.get("Parameters")
    rest_apis = plan_rest_apis(resources, sam, globals_, parameters if isinstance(parameters, dict) else {})
    http_apis = plan_http_apis(resources, sam, globals_)
    ordered = sorted(sam, key=lambda item: _GROUP.get(item[1]["Type"], 3))
    implicit = [(IMPLICIT, {"Type": API, "Properties": {}})] if rest_apis.implicit else []
    if http_apis.implicit:
        implicit.append((IMPLICIT_HTTP, {"Type": HTTP_API, "Properties": {}}))
    at = sum(1 for _, res in sam if res["Type"] in _GROUP)
    ordered[at:at] = implicit
    for lid, res in ordered:
        if res["Type"] == _FUNCTION:
            props = merged(globals_.get("Function", {}), res["Properties"])
            expanded: Iterable[tuple[str, dict[str, Any]]] = expand_function(lid, res, props, generated, template,
                                                                             event_resources, rest_apis, http_apis)
        elif res["Type"] == API:
            expanded = expand_rest_api(lid, res, rest_apis)
        elif res["Type"] == HTTP_API:
            expanded = expand_http_api(lid, res, http_apis)
        elif res["Type"] == _STATE_MACHINE:
            expanded = expand_state_machine(lid, res, res["Properties"], generated, template)
        elif res["Type"] == _LAYER:
            new_id, layer = expand_layer(lid, res, merged(globals_.get("LayerVersion", {}), res["Properties"]),
                                         parameters if isinstance(parameters, dict) else {})
            renamed[lid] = new_id
            expanded = [(new_id, layer)]
        else:
            expanded = expand_table(lid, res, merged(globals_.get("SimpleTable", {}), res["Properties"]))
        for out_id, written in expanded:
            existing = resources.get(out_id)
            if existing is not None and existing.get("Type") not in _MAY_REPLACE.get(written["Type"], ()):
                raise Refused(f"a generated id {out_id} clashes with the author's resource")
            out_res = passed_on(res, written) if out_id != lid and existing is None and lid not in renamed else written
            if res.get("Metadata") and out_id not in generated:
                out_res["Metadata"] = res["Metadata"]
            generated[out_id] = out_res
    if renamed:
        rewrite_references(out, renamed)
    published = [lid for lid, res in sam if res["Type"] == _FUNCTION and res["Properties"].get("AutoPublishAlias")]
    derived = _published_ids(published, generated) if published else {}
    derived.update(_api_ids([*rest_apis.properties, *http_apis.properties], generated))
    if derived:
        _resolve_property_references(out, derived)
    return out


def _api_ids(apis: Iterable[str], generated: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """``{api: {"Stage": stage id, "Deployment": deployment id}}`` of the APIs expanded (an HTTP API has no
    deployment)."""
    ids: dict[str, dict[str, str]] = {}
    for lid in apis:
        found = ids.setdefault(lid, {})
        for out_id, res in generated.items():
            props = res.get("Properties") if isinstance(res, dict) else None
            if not isinstance(props, dict) or {"Ref": lid} not in (props.get("RestApiId"), props.get("ApiId")):
                continue
            if res.get("Type") in ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"):
                found["Stage"] = out_id
            elif res.get("Type") == "AWS::ApiGateway::Deployment":
                found["Deployment"] = out_id
    return ids


def _published_ids(published: list[str], generated: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """``{function: {"Alias": alias id, "Version": version id}}`` of the functions that publish an alias."""
    ids: dict[str, dict[str, str]] = {}
    for lid in published:
        found = {"Alias": "", "Version": ""}
        for out_id, res in generated.items():
            if out_id.startswith(lid + "Alias") and res.get("Type") == "AWS::Lambda::Alias":
                found["Alias"] = out_id
            elif out_id.startswith(lid + "Version") and res.get("Type") == "AWS::Lambda::Version":
                found["Version"] = out_id
        ids[lid] = found
    return ids


_SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9.]+|AWS::[A-Z][A-Za-z]*)\}")


def _resolve_property_references(template: dict[str, Any], ids: Mapping[str, Mapping[str, str]]) -> None:
    """Point ``{"Ref": "Fn.Alias"}``, ``!GetAtt Fn.Alias.Arn`` and ``${MyApi.Stage}`` in a ``Fn::Sub`` (or
    ``${MyApi.Stage.Attr}``) at the resource generated for that property, everywhere, as the translator does;
    refuse a template where such a reference is left in another form."""
    def target(reference: str) -> str | None:
        owner, _, rest = reference.partition(".")
        prop = rest.split(".", 1)[0]
        return ids.get(owner, {}).get(prop) or None

    def sub(text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            found = target(match.group(1))
            if not found:
                return match.group(0)
            owner, _, rest = match.group(1).partition(".")
            return match.group(0).replace(f"{owner}.{rest.split('.', 1)[0]}", found)
        return _SUB_REFERENCE.sub(replace, text)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("Ref")
            if len(node) == 1 and isinstance(ref, str) and "." in ref:
                found = ids.get(ref.partition(".")[0], {}).get(ref.partition(".")[2])
                if found:
                    node["Ref"] = found
            attribute = node.get("Fn::GetAtt")
            if len(node) == 1 and isinstance(attribute, list) and all(isinstance(a, str) for a in attribute):
                parts = ".".join(attribute).split(".")
                found = ids.get(parts[0], {}).get(parts[1]) if len(parts) > 1 else None
                if found:
                    node["Fn::GetAtt"] = [found, *parts[2:]]
            subbed = node.get("Fn::Sub")
            if len(node) == 1 and isinstance(subbed, str):
                node["Fn::Sub"] = sub(subbed)
            elif len(node) == 1 and isinstance(subbed, list) and subbed and isinstance(subbed[0], str):
                subbed[0] = sub(subbed[0])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    def mentioned(text: str) -> str | None:
        for lid, props in ids.items():
            if any(f'"{lid}.{prop}' in text or f"${{{lid}.{prop}" in text or f'"{lid}", "{prop}' in text
                   for prop in props):  # Ref or GetAtt "A.P", Sub "${A.P}", GetAtt ["A", "P..."]
                return lid
        return None

    if mentioned(json.dumps(template)) is None:
        return  # nothing to rewrite (most templates): one pass over the text instead of a walk
    walk(template)
    left = mentioned(json.dumps(template))
    if left is not None:
        raise Refused(f"a reference to {left}.<property> (resolved by the translator)")
