"""What the REST and HTTP API expansions share: how the translator names an API's method, stage and route, reads
an event's API reference and an S3 ``DefinitionUri``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from remit.loaders.sam_native.common import Refused, is_intrinsic

ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
OPENAPI_3 = re.compile(r"\A3(\.\d)(\.\d)?$")
# a path parameter that becomes `*` in a permission's source ARN ({id}, {proxy+}, {greedy+})
GREEDY = re.compile(r"{([a-zA-Z0-9._-]+|[a-zA-Z0-9._-]+\+|proxy\+)}")


def str_or_dict(value: Any) -> bool:
    return isinstance(value, (str, dict))


def method_key(method: str) -> str:
    """An event's method as the OpenAPI document's key: lower case, ``any`` as API Gateway's any-method."""
    method = method.lower()
    return ANY_METHOD if method == "any" else method


def api_id(value: Any) -> str | None:
    """The API an event names (``RestApiId``/``ApiId``), as the translator reads it: a ``Ref`` or a plain id."""
    if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
        return value["Ref"]
    return value if isinstance(value, str) else None


def s3_location(uri: Any, order: Sequence[str]) -> dict[str, Any] | None:
    """``BodyS3Location`` for a ``DefinitionUri`` (an ``s3://`` URI, or a Bucket/Key/Version mapping written in
    ``order``, the translator's for that API type), or ``None`` for a shape not reproduced."""
    if isinstance(uri, dict):
        if is_intrinsic(uri) or not uri.get("Bucket") or not uri.get("Key") or set(uri) - {"Bucket", "Key", "Version"}:
            return None
        return {name: uri[name] for name in order if name in uri}
    if not isinstance(uri, str) or "?" in uri or "#" in uri:
        return None
    scheme, _, rest = uri.partition("://")
    bucket, _, key = rest.partition("/")
    if scheme != "s3" or not bucket or not key or "@" in bucket or ":" in bucket:
        return None
    return {"Bucket": bucket, "Key": key}


def stage_id(api: str, stage: Any, default_stage: str = "") -> str:
    """The logical id of an API's stage: the API's id and the stage name when it is alphanumeric, SAM's fixed id
    for an HTTP API's ``$default`` stage, else a digest of the name (none for a name given by an intrinsic)."""
    prefix = stage if isinstance(stage, str) else ""
    if prefix.isalnum():
        return f"{api}{prefix}Stage"
    if default_stage and prefix == default_stage:
        return f"{api}ApiGatewayDefaultStage"
    digest = hashlib.sha1(prefix.encode("utf8")).hexdigest()[:10] if prefix else ""
    return f"{api}Stage{digest}"


def functions_with_events(sam: Iterable[tuple[str, dict[str, Any]]], event_type: str,
                          kind: str) -> Iterator[tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]]:
    """Each function with events of ``event_type``, and those events (name, event) in the author's order; a
    function whose ``Condition``/``DeletionPolicy``/``UpdateReplacePolicy`` SAM would carry to the API is
    refused (as ``kind``)."""
    for _, res in sam:
        if res["Type"] != "AWS::Serverless::Function":
            continue
        events = res["Properties"].get("Events")
        if not isinstance(events, dict):
            continue
        found = [(name, event) for name, event in events.items()
                 if isinstance(event, dict) and event.get("Type") == event_type]
        if not found:
            continue
        for attribute in ("Condition", "DeletionPolicy", "UpdateReplacePolicy"):
            if attribute in res:
                raise Refused(f"{kind}: an event on a function with {attribute} (SAM carries it to the API)")
        yield res, found


def check_string_lists(mapping: Mapping[str, Any], keys: Iterable[str], what: str) -> None:
    """Refuse (as ``what``) a value under one of ``keys`` that is set but not a list of strings (an authorizer's
    identity sources: the translator rejects anything else)."""
    for key in keys:
        listed = mapping.get(key)
        if listed and (not isinstance(listed, list) or not all(isinstance(item, str) for item in listed)):
            raise Refused(f"{what}.{key} is not a list of strings")
