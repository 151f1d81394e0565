"""``AWS::Serverless::LayerVersion`` → a Lambda layer version under a new logical id, as the translator does it.

SAM renames the layer to ``<id><digest>`` (a digest of the layer as written) so that every change publishes a
new version, then rewrites every reference to the old id in the template: ``Ref`` and ``DependsOn`` are
rewritten here; a reference inside ``Fn::GetAtt`` or ``Fn::Sub`` is refused."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from remit.loaders.sam_native.common import PASSED_ON, Refused, is_intrinsic, refers_to_parameters

ACCEPTED = frozenset({"LayerName", "Description", "PublishLambdaVersion", "ContentUri", "CompatibleArchitectures",
                      "CompatibleRuntimes", "LicenseInfo", "RetentionPolicy"})
_SAM_ORDER = ("LayerName", "Description", "PublishLambdaVersion", "ContentUri", "CompatibleArchitectures",
              "CompatibleRuntimes", "LicenseInfo", "RetentionPolicy")
_RETENTION = {"retain": "Retain", "delete": "Delete"}


def _check(props: Mapping[str, Any], parameters: Mapping[str, Any]) -> None:
    unknown = set(props) - ACCEPTED
    if unknown:
        raise Refused(f"LayerVersion: {sorted(unknown)[0]}")
    for name in ("LayerName", "Description", "LicenseInfo"):
        value = props.get(name)
        if name in props and not (isinstance(value, str) or (is_intrinsic(value) and not refers_to_parameters(
                value, parameters))):
            raise Refused(f"LayerVersion: {name} written in a shape not reproduced")
    if "RetentionPolicy" in props and str(props["RetentionPolicy"]).lower() not in _RETENTION:
        raise Refused("LayerVersion: RetentionPolicy written in a shape not reproduced")
    if "RetentionPolicy" in props and not isinstance(props["RetentionPolicy"], str):
        raise Refused("LayerVersion: RetentionPolicy written in a shape not reproduced")
    if "PublishLambdaVersion" in props and not isinstance(props["PublishLambdaVersion"], bool):
        raise Refused("LayerVersion: PublishLambdaVersion written in a shape not reproduced")
    architectures = props.get("CompatibleArchitectures", [])
    if not isinstance(architectures, list) or any(a not in ("x86_64", "arm64") for a in architectures):
        raise Refused("LayerVersion: CompatibleArchitectures written in a shape not reproduced")
    runtimes = props.get("CompatibleRuntimes", [])
    if not isinstance(runtimes, list) or not all(isinstance(r, str) for r in runtimes):
        raise Refused("LayerVersion: CompatibleRuntimes written in a shape not reproduced")
    if any(v is None for v in props.values()):
        raise Refused("LayerVersion: a property without a value")


def _content(uri: object) -> dict[str, Any]:
    if not isinstance(uri, str) or "{{resolve:" in uri or "?" in uri:
        raise Refused("LayerVersion: ContentUri is not a plain S3 URI")
    url = urlparse(uri)
    if url.scheme != "s3" or not url.netloc or not url.path:
        raise Refused("LayerVersion: ContentUri is not a plain S3 URI")
    return {"S3Bucket": url.netloc, "S3Key": url.path.lstrip("/")}


def expand_layer(lid: str, resource: Mapping[str, Any], props: Mapping[str, Any],
                 parameters: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The new logical id and the layer version resource (without ``Metadata``, which the assembly adds). A name,
    description or licence given by an intrinsic is kept as written unless it names a parameter the translator
    resolves (refused)."""
    _check(props, parameters)
    content = _content(props.get("ContentUri"))
    # the digest covers the SAM resource as the translator models it, without the attributes that do not
    # change what is published
    digested: dict[str, Any] = {"Type": "AWS::Serverless::LayerVersion"}
    if resource.get("DependsOn"):
        digested["DependsOn"] = resource["DependsOn"]
    digested.update((k, resource[k]) for k in ("UpdatePolicy", "Condition") if k in resource)
    digested["Properties"] = {k: props[k] for k in _SAM_ORDER if k in props}
    text = json.dumps({lid: digested}, separators=(",", ":"), sort_keys=True)
    new_id = lid + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]  # SAM's naming, not security
    layer: dict[str, Any] = {"Type": "AWS::Lambda::LayerVersion"}
    if resource.get("DependsOn"):
        layer["DependsOn"] = resource["DependsOn"]
    layer.update((name, resource[name]) for name in PASSED_ON if name in resource)
    if "DeletionPolicy" not in layer:
        layer["DeletionPolicy"] = "Retain"
    if "RetentionPolicy" in props:
        layer["DeletionPolicy"] = _RETENTION[props["RetentionPolicy"].lower()]
    written = {"Content": content, "Description": props.get("Description"), "LayerName": props.get("LayerName") or lid,
               "CompatibleArchitectures": props.get("CompatibleArchitectures"),
               "CompatibleRuntimes": props.get("CompatibleRuntimes"), "LicenseInfo": props.get("LicenseInfo")}
    layer["Properties"] = {k: v for k, v in written.items() if v is not None}
    return new_id, layer


def rewrite_references(node: Any, renamed: Mapping[str, str]) -> None:
    """Point ``Ref`` and ``DependsOn`` at the renamed layers, in place, everywhere in the template; refuse the
    references the translator also rewrites but this does not (inside ``Fn::GetAtt`` and ``Fn::Sub``)."""
    if isinstance(node, dict):
        if len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in renamed:
            node["Ref"] = renamed[node["Ref"]]
        if ("Fn::GetAtt" in node or "Fn::Sub" in node) and _names_in(node) & renamed.keys():
            raise Refused("a layer referenced inside Fn::GetAtt or Fn::Sub")
        depends = node.get("DependsOn")
        if isinstance(depends, str) and depends in renamed:
            node["DependsOn"] = renamed[depends]
        elif isinstance(depends, list):
            node["DependsOn"] = [renamed.get(d, d) if isinstance(d, str) else d for d in depends]
        for value in node.values():
            rewrite_references(value, renamed)
    elif isinstance(node, list):
        for value in node:
            rewrite_references(value, renamed)


_SUB_NAME = re.compile(r"\$\{([^!}][^}]*)\}")  # ${Name} or ${Name.Attribute}; ${!Literal} is text


def _names_in(node: Mapping[str, Any]) -> set[str]:
    """The logical ids an ``Fn::GetAtt`` or ``Fn::Sub`` names; for a shape not read here, every id-like word of it
    (more than it names: a layer among them is refused, never missed)."""
    names: set[str] = set()
    getatt, sub = node.get("Fn::GetAtt"), node.get("Fn::Sub")
    if isinstance(getatt, list) and getatt and isinstance(getatt[0], str):
        names.add(getatt[0])
    elif isinstance(getatt, str):
        names.add(getatt.split(".", 1)[0])
    elif getatt is not None:
        names |= set(_WORD.findall(json.dumps(getatt)))
    text = sub[0] if isinstance(sub, list) and sub else sub
    if isinstance(text, str):
        names |= {found.split(".", 1)[0] for found in _SUB_NAME.findall(text)}
    elif sub is not None:
        names |= set(_WORD.findall(json.dumps(sub)))
    return names


_WORD = re.compile(r"[A-Za-z0-9]+")
