"""The SDK index (``remit/data/sdk_index.json.gz``, built by ``scripts/build_sdk_index.py``), loaded once.

Answers name questions without botocore: which operation a method name is, which IAM prefix a service
signs with, which botocore service a JavaScript package or class is, what a boto3 resource call does.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

_V3_PREFIX = "@aws-sdk/client-"


@cache
def data() -> Mapping[str, Any]:
    blob = resources.files("remit.data").joinpath("sdk_index.json.gz").read_bytes()
    loaded: Mapping[str, Any] = json.loads(gzip.decompress(blob))
    return loaded


@cache
def overrides() -> Mapping[str, Any]:
    """The reviewed exceptions table (``remit/data/sdk_overrides.json``)."""
    loaded: Mapping[str, Any] = json.loads(resources.files("remit.data").joinpath("sdk_overrides.json").read_text())
    return loaded


def snake(name: str) -> str:
    """Camel case to boto3's snake case (``ListObjectsV2`` -> ``list_objects_v2``) for the names where the
    plain conversion is right; the index keeps botocore's own answer for the others."""
    out = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    out = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", out)
    return out.lower()


def service(name: str) -> Mapping[str, Any] | None:
    found: Mapping[str, Any] | None = data()["services"].get(name)
    return found


@cache
def _methods(name: str) -> Mapping[str, str]:
    """Every spelling of an operation a caller may use -> the operation: boto3 snake case, JavaScript
    lowerCamel and the operation name itself, all compared lower-cased without underscores."""
    entry = service(name)
    if entry is None:
        return {}
    out: dict[str, str] = {}
    for op in entry["ops"]:
        out[_fold(op)] = op
    for method, op in entry.get("snake", {}).items():
        out.setdefault(_fold(method), op)
    return out


def _fold(name: str) -> str:
    return name.replace("_", "").lower()


@cache
def _snake_table(service_name: str) -> Mapping[str, str]:
    entry = service(service_name)
    if entry is None:
        return {}
    odd: Mapping[str, str] = entry.get("snake", {})
    table = {snake(op): op for op in entry["ops"] if op not in odd.values()}
    table.update(odd)
    return table


def client_method(service_name: str, method: str) -> str | None:
    """The operation of a boto3 client method name (``get_object`` -> ``GetObject``), or None."""
    return _snake_table(service_name).get(method)


def waiter_operation(service_name: str, waiter: str) -> str | None:
    entry = service(service_name)
    if entry is None:
        return None
    found: str | None = entry.get("waiters", {}).get(waiter)
    return found


def helper(service_name: str, kind: str, method: str) -> tuple[str, tuple[str, ...]] | None:
    """A boto3 transfer / batch helper: (operation, positional parameter names), for ``kind`` "client" or a
    resource type (``Bucket``, ``Object``, ``Table``)."""
    entry = data()["helpers"].get(service_name, {}).get(kind, {}).get(method)
    if entry is None:
        return None
    return entry[0], tuple(entry[1])


def resource_model(service_name: str) -> Mapping[str, Any] | None:
    found: Mapping[str, Any] | None = data()["resources"].get(service_name)
    return found


# ------------------------------------------------------------------------------------------------
# JavaScript names

_DOCUMENT_CLIENT = {
    "get": "GetItem", "put": "PutItem", "update": "UpdateItem", "delete": "DeleteItem", "query": "Query",
    "scan": "Scan", "batchget": "BatchGetItem", "batchwrite": "BatchWriteItem", "transactget": "TransactGetItems",
    "transactwrite": "TransactWriteItems", "executestatement": "ExecuteStatement",
    "batchexecutestatement": "BatchExecuteStatement", "executetransaction": "ExecuteTransaction",
}

_JS_EXTRA_SERVICES = {
    "@aws-sdk/lib-dynamodb": "dynamodb",
    "@aws-sdk/lib-storage": "s3",
    "@aws-sdk/s3-request-presigner": "s3",
    "@aws-sdk/s3-presigned-post": "s3",
    "@aws-sdk/util-dynamodb": "dynamodb",
    "dynamodb.documentclient": "dynamodb",
    "dynamodbdocumentclient": "dynamodb",
    "dynamodbdocument": "dynamodb",
    "documentclient": "dynamodb",
}

_TRANSFER = {"s3": {"upload": "PutObject", "managedupload": "PutObject", "createpresignedpost": "PutObject"}}


@cache
def _js_aliases() -> Mapping[str, str]:
    out: dict[str, str] = {}
    services: Mapping[str, Any] = data()["services"]
    for name in services:  # the botocore names first: they win a clash
        out.setdefault(_norm(name), name)
    for name, entry in services.items():
        out.setdefault(entry["v3"], name)
        out.setdefault(_norm(entry["v2"]), name)
        out.setdefault(_norm(entry["id"]), name)
        out.setdefault(_norm(entry["v2"]) + "client", name)  # v3 bare clients: S3Client, SFNClient
        out.setdefault(_norm(entry["id"]) + "client", name)
    return out


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def js_service(package_or_class: str) -> str | None:
    raw = package_or_class.strip()
    lowered = raw.lower()
    if lowered.startswith("aws."):
        lowered = lowered[4:]
    if lowered in _JS_EXTRA_SERVICES:
        return _JS_EXTRA_SERVICES[lowered]
    aliases = _js_aliases()
    if lowered.startswith("@aws-sdk/"):
        pkg = lowered.split("/", 2)
        base = "/".join(pkg[:2])
        return _JS_EXTRA_SERVICES.get(base) or aliases.get(base)
    if raw.startswith("@") or "/" in raw:
        return None
    return aliases.get(_norm(lowered))


def operation_for(service_name: str, method: str) -> str | None:
    entry = service(service_name)
    if entry is None or not method:
        return None
    name = method.strip()
    exact = client_method(service_name, name)
    if exact is not None:
        return exact
    folded = _fold(name)
    methods = _methods(service_name)
    if folded in methods:
        return methods[folded]
    helper_found = helper(service_name, "client", name)
    if helper_found is not None:
        return helper_found[0]
    transfer = _TRANSFER.get(service_name, {}).get(folded)
    if transfer is not None:
        return transfer
    if service_name == "dynamodb":
        doc = _DOCUMENT_CLIENT.get(folded.removesuffix("command"))
        if doc is not None:
            return doc
    if folded.endswith("command") and folded[: -len("command")] in methods:
        return methods[folded[: -len("command")]]
    if folded.startswith("paginate") and folded[len("paginate"):] in methods:
        return methods[folded[len("paginate"):]]
    if folded.startswith(("waituntil", "waitfor")):
        waiter = folded.removeprefix("waituntil").removeprefix("waitfor")
        for key, op in entry.get("waiters", {}).items():
            if _fold(key) == waiter:
                found: str = op
                return found
    if service_name == "s3" and folded == "upload":
        return "PutObject"
    return None


def iam_prefix(service_name: str) -> str | None:
    entry = service(service_name)
    if entry is None:
        return None
    found: str | None = entry.get("prefix")
    return found
